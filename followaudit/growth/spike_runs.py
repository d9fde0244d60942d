"""Spikes from anomalous days: consecutive runs, their summary, and the suspicious/explained verdict."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from followaudit.growth.baseline import BaselineConfig


def find_runs(frame: pl.DataFrame, max_gap: int = 2) -> pl.DataFrame:
    """Group anomalous days into runs (gaps of up to `max_gap` quiet days are bridged)."""
    anomalous = frame.filter(pl.col("count_anomaly") | pl.col("quality_anomaly"))
    anomalous = anomalous.select("creator_id", "date").sort("creator_id", "date")
    gap = (pl.col("date") - pl.col("date").shift(1)).dt.total_days()
    new_run = (pl.col("creator_id") != pl.col("creator_id").shift(1)) | (gap > max_gap + 1)
    runs = (
        anomalous.with_columns(new_run.fill_null(True).cum_sum().alias("run"))
        .group_by("run")
        .agg(
            pl.col("creator_id").first(),
            pl.col("date").min().alias("start"),
            pl.col("date").max().alias("end"),
        )
        .drop("run")
    )
    return _trim_quality_runs(frame, runs)


def _trim_quality_runs(frame: pl.DataFrame, runs: pl.DataFrame) -> pl.DataFrame:
    """Cut a run to its days of greatest total flagged excess, keeping count-anomalous days.

    The window scan marks every day of a hot 1-4 week window, so a drip's run can start and
    end days early or late. The interval maximising the sum of (flagged - usual) inside the
    run (maximum subarray: after the lowest prefix sum, up to the highest one) is where the
    extra flagged followers arrived; days whose follower count was anomalous stay in.
    """
    if runs.is_empty():
        return runs
    runs = runs.with_row_index("_run")
    columns = ["creator_id", "date", "_q", "quality_expected", "count_anomaly"]
    days = (
        runs.join(frame.select(columns), on="creator_id")
        .filter(pl.col("date").is_between(pl.col("start"), pl.col("end")))
        .sort("_run", "date")
    )
    excess = pl.col("_q") - pl.col("quality_expected")
    days = days.with_columns(excess.cum_sum().over("_run").alias("_cum"), excess.alias("_x"))
    days = days.with_columns(
        (pl.col("_cum") - pl.col("_x")).alias("_before"),
        pl.int_range(pl.len()).over("_run").alias("_i"),
    )
    days = days.with_columns(pl.col("_before").arg_min().over("_run").alias("_s"))
    best = (
        days.filter(pl.col("_i") >= pl.col("_s"))
        .group_by("_run")
        .agg(
            pl.col("date").first().alias("_start"),
            pl.col("date").get(pl.col("_cum").arg_max()).alias("_end"),
        )
    )
    counted = (
        days.filter(pl.col("count_anomaly"))
        .group_by("_run")
        .agg(pl.col("date").min().alias("_cstart"), pl.col("date").max().alias("_cend"))
    )
    trimmed = (
        runs.join(best, on="_run", how="left")
        .join(counted, on="_run", how="left")
        .with_columns(
            pl.min_horizontal("_start", "_cstart").fill_null(pl.col("start")).alias("start"),
            pl.max_horizontal("_end", "_cend").fill_null(pl.col("end")).alias("end"),
        )
    )
    return trimmed.select("creator_id", "start", "end")


def summarise_runs(frame: pl.DataFrame, runs: pl.DataFrame) -> pl.DataFrame:
    """Totals, excess and robust z-scores of each run's days."""
    days = runs.join(frame, on="creator_id").filter(
        pl.col("date").is_between(pl.col("start"), pl.col("end"))
    )
    out = days.group_by("creator_id", "start", "end").agg(
        pl.col("new_follows").sum().cast(pl.Int64).alias("followers_gained"),
        pl.col("expected").sum().alias("expected_followers"),
        pl.col("flagged_follows").sum().alias("_flagged"),
        pl.col("young_follows").sum().alias("_young"),
        pl.col("nopic_follows").sum().alias("_nopic"),
        pl.col("quality_expected").sum().alias("_flagged_expected"),
        (pl.col("_scale") ** 2).sum().sqrt().alias("_count_sigma"),
        pl.col("views").sum().alias("_views"),
        pl.col("views_baseline").fill_null(0).sum().alias("_views_baseline"),
        pl.len().alias("days"),
    )
    gained = pl.col("followers_gained").clip(1)
    return (
        out.with_columns(
            (pl.col("followers_gained") - pl.col("expected_followers")).alias("excess"),
            (pl.col("_flagged") - pl.col("_flagged_expected")).alias("flagged_excess"),
            (pl.col("_flagged") / gained).alias("flagged_share"),
            (pl.col("_young") / gained).alias("young_share"),
            (pl.col("_nopic") / gained).alias("nopic_share"),
            ((pl.col("_views") + 1) / (pl.col("_views_baseline") + 1)).alias("views_ratio"),
        )
        .with_columns(
            # Poisson z of the extra flagged followers over the whole run.
            (pl.col("flagged_excess") / (pl.col("_flagged_expected") + 1).sqrt()).alias(
                "quality_z"
            ),
        )
        .with_columns((pl.col("excess") / pl.col("_count_sigma")).alias("count_z"))
        .with_columns(pl.max_horizontal("count_z", "quality_z").alias("score"))
    )


