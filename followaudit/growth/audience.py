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
LOSS_LEVELS = (0.05, 0.10, 0.25)
ENGAGEMENT_DAYS = 28  # the recent days whose mean daily engagement makes `engagement_rate`


def build_audience(engine: Engine | duckdb.DuckDBPyConnection) -> None:
    """Build step: `creator_score_hist` and `creator_quality`."""
    engine = as_engine(engine)
    engine.materialize("creator_score_hist", "audience/creator_score_hist")
    engine.materialize("creator_quality", "audience/creator_quality", quality_params())


def quality_params() -> dict:
    """The size-tier bounds, component weights, caps and engagement window the quality query takes."""
    return {**SIZE_TIERS, **QUALITY_WEIGHTS, **QUALITY_CAPS, "engagement_days": ENGAGEMENT_DAYS}


def _purge_base(con_or_hist) -> pl.DataFrame:
    """Per creator and score bin: followers, the creator's total and daily engagement."""
    if isinstance(con_or_hist, pl.DataFrame):
        return con_or_hist
    con = con_or_hist.con if isinstance(con_or_hist, Workspace) else con_or_hist
    return run_query(con, "audience/purge_base")


def purge_simulation(con_or_hist, threshold: float) -> pl.DataFrame:
    """Per creator: followers and engagement rate before/after removing scores >= threshold."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    base = _purge_base(con_or_hist)
    # Bins are floor(score*1000): a threshold of 0.5 removes bins 500..999 exactly.
    cut = int(round(threshold * 1000, 6) // 1)
    removed = pl.col("followers").filter(pl.col("bin") >= cut).sum()
    per_creator = base.group_by("creator_id").agg(
        pl.col("username").first(),
        pl.col("followers").sum().alias("followers_before"),
        removed.alias("removed"),
        pl.col("daily_engagement").first().fill_null(0.0),
    )
    after = pl.col("followers_before") - pl.col("removed")
    return (
        per_creator.with_columns(after.alias("followers_after"))
        .with_columns(
            (pl.col("daily_engagement") / pl.col("followers_before").clip(1)).alias(
                "engagement_rate_before"
            ),
            (pl.col("daily_engagement") / pl.col("followers_after").clip(1)).alias(
                "engagement_rate_after"
            ),
            (pl.col("removed") / pl.col("followers_before").clip(1)).alias("loss_share"),
        )
        .drop("daily_engagement")
        .sort("loss_share", "creator_id", descending=[True, False])
    )


def purge_counts(simulation: pl.DataFrame) -> dict[str, int]:
    """How many creators lose more than 5 %, 10 % and 25 % of their followers."""
    counts = {
        f"over_{round(level * 100)}pct": int((simulation["loss_share"] > level).sum())
        for level in LOSS_LEVELS
    }
    counts["creators"] = simulation.height
    counts["followers_removed"] = int(simulation["removed"].sum() or 0)
    return counts


def creator_quality(con, creator_id: int | None = None) -> pl.DataFrame:
    """The `creator_quality` rows (one creator, or all)."""
    con = con.con if isinstance(con, Workspace) else con
    return run_query(con, "audience/creator_quality_rows", {"creator_id": creator_id})
