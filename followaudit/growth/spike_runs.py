"""Spikes from anomalous days: consecutive runs and their summary (verdicts: growth/verdicts.py)."""

from __future__ import annotations

import polars as pl

from followaudit.growth.baseline import BaselineConfig

MIN_TALK = 20.0  # comments + shares a spike's days usually bring before their ratio means anything


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
        pl.col("talk").sum().alias("_talk"),
        pl.col("talk_baseline").fill_null(0).sum().alias("_talk_baseline"),
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
            # comments + shares: NULL where the data has none (not observed is not "flat") or
            # too few to tell a rise from noise
            pl.when(pl.col("_talk_baseline") >= MIN_TALK)
            .then((pl.col("_talk") + 1) / (pl.col("_talk_baseline") + 1))
            .alias("talk_ratio"),
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
