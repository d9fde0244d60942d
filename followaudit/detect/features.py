"""Per-account features: profile, follow behaviour and coordination, with plain descriptions."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import NamedTuple

import duckdb
import polars as pl

from followaudit.store.workspace import load_sql, run_query, table_exists

EXTRA_PREFIX = "extra_"  # imported extra numeric columns (schema.EXTRA_PREFIX)
SPIKE_Z = 6.0  # robust z-score above which a creator's daily gain counts as a spike

# Canonical account columns; optional ones may be missing from a data folder or imported table.
ACCOUNT_COLUMNS = {
    "account_id": pl.Int64,
    "username": pl.Utf8,
    "display_name": pl.Utf8,
    "created_at": pl.Datetime("us"),
    "has_profile_pic": pl.Boolean,
    "bio": pl.Utf8,
    "has_external_link": pl.Boolean,
    "is_private": pl.Boolean,
    "is_verified": pl.Boolean,
    "follower_count": pl.Int64,
    "following_count": pl.Int64,
    "video_count": pl.Int64,
    "likes_received": pl.Int64,
    "likes_given": pl.Int64,
    "last_active_at": pl.Datetime("us"),
}


class Feature(NamedTuple):
    """A feature: plain description, group, a sentence about an account's value, source columns."""

    description: str
    group: str
    phrase: Callable[[float | None], str]
    sources: tuple[str, ...]


def _num(value: float) -> str:
    """A count or measure in words-friendly form: 312, 1.2k, 0.35."""
    if abs(value) >= 10_000:
        return f"{value / 1000:,.0f}k"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.2g}"


def _duration_hours(hours: float) -> str:
    if abs(hours) < 1:
        return f"{abs(hours) * 60:.0f} min"
    if abs(hours) < 48:
        return f"{abs(hours):.0f} h"
    return f"{abs(hours) / 24:.0f} days"


def _flag(yes: str, no: str) -> Callable[[float | None], str]:
    return lambda v: yes if v >= 0.5 else no


def _share(template: str) -> Callable[[float | None], str]:
    return lambda v: template.format(pct=f"{(v or 0) * 100:.0f}%")


def _count(template: str) -> Callable[[float | None], str]:
    singular = re.sub(r"\{n\} (\w+?)s\b", r"{n} \1", template)  # "1 videos" -> "1 video"
    return lambda v: (singular if v == 1 else template).format(n=_num(v))


