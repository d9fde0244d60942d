"""First guesses for the import wizard: which source column is which canonical column, which one
holds the label and which values mean fake.

A guess needs a name that resembles the canonical column (or one of the names platforms use for
it) *and* values of the right shape: a 0/1 column can be a boolean, epoch seconds or ISO texts a
timestamp, whole numbers a count. The analyst confirms or changes every guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from followaudit.data.source_table import SourceColumn, SourceTable
from followaudit.data.spec import ACCOUNTS, DERIVED_FEATURES

MIN_SCORE = 0.8
# What platforms and public data sets call each canonical column (after `words`: lower case,
# camelCase split, punctuation -> spaces; "#followers" -> "followers").
SYNONYMS = {
    "account_id": ["id", "user id", "userid", "uid", "account", "pk", "author id"],
    "username": ["unique id", "uniqueid", "screen name", "handle", "user name", "login", "user"],
    "display_name": ["nickname", "name", "full name", "fullname", "nick name"],
    "created_at": ["create time", "created", "creation date", "joined", "join date",
                   "signup", "registered", "account created", "date joined"],
    "has_profile_pic": ["profile pic", "profile picture", "avatar", "has avatar", "profile image",
                        "has profile image", "picture"],
    "bio": ["signature", "description", "about", "biography", "bio text"],
    "has_external_link": ["external url", "url", "link", "website", "bio link", "has url"],
    "is_private": ["private", "private account", "protected", "secret"],
    "is_verified": ["verified", "blue tick", "verified account"],
    "follower_count": ["followers", "follower count", "followers count", "fans", "fan count",
                       "subscribers"],
    "following_count": ["following", "follows", "friends", "friends count", "followings",
                        "following count"],
    "video_count": ["videos", "video count", "posts", "post count", "media count", "aweme count"],
    "likes_received": ["hearts", "heart count", "heart", "total likes", "likes received",
                       "like count", "likes"],
    "likes_given": ["digg count", "digg", "diggs", "likes given", "favourites count",
                    "favorites count"],
    "region": ["country", "region", "country code", "location"],
    "last_active_at": ["last active", "last seen", "last login", "last post", "last activity"],
    "observed_at": ["observed", "crawled at", "scraped at", "collected at", "snapshot time"],
    "bio_length": ["description length", "bio length", "signature length"],
    "username_length": ["username length", "length username"],
    "username_digit_count": ["nums username", "digits username", "username digits"],
    "username_digit_ratio": ["nums length username", "username digit ratio"],
    "display_name_word_count": ["fullname words", "full name words", "name words"],
    "display_name_digit_ratio": ["nums length fullname", "fullname digit ratio"],
    "name_equals_username": ["name username", "name equals username", "name is username"],
    "account_age_days": ["account age", "age days", "days old"],
}  # fmt: skip
LABEL_NAMES = ("fake", "is fake", "label", "bot", "is bot", "spam", "spammer", "class", "target",
               "fake account", "is spam")  # fmt: skip
FAKE_WORDS = ("fake", "bot", "spam", "spammer", "true", "1", "yes", "y", "t")
TARGET_TYPES = {c.name: c.type for c in ACCOUNTS.columns} | dict.fromkeys(
    DERIVED_FEATURES, "DOUBLE"
)


@dataclass(frozen=True)
class LabelGuess:
    """The column that holds the label and the values of it that mean fake."""

    column: str
    fake_values: tuple[str, ...]


def words(name: str) -> str:
    """A column name as plain words: 'followerCount' -> 'follower count', '#posts' -> 'posts'."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return " ".join(re.findall(r"[a-z0-9]+", spaced.lower()))


def name_score(source: str, target: str) -> float:
    """How much a source column's name looks like a canonical column's (0..1)."""
    text = words(source)
    names = [words(target), *SYNONYMS.get(target, [])]
    if text in names:
        return 1.0
    return max(difflib.SequenceMatcher(None, text, n).ratio() for n in names)


def shape_score(column: SourceColumn, target: str) -> float:
    """How well the column's values fit the canonical type (0 = they do not convert)."""
    wanted = TARGET_TYPES[target]
    if not column.fits_type(wanted):
        return 0.0
    if wanted == "VARCHAR":  # any value converts to text: prefer columns that are text
        return 1.0 if column.shape == "text" else 0.5
    if wanted == "BIGINT" and column.shape == "boolean":
        return 0.8  # a 0/1 count is possible but unusual
    return 1.0


def suggest_columns(table: SourceTable, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """canonical column -> source column, best pairs first, each source column used once."""
    pairs = []
    for column in table.columns:
        if column.name in exclude:
            continue
        for target in TARGET_TYPES:
            score = name_score(column.name, target) * shape_score(column, target)
            if score >= MIN_SCORE:
                pairs.append((score, target, column.name))
    chosen: dict[str, str] = {}
    for _, target, source in sorted(pairs, key=lambda p: -p[0]):
        if target not in chosen and source not in chosen.values():
            chosen[target] = source
    return {t: chosen[t] for t in TARGET_TYPES if t in chosen}


def suggest_label(table: SourceTable) -> LabelGuess | None:
    """A two-valued column named like a label (fake, is_bot, label, ...) and its fake values."""
    for column in table.columns:
        if words(column.name) in LABEL_NAMES and 0 < column.distinct <= 3:
            return LabelGuess(column.name, fake_values_of(column))
    return None


def fake_values_of(column: SourceColumn) -> tuple[str, ...]:
    """The sample values that read as 'fake' (true, 1, yes, 'bot', ...)."""
    found = [v for v in column.levels or column.samples if v.strip().lower() in FAKE_WORDS]
    return tuple(found) if found else ("1", "true")


def extra_candidates(table: SourceTable, used: set[str]) -> list[str]:
    """Numeric source columns not mapped elsewhere (possible extra features)."""
    return [
        c.name
        for c in table.columns
        if c.name not in used and c.values and c.fits & {"integer", "number", "boolean"}
    ]
