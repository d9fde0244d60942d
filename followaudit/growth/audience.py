"""Audience quality per creator and the purge simulation ("what if flagged followers go")."""

from __future__ import annotations

import duckdb
import polars as pl

from followaudit.store.engine import Engine, as_engine
from followaudit.store.workspace import Workspace, run_query

# Follower counts where the size tiers start (micro, mid, macro, mega).
SIZE_TIERS = {
    "tier_micro": 1_000,
    "tier_mid": 10_000,
    "tier_macro": 100_000,
    "tier_mega": 1_000_000,
}
# How much each component weighs in the 0-100 quality score.
QUALITY_WEIGHTS = {"w_flagged": 0.4, "w_growth": 0.25, "w_engagement": 0.2, "w_consistency": 0.15}
# Shares at which the flagged-followers and suspicious-growth components reach zero: a quarter
# of an audience flagged is already as bad as an audience can credibly be.
QUALITY_CAPS = {"flagged_cap": 0.25, "growth_cap": 0.25}
ENGAGEMENT_DAYS = 28  # the recent days whose mean daily engagement makes `engagement_rate`


def build_audience(engine: Engine | duckdb.DuckDBPyConnection) -> None:
    """Build step: `creator_quality` (purge and creator impact are counted by the decision
    layer from the follow log)."""
    engine = as_engine(engine)
    engine.materialize("creator_quality", "audience/creator_quality", quality_params())


def quality_params() -> dict:
    """The size-tier bounds, component weights, caps and engagement window the quality query takes."""
    return {**SIZE_TIERS, **QUALITY_WEIGHTS, **QUALITY_CAPS, "engagement_days": ENGAGEMENT_DAYS}


def purge_simulation(engagement: pl.DataFrame, losses: pl.DataFrame) -> pl.DataFrame:
    """Per creator: followers and engagement rate before/after a purge.

    `engagement`: creator_id, username, daily_engagement (`audience/purge_base`); `losses`:
    creator_id, followers, followers_lost — what a decision removes (`decide.decisions`), so
    the purge always matches the policy's own counts."""
    after = pl.col("followers") - pl.col("followers_lost")
    return (
        losses.select("creator_id", "followers", "followers_lost")
        .join(engagement, on="creator_id", how="left")
        .with_columns(pl.col("daily_engagement").fill_null(0.0))
        .select(
            "creator_id",
            "username",
            pl.col("followers").alias("followers_before"),
            pl.col("followers_lost").alias("removed"),
            after.alias("followers_after"),
            (pl.col("daily_engagement") / pl.col("followers").clip(1)).alias(
                "engagement_rate_before"
            ),
            (pl.col("daily_engagement") / after.clip(1)).alias("engagement_rate_after"),
            (pl.col("followers_lost") / pl.col("followers").clip(1)).alias("loss_share"),
        )
        .sort("loss_share", "creator_id", descending=[True, False])
    )


def purge_base(con) -> pl.DataFrame:
    """Per creator: username and recent daily engagement, for `purge_simulation`."""
    con = con.con if isinstance(con, Workspace) else con
    return run_query(con, "audience/purge_base")


def creator_quality(con, creator_id: int | None = None) -> pl.DataFrame:
    """The `creator_quality` rows (one creator, or all)."""
    con = con.con if isinstance(con, Workspace) else con
    return run_query(con, "audience/creator_quality_rows", {"creator_id": creator_id})