A = "accounts."
FEATURES: dict[str, Feature] = {
    "has_profile_pic": Feature(
        "Whether the account has a profile picture.",
        "profile",
        _flag("Has a profile picture", "No profile picture"),
        (A + "has_profile_pic",),
    ),
    "bio_length": Feature(
        "Length of the bio in characters (0 = empty bio).",
        "profile",
        lambda v: "Empty bio" if not v else _count("Bio of {n} characters")(v),
        (A + "bio",),
    ),
    "has_external_link": Feature(
        "Whether the profile links to an external site.",
        "profile",
        _flag("Has an external link", "No external link"),
        (A + "has_external_link",),
    ),
    "is_private": Feature(
        "Whether the account is private.",
        "profile",
        _flag("Private account", "Public account"),
        (A + "is_private",),
    ),
    "is_verified": Feature(
        "Whether the platform verified the account.",
        "profile",
        _flag("Verified account", "Not verified"),
        (A + "is_verified",),
    ),
    "follower_count": Feature(
        "How many accounts follow this account.",
        "profile",
        _count("{n} followers"),
        (A + "follower_count",),
    ),
    "following_count": Feature(
        "How many accounts this account follows.",
        "profile",
        _count("Follows {n} accounts"),
        (A + "following_count",),
    ),
    "video_count": Feature(
        "How many videos the account has posted.",
        "profile",
        lambda v: "Never posted a video" if not v else _count("Posted {n} videos")(v),
        (A + "video_count",),
    ),
    "following_follower_ratio": Feature(
        "Accounts followed per follower (following / (followers + 1)).",
        "profile",
        _count("Follows {n} accounts per follower"),
        (A + "following_count", A + "follower_count"),
    ),
    "likes_received": Feature(
        "Likes received on the account's videos.",
        "profile",
        _count("{n} likes received"),
        (A + "likes_received",),
    ),
    "likes_given": Feature(
        "Likes the account has given to others.",
        "profile",
        lambda v: "Never liked anything" if not v else _count("Gave {n} likes")(v),
        (A + "likes_given",),
    ),
    "likes_per_video": Feature(
        "Likes received per posted video (likes / (videos + 1)).",
        "profile",
        _count("{n} likes per video"),
        (A + "likes_received", A + "video_count"),
    ),
    "account_age_days": Feature(
        "Days between the account's creation and the end of the observed data.",
        "profile",
        lambda v: f"Account {_duration_hours(v * 24)} old",
        (A + "created_at",),
    ),
    "days_since_active": Feature(
        "Days since the account was last active.",
        "profile",
        lambda v: f"Last active {_duration_hours(v * 24)} ago",
        (A + "last_active_at",),
    ),
    "username_length": Feature(
        "Number of characters in the username.",
        "profile",
        _count("Username of {n} characters"),
        (A + "username",),
    ),
    "username_digit_count": Feature(
        "Number of digits in the username.",
        "profile",
        _count("{n} digits in the username"),
        (A + "username",),
    ),
    "username_digit_ratio": Feature(
        "Share of the username's characters that are digits.",
        "profile",
        _share("Username is {pct} digits"),
        (A + "username",),
    ),
    "username_word_digits": Feature(
        "Username is letters followed by two or more digits (like anna_83921).",
        "profile",
        _flag("Username is a word followed by digits", "Username is not word+digits"),
        (A + "username",),
    ),
    "username_entropy": Feature(
        "Character entropy of the username in bits (random strings score high).",
        "profile",
        _count("Username character entropy {n} bits"),
        (A + "username",),
    ),
    "display_name_word_count": Feature(
        "Number of words in the display name.",
        "profile",
        lambda v: "No display name" if not v else _count("Display name of {n} words")(v),
        (A + "display_name",),
    ),
    "display_name_digit_ratio": Feature(
        "Share of the display name's characters that are digits.",
        "profile",
        _share("Display name is {pct} digits"),
        (A + "display_name",),
    ),
    "name_equals_username": Feature(
        "Whether the display name equals the username.",
        "profile",
        _flag("Display name equals the username", "Display name differs from the username"),
        (A + "display_name", A + "username"),
    ),
    "follows_made": Feature(
        "How many follows the account made in the observed data.",
        "behaviour",
        _count("Made {n} follows"),
        ("follows",),
    ),
    "follows_per_active_day": Feature(
        "Follows made per day on which the account followed anyone.",
        "behaviour",
        _count("{n} follows per active day"),
        ("follows",),
    ),
    "max_follows_in_hour": Feature(
        "Largest number of follows the account made within one clock hour.",
        "behaviour",
        _count("Followed {n} accounts in one hour"),
        ("follows",),
    ),
    "median_follow_gap_min": Feature(
        "Median minutes between the account's consecutive follows.",
        "behaviour",
        lambda v: f"Median {_duration_hours(v / 60)} between follows",
        ("follows",),
    ),
    "early_follow_share": Feature(
        "Share of the account's follows made within 3 days of its creation.",
        "behaviour",
        _share("{pct} of its follows within 3 days of creation"),
        ("follows", A + "created_at"),
    ),
    "first_follow_age_hours": Feature(
        "Hours between the account's creation and its first follow.",
        "behaviour",
        lambda v: f"Created {_duration_hours(v)} before its first follow",
        ("follows", A + "created_at"),
    ),
    "creation_cohort_size": Feature(
        "Other accounts created in the same hour that followed one of the same creators "
        "within a week of creation.",
        "coordination",
        _count("Created in the same hour as {n} other followers of the same creator"),
        ("follows", A + "created_at"),
    ),
    "lockstep_score": Feature(
        "Other accounts that followed the same two creators in the same order within the "
        "same 30 minutes (CopyCatch-style lockstep).",
        "coordination",
        _count("Followed in lockstep with {n} other accounts"),
        ("follows",),
    ),
    "spike_follow_share": Feature(
        "Share of its follows that landed on a creator's follower spike day "
        "(robust z-score of daily gains; no labels used).",
        "coordination",
        _share("{pct} of its follows landed on follower-spike days"),
        ("follows",),
    ),
}


def reason(name: str, value: float | None) -> str:
    """The sentence for feature `name` at an account's `value`; unobserved values say so."""
    if value is None or math.isnan(value):  # never phrase a missing value as a zero
        return f"Not observed: {description(name)[0].lower()}{description(name)[1:-1]}"
    return FEATURES[name].phrase(value) if name in FEATURES else f"{name} = {_num(value)}"


def description(name: str) -> str:
    """The plain description of a feature (extra imported columns get a generic one)."""
    return FEATURES[name].description if name in FEATURES else f"Imported column {name!r}."


def available(account_columns: set[str], has_follows: bool) -> list[str]:
    """Features whose source columns are all present, in FEATURES order."""
    present = {A + c for c in account_columns} | ({"follows"} if has_follows else set())
    return [n for n, f in FEATURES.items() if set(f.sources) <= present]


def _complete_accounts(accounts: pl.DataFrame) -> pl.DataFrame:
    """`accounts` with every canonical column (absent ones as typed NULLs) for the profile SQL."""
    missing = [
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in ACCOUNT_COLUMNS.items()
        if name not in accounts.columns
    ]
    frame = accounts.with_columns(missing) if missing else accounts
    return frame.select(pl.col(n).cast(d, strict=False) for n, d in ACCOUNT_COLUMNS.items())


