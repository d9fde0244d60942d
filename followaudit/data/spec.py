"""Canonical tables of a data folder: their columns, types, keys and what each one means."""

from __future__ import annotations

from dataclasses import dataclass, field

EXTRA_PREFIX = "extra_"


@dataclass(frozen=True)
class Column:
    """One canonical column: DuckDB type, whether the file must have it, and what it means."""

    name: str
    type: str
    required: bool
    description: str
    nullable: bool = True
    check: str = ""  # "count" (>= 0), "time" (2005..now), or "a|b|c" (allowed values)


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, key, references to `accounts` and whether it is needed."""

    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = False
    key: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # columns whose values must be accounts.account_id
    ground_truth: bool = False  # from the generator; used by evaluation only
    extra_allowed: bool = False  # other columns are kept as they are
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column | None:
        """The column spec called `name`, also for accounts' derived-feature and `extra_` columns."""
        for col in self.columns:
            if col.name == name:
                return col
        if self.name == "accounts" and name in DERIVED_FEATURES:
            return Column(name, "DOUBLE", False, DERIVED_FEATURES[name])
        if (
            self.name == "accounts"
            and name.startswith(EXTRA_PREFIX)
            and len(name) > len(EXTRA_PREFIX)
        ):
            return Column(name, "DOUBLE", False, "extra numeric feature from an imported table")
        return None


def _c(name, type_, required, description, nullable=True, check=""):
    return Column(name, type_, required, description, nullable, check)


# Imported tables sometimes carry only these derived values (e.g. Instagram's "nums/length
# username"); features.py uses them where the raw column is missing or NULL.
DERIVED_FEATURES = {
    "bio_length": "characters in the bio",
    "username_length": "characters in the username",
    "username_digit_count": "digits in the username",
    "username_digit_ratio": "share of the username's characters that are digits",
    "display_name_word_count": "words in the display name",
    "display_name_digit_ratio": "share of the display name's characters that are digits",
    "name_equals_username": "1 when the display name equals the username, else 0",
    "account_age_days": "days between account creation and observation",
}

ACCOUNTS = Table(
    "accounts",
    "one row per account (creators and followers alike)",
    (
        _c("account_id", "BIGINT", True, "unique account number", nullable=False),
        _c("username", "VARCHAR", True, "the @handle"),
        _c("display_name", "VARCHAR", False, "the name shown on the profile"),
        _c("created_at", "TIMESTAMP", True, "when the account was created", check="time"),
        _c("has_profile_pic", "BOOLEAN", True, "whether the account has a profile picture"),
        _c("bio", "VARCHAR", False, "profile text"),
        _c("has_external_link", "BOOLEAN", False, "whether the profile links to a website"),
        _c("is_private", "BOOLEAN", False, "whether the account is private"),
        _c("is_verified", "BOOLEAN", False, "whether the platform verified the account"),
        _c("follower_count", "BIGINT", True, "followers at observation time", check="count"),
        _c(
            "following_count",
            "BIGINT",
            True,
            "accounts it follows at observation time",
            check="count",
        ),
        _c("video_count", "BIGINT", True, "videos posted", check="count"),
        _c("likes_received", "BIGINT", False, "likes on its videos", check="count"),
        _c("likes_given", "BIGINT", False, "likes it gave", check="count"),
        _c("region", "VARCHAR", False, "country or region code"),
        _c("last_active_at", "TIMESTAMP", False, "last time it was active", check="time"),
        _c("observed_at", "TIMESTAMP", False, "when the row was observed (imports)", check="time"),
    ),
    required=True,
    key=("account_id",),
)

FOLLOWS = Table(
    "follows",
    "one row per follow event",
    (
        _c("follower_id", "BIGINT", True, "the account that follows", nullable=False),
        _c("creator_id", "BIGINT", True, "the account being followed", nullable=False),
        _c("followed_at", "TIMESTAMP", True, "when the follow happened", False, "time"),
        _c(
            "unfollowed_at",
            "TIMESTAMP",
            False,
            "when it ended; empty = still following",
            check="time",
        ),
    ),
    references=("follower_id", "creator_id"),
)

ENGAGEMENT = Table(
    "engagement_daily",
    "one row per creator per day",
    (
        _c("creator_id", "BIGINT", True, "the creator", nullable=False),
        _c("date", "DATE", True, "the day (UTC)", nullable=False, check="time"),
        _c("views", "BIGINT", True, "views of the creator's videos that day", check="count"),
        _c("likes", "BIGINT", True, "likes that day", check="count"),
        _c("comments", "BIGINT", False, "comments that day", check="count"),
        _c("shares", "BIGINT", False, "shares that day", check="count"),
        _c("videos_posted", "BIGINT", False, "videos posted that day", check="count"),
    ),
    key=("creator_id", "date"),
    references=("creator_id",),
)

LABELS = Table(
    "labels",
    "one row per labelled account (optional)",
    (
        _c("account_id", "BIGINT", True, "the labelled account", nullable=False),
        _c("label", "VARCHAR", True, "fake or genuine", nullable=False, check="fake|genuine"),
        _c("source", "VARCHAR", False, "where the label came from"),
        _c("fake_kind", "VARCHAR", False, "kind of fake (generator ground truth)"),
        _c("genuine_kind", "VARCHAR", False, "kind of genuine account (generator ground truth)"),
    ),
    key=("account_id",),
    references=("account_id",),
)

CAMPAIGNS = Table(
    "campaigns",
    "ground truth: one row per bought-follower campaign",
    (
        _c("campaign_id", "BIGINT", True, "campaign number", nullable=False),
        _c("creator_id", "BIGINT", True, "the buyer creator", nullable=False),
        _c(
            "kind",
            "VARCHAR",
            True,
            "burst, drip, bundled, viral_cover, premium, slow or single_target",
            check="burst|drip|bundled|viral_cover|premium|slow|single_target",
        ),
        _c("start", "TIMESTAMP", True, "first fake follow", check="time"),
        _c("end", "TIMESTAMP", True, "last fake follow", check="time"),
        _c("accounts", "BIGINT", True, "fake accounts in the campaign", check="count"),
    ),
    key=("campaign_id",),
    references=("creator_id",),
    ground_truth=True,
    extra_allowed=True,
)

EVENTS = Table(
    "events",
    "ground truth: one row per genuine growth event",
    (
        _c("creator_id", "BIGINT", True, "the creator", nullable=False),
        _c("date", "DATE", True, "the day", check="time"),
        _c(
            "kind",
            "VARCHAR",
            True,
            "viral, giveaway, shoutout, featured, acceleration, onboarding or regional_launch",
            check="viral|giveaway|shoutout|featured|acceleration|onboarding|regional_launch",
        ),
        _c("days", "BIGINT", False, "how many days the event lifts follows", check="count"),
    ),
    references=("creator_id",),
    ground_truth=True,
    extra_allowed=True,
)

TABLES: dict[str, Table] = {
    t.name: t for t in (ACCOUNTS, FOLLOWS, ENGAGEMENT, LABELS, CAMPAIGNS, EVENTS)
}
CANONICAL = ("accounts", "follows", "engagement_daily", "labels")
