"""Per-account features (profile, follow behaviour, coordination) computed for a workspace."""

from __future__ import annotations

from functools import partial

import duckdb
import polars as pl
import pyarrow as pa

from followaudit.data.spec import EXTRA_PREFIX
from followaudit.detect.catalogue import FEATURES, A
from followaudit.store.engine import DuckDBEngine, Engine, as_engine, optimizers_off, side_by_side

SPIKE_Z = 6.0  # robust z-score above which a creator's daily gain counts as a spike
# Where each creator's follows per day (`_daily_gains`) come from: counted over `follows`, or
# read from a `creator_daily` built over the same follows (the build's step before features).
DAILY_GAINS_FROM = {
    "follows": "features/daily_gains_of_follows",
    "creator_daily": "features/daily_gains",
}

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
    """`accounts` with every canonical column (absent ones as typed NULLs) for the profile SQL;
    other columns (derived values, `extra_*`, `observed_at`) are kept."""
    canonical = [
        pl.col(n).cast(d, strict=False) if n in accounts.columns else pl.lit(None, d).alias(n)
        for n, d in ACCOUNT_COLUMNS.items()
    ]
    return accounts.select(*canonical, pl.exclude(*ACCOUNT_COLUMNS))


def profile_features(accounts: pl.DataFrame) -> pl.DataFrame:
    """Profile features of a canonical accounts frame (no workspace needed); absent sources -> no column."""
    if "account_id" not in accounts.columns:
        accounts = accounts.with_row_index("account_id").with_columns(
            pl.col("account_id").cast(pl.Int64)
        )
    con = duckdb.connect()
    try:
        engine = DuckDBEngine(con)
        engine.write("accounts", accounts)
        build_account_features(engine)
        return engine.read("account_features")
    finally:
        con.close()


def build_account_features(
    engine: Engine | duckdb.DuckDBPyConnection, daily_gains_from: str = "follows"
) -> None:
    """Create table `account_features`: account_id + one DOUBLE per available feature
    (`daily_gains_from`: "follows", or "creator_daily" when that table counts the same follows).

    Steps: profile SQL, follow-behaviour SQL, the account's own given values (imports), one
    join, then a pure per-batch assembly. Which features exist is decided once, globally: a
    source column nobody filled, or a feature that came out NULL for everyone, is absent."""
    engine = as_engine(engine)
    columns = engine.columns("accounts")
    if set(ACCOUNT_COLUMNS) - set(columns):
        engine.write("accounts", _complete_accounts(engine.read("accounts")))
    counts = engine.non_null_counts("accounts", columns)
    observed = {c for c, n in counts.items() if n}
    # an imported profile table loads with an empty `follows`: its behaviour is unobserved
    has_follows = engine.has_table("follows") and not engine.run("features/any_follow").is_empty()
    gains = DAILY_GAINS_FROM[daily_gains_from]
    plan = FeaturePlan(set(columns), observed, has_follows)
    # the profile side reads only `accounts`; beside the follower window's sort (44M rows at 1M
    # accounts) it uses the core that sort leaves idle while it merges
    jobs = [partial(_profile_tables, plan=plan)]
    jobs += [lambda beside: beside.materialize("_follow_rows", "features/follow_rows")]
    side_by_side(engine, *jobs[: 1 + has_follows])
    if has_follows:
        engine.materialize("_daily_gains", gains)
        # DuckDB would pre-group the follows joined to each per-account max (cohort, move, pair)
        # by account and join keys: 44M rows into as many groups at 1M accounts, no reduction
        with optimizers_off(engine, "partial_aggregate_pushdown"):
            engine.materialize("_follow_features", "features/follows", {"spike_z": SPIKE_Z})
        engine.drop("_follow_rows")  # 44M rows at 1M accounts: later tables reuse the space
    rows = "features/account_rows" if has_follows else "features/profile_rows"
    engine.materialize("_account_rows", rows)
    wide = _schema(plan.candidates)
    # one pass over the 1M rows when every candidate was observed (a build's usual case); a
    # profile column nobody filled costs a second pass that leaves it out
    engine.map_batches("account_features", "_account_rows", partial(assemble, plan=plan), wide)
    filled = engine.non_null_counts("account_features", plan.profile_candidates)
    names = [n for n in plan.candidates if n not in filled or filled[n]]
    if names != plan.candidates:
        everything, kept = _select(plan.candidates), _select(names)
        engine.map_batches("_account_candidates", "account_features", everything, wide)
        engine.map_batches("account_features", "_account_candidates", kept, _schema(names))