def profile_features(accounts: pl.DataFrame) -> pl.DataFrame:
    """Profile features of a canonical accounts frame (no workspace needed); absent sources -> no column."""
    if "account_id" not in accounts.columns:
        accounts = accounts.with_row_index("account_id").with_columns(
            pl.col("account_id").cast(pl.Int64)
        )
    con = duckdb.connect()
    try:
        con.register("accounts", _complete_accounts(accounts).to_arrow())
        frame = con.sql(load_sql("features/profile")).pl()
    finally:
        con.close()
    keep = available(_observed_columns(accounts), has_follows=False)
    frame = frame.select(["account_id", *[n for n in keep if n in frame.columns]])
    return _with_given_features(frame, accounts)


def _observed_columns(accounts: pl.DataFrame) -> set[str]:
    # a column that is present but entirely NULL was not observed
    return {c for c in accounts.columns if accounts[c].null_count() < accounts.height}


def _with_given_features(frame: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """Use values an imported table carries (derived features, `observed_at`, `extra_*` columns)."""
    given = [n for n in FEATURES if n in accounts.columns and n not in ACCOUNT_COLUMNS]
    extra = [c for c in accounts.columns if c.startswith(EXTRA_PREFIX)]
    values = accounts.select(
        pl.col("account_id").cast(pl.Int64),
        *[pl.col(n).cast(pl.Float64, strict=False).alias("_given_" + n) for n in given],
        *[pl.col(n).cast(pl.Float64, strict=False) for n in extra],
        *_observed_age(accounts),
    )
    frame = frame.join(values, on="account_id", how="left")
    # Computed values win; a table's own derived value fills in where the raw column is absent.
    for name in [n for n in given if n in frame.columns]:
        frame = frame.with_columns(pl.coalesce(name, "_given_" + name).alias(name))
    frame = frame.rename({"_given_" + n: n for n in given if n not in frame.columns})
    if "_observed_age" in frame.columns:
        frame = frame.with_columns(
            pl.coalesce(
                "_observed_age",
                *(["account_age_days"] if "account_age_days" in frame.columns else []),
            ).alias("account_age_days")
        )
    order = [n for n in FEATURES if n in frame.columns] + extra
    frame = frame.select("account_id", *order)
    # A feature nobody observed (an all-NULL column) is absent, not zero.
    return frame.select("account_id", *[c for c in order if frame[c].null_count() < frame.height])


def _observed_age(accounts: pl.DataFrame) -> list[pl.Expr]:
    """Account age at its own observation time, when the table says when it was observed."""
    if not {"observed_at", "created_at"} <= set(accounts.columns):
        return []
    age = (pl.col("observed_at") - pl.col("created_at")).dt.total_seconds() / 86400.0
    return [age.cast(pl.Float64).alias("_observed_age")]


def build_account_features(con: duckdb.DuckDBPyConnection) -> None:
    """Create table `account_features`: account_id + one DOUBLE per available feature."""
    accounts = con.cursor().sql("select * from accounts").pl()
    profile = profile_features(accounts)
    # an imported profile table loads with an empty `follows`: its behaviour is unobserved
    has_follows = table_exists(con, "follows") and bool(
        con.cursor()
        .execute("select count(*) from (select 1 from follows limit 1)")
        .fetchall()[0][0]
    )
    behaviour = run_query(con, "features/follows", {"spike_z": SPIKE_Z}) if has_follows else None
    frame = _assemble(profile, behaviour, set(accounts.columns))
    cur = con.cursor()
    try:
        cur.register("_account_features_frame", frame.to_arrow())
        cur.execute(
            "create or replace table account_features as select * from _account_features_frame"
        )
        cur.unregister("_account_features_frame")
    finally:
        cur.close()


def _assemble(
    profile: pl.DataFrame, behaviour: pl.DataFrame | None, account_columns: set[str]
) -> pl.DataFrame:
    """Profile + behaviour features for every account, typed DOUBLE, in FEATURES order."""
    frame = profile
    if behaviour is not None:
        frame = frame.join(behaviour, on="account_id", how="left")
    names = [n for n in available(account_columns, behaviour is not None) if n in frame.columns]
    names += [n for n in profile.columns if n not in names and n != "account_id"]
    return frame.select(
        pl.col("account_id").cast(pl.Int64), *[pl.col(n).cast(pl.Float64) for n in names]
    ).sort("account_id")


def feature_columns(frame: pl.DataFrame) -> list[str]:
    """The feature columns of an `account_features`-shaped frame (everything but account_id)."""
    return [c for c in frame.columns if c != "account_id"]
