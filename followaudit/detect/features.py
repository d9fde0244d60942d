"""Per-account features (profile, follow behaviour, coordination) computed for a workspace."""

from __future__ import annotations

import duckdb
import polars as pl

from followaudit.data.spec import EXTRA_PREFIX
from followaudit.detect.catalogue import FEATURES, A
from followaudit.store.workspace import load_sql, run_query, table_exists, write_frame

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
    write_frame(con, "account_features", _assemble(profile, behaviour, set(accounts.columns)))


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