def _profile_tables(engine: Engine, plan: FeaturePlan) -> None:
    """Tables `_profile_features` (profile SQL) and `_given_features` (an import's own values)."""
    engine.materialize("_profile_features", "features/profile")
    given = partial(given_values, plan=plan)
    engine.map_batches("_given_features", "accounts", given, _given_schema(plan))


class FeaturePlan:
    """Which features a build computes, decided once from the whole accounts table."""

    def __init__(self, columns: set[str], observed: set[str], has_follows: bool):
        self.computed_profile = set(available(observed, has_follows=False))
        self.given = [n for n in FEATURES if n in columns and n not in ACCOUNT_COLUMNS]
        self.extra = sorted(c for c in columns if c.startswith(EXTRA_PREFIX))
        self.observed_age = {"observed_at", "created_at"} <= columns
        behaviour = [n for n in available(columns, has_follows) if FEATURES[n].group != "profile"]
        profile = [n for n in FEATURES if n in self.computed_profile or n in self.given]
        self.profile_candidates = profile + self.extra
        self.candidates = [n for n in FEATURES if n in profile or n in behaviour] + self.extra


def _given_schema(plan: FeaturePlan) -> pa.Schema:
    names = ["_given_" + n for n in plan.given] + ["_extra_" + n for n in plan.extra]
    names += ["_observed_age"] if plan.observed_age else []
    return pa.schema([("account_id", pa.int64())] + [(n, pa.float64()) for n in names])


def given_values(batch: pa.RecordBatch, plan: FeaturePlan) -> pa.Table:
    """Per account: values an imported table carries itself (derived features, `extra_*`
    columns) and its age at its own observation time, as DOUBLE."""
    accounts = pl.from_arrow(batch)
    return accounts.select(
        pl.col("account_id").cast(pl.Int64),
        *[pl.col(n).cast(pl.Float64, strict=False).alias("_given_" + n) for n in plan.given],
        *[pl.col(n).cast(pl.Float64, strict=False).alias("_extra_" + n) for n in plan.extra],
        *_observed_age(plan),
    ).to_arrow()


def _observed_age(plan: FeaturePlan) -> list[pl.Expr]:
    """Account age at its own observation time, when the table says when it was observed."""
    if not plan.observed_age:
        return []
    age = (pl.col("observed_at") - pl.col("created_at")).dt.total_seconds() / 86400.0
    return [age.cast(pl.Float64).alias("_observed_age")]


def assemble(batch: pa.RecordBatch, plan: FeaturePlan) -> pa.Table:
    """Every candidate feature of a batch of joined rows, typed DOUBLE: computed values win, a
    table's own derived value fills in where the raw column was not observed."""
    rows = pl.from_arrow(batch)
    values = []
    for name in plan.candidates:
        parts = [pl.col(name)] if name in rows.columns and _computed(name, plan) else []
        parts += [pl.col("_given_" + name)] if name in plan.given else []
        parts += [pl.col("_extra_" + name)] if name in plan.extra else []
        if name == "account_age_days" and plan.observed_age:
            parts = [pl.col("_observed_age"), *parts]
        value = pl.coalesce(parts) if parts else pl.lit(None)
        values.append(value.cast(pl.Float64).alias(name))
    return rows.select(pl.col("account_id").cast(pl.Int64), *values).to_arrow()


def _computed(name: str, plan: FeaturePlan) -> bool:
    feature = FEATURES.get(name)
    return feature is not None and (feature.group != "profile" or name in plan.computed_profile)


def _select(names: list[str]):
    return partial(_select_columns, names=["account_id", *names])


def _select_columns(batch: pa.RecordBatch, names: list[str]) -> pa.RecordBatch:
    return batch.select(names)


def _schema(names: list[str]) -> pa.Schema:
    return pa.schema([("account_id", pa.int64())] + [(n, pa.float64()) for n in names])


def feature_columns(frame: pl.DataFrame) -> list[str]:
    """The feature columns of an `account_features`-shaped frame (everything but account_id)."""
    return [c for c in frame.columns if c != "account_id"]