def significant(spikes: pl.DataFrame, cfg: BaselineConfig | None = None) -> pl.DataFrame:
    """Keep runs that stand out as a whole, in follower count or in flagged followers."""
    cfg = cfg or BaselineConfig()
    by_count = (pl.col("excess") >= cfg.min_excess) & (pl.col("count_z") >= cfg.min_run_z)
    by_quality = (pl.col("flagged_excess") >= cfg.min_excess / 2) & (
        pl.col("quality_z") >= cfg.min_run_z
    )
    return spikes.filter(by_count | by_quality)


@dataclass(frozen=True)
class VerdictConfig:
    """When a spike's new followers make it `suspicious` rather than `explained`."""

    fake_excess_share: float = 0.3  # flagged followers above usual, as a share of the excess
    quality_z: float = 6.0  # ... and that many Poisson sigmas above the usual flagged follows
    min_flagged_excess: float = 10.0  # ... and at least this many extra flagged followers
    flagged_share: float = 0.5  # or simply this share of all new followers flagged ...
    flagged_share_min_excess: float = 5.0  # ... with at least this many extra flagged followers
    engagement_rise: float = 2.0  # views this many times their usual level explain a spike
    young_share: float = 0.5  # unexplained spikes of this many brand-new accounts ...
    cohort_share: float = 0.3  # ... mostly from one creation cohort
    drip_days: int = 5  # runs at least this long are drips, shorter ones bursts


def assign_verdict(spikes: pl.DataFrame, cfg: VerdictConfig | None = None) -> pl.DataFrame:
    """Add `verdict` (suspicious|explained), `kind` (burst|drip) and a plain `reason`."""
    cfg = cfg or VerdictConfig()
    for column in ("cohort_share", "flagged_cohort", "flagged_cohort_share"):
        if column not in spikes.columns:
            spikes = spikes.with_columns(pl.lit(None, pl.Float64).alias(column))
    many_fakes = (
        (pl.col("flagged_excess") >= cfg.fake_excess_share * pl.col("excess").clip(1))
        & (pl.col("quality_z") >= cfg.quality_z)
        & (pl.col("flagged_excess") >= cfg.min_flagged_excess)
    )
    mostly_fakes = (pl.col("flagged_share") >= cfg.flagged_share) & (
        pl.col("flagged_excess") >= cfg.flagged_share_min_excess
    )
    # Extra flagged followers, many of them created on one day: a bought batch fed in slowly.
    # (Stray flagged accounts come from many batches; a drip on a big creator adds a few a day,
    # too few for `quality_z` but one creation day gives it away.)
    one_batch = (
        (pl.col("flagged_excess") >= cfg.min_flagged_excess)
        & (pl.col("flagged_cohort").fill_null(0) >= cfg.min_flagged_excess)
        & (pl.col("flagged_cohort_share").fill_null(0) >= cfg.cohort_share)
    )
    low_quality = many_fakes | mostly_fakes | one_batch
    rose = pl.col("views_ratio") >= cfg.engagement_rise
    odd = (pl.col("young_share") >= cfg.young_share) & (
        pl.col("cohort_share").fill_null(1.0) >= cfg.cohort_share
    )
    suspicious = low_quality | (~rose & odd)
    return spikes.with_columns(
        pl.when(suspicious)
        .then(pl.lit("suspicious"))
        .otherwise(pl.lit("explained"))
        .alias("verdict"),
        pl.when(pl.col("days") >= cfg.drip_days)
        .then(pl.lit("drip"))
        .otherwise(pl.lit("burst"))
        .alias("kind"),
        _reason(low_quality, rose, odd).alias("reason"),
    )


def _reason(low_quality: pl.Expr, rose: pl.Expr, odd: pl.Expr) -> pl.Expr:
    """One sentence an analyst can read beside the verdict."""
    flagged = (pl.col("flagged_share") * 100).round(0).cast(pl.Int64).cast(pl.String)
    views = pl.col("views_ratio").round(1).cast(pl.String)
    young = (pl.col("young_share") * 100).round(0).cast(pl.Int64).cast(pl.String)
    extra = pl.col("flagged_excess").round(0).cast(pl.Int64).cast(pl.String)
    return (
        pl.when(low_quality)
        .then(
            pl.concat_str(
                pl.lit("low-quality followers: "),
                extra,
                pl.lit(" more flagged accounts than usual ("),
                flagged,
                pl.lit("% of new followers flagged)"),
            )
        )
        .when(~rose & odd)
        .then(pl.concat_str(pl.lit("no engagement rise; "), young, pl.lit("% accounts < 7 days")))
        .when(rose)
        .then(pl.concat_str(pl.lit("views rose "), views, pl.lit("x with it")))
        .otherwise(pl.concat_str(pl.lit("followers look genuine ("), flagged, pl.lit("% flagged)")))
    )
