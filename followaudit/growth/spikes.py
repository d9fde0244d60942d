"""Follower-growth spikes: detection over a daily series, the growth build step, and its reads."""

from __future__ import annotations

import duckdb
import polars as pl

from followaudit.growth import baseline, spike_runs, verdicts
from followaudit.store.analyst import AnalystStore
from followaudit.store.workspace import (
    Workspace,
    materialize,
    run_query,
    table_exists,
    write_frame,
)

SPIKE_COLUMNS = [
    "spike_id",
    "creator_id",
    "start",
    "end",
    "followers_gained",
    "expected_followers",
    "excess",
    "score",
    "verdict",
    "flagged_share",
    "young_share",
    "cohort_share",
    "nopic_share",
    "kind",
    "days",
    "flagged_excess",
    "quality_z",
    "views_ratio",
    "reason",
    "talk_ratio",
    *verdicts.PLATFORM_COLUMNS,
]
EXPECTED_COLUMNS = [
    "creator_id",
    "date",
    "new_follows",
    "unfollows",
    "net_gain",
    "followers_total",
    "views",
    "likes",
    "engagement_rate",
    "expected",
    "expected_low",
    "expected_high",
    "flagged_follows",
    "young_follows",
    "nopic_follows",
    "mean_score",
    "flagged_share",
    "quality_expected",
    "count_anomaly",
    "quality_anomaly",
]


def detect_spikes(
    daily: pl.DataFrame,
    cfg: baseline.BaselineConfig | None = None,
    verdict: verdicts.VerdictConfig | None = None,
) -> pl.DataFrame:
    """Spikes of a daily series (creator_id, date, new_follows [+ views, likes, quality])."""
    return spikes_from_expected(baseline.expected_gain(daily, cfg), cfg, verdict)


def spikes_from_expected(
    frame: pl.DataFrame,
    cfg: baseline.BaselineConfig | None = None,
    verdict: verdicts.VerdictConfig | None = None,
) -> pl.DataFrame:
    """Runs of anomalous days of an `expected_gain` frame (made with the same `cfg`), judged
    (platform columns stay NULL until `build_growth` adds them)."""
    runs = spike_runs.summarise_runs(frame, spike_runs.find_runs(frame))
    spikes = verdicts.assign_verdict(spike_runs.significant(runs, cfg), verdict)
    spikes = spikes.sort("creator_id", "start").with_row_index("spike_id", offset=1)
    spikes = spikes.with_columns(pl.col("spike_id").cast(pl.Int64))
    return spikes.select(SPIKE_COLUMNS)


def _expected_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The `creator_daily_expected` columns of an `expected_gain` frame."""
    share = pl.col("flagged_follows") / pl.col("new_follows").clip(1)
    frame = frame.with_columns(share.alias("flagged_share"))
    for column in ("unfollows", "net_gain", "followers_total", "engagement_rate", "mean_score"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Float64).alias(column))
    # Densified days carry no running total: it is the previous day's.
    frame = frame.with_columns(pl.col("followers_total").forward_fill().over("creator_id"))
    return frame.select(EXPECTED_COLUMNS)


def build_growth(
    con: duckdb.DuckDBPyConnection,
    cfg: baseline.BaselineConfig | None = None,
    verdict: verdicts.VerdictConfig | None = None,
) -> None:
    """Build step: `creator_daily_expected`, `spikes` and `spike_followers`."""
    daily = run_query(con, "growth/daily_series")
    frame = baseline.expected_gain(daily, cfg)
    write_frame(con, "creator_daily_expected", _expected_table(frame))
    spikes = spikes_from_expected(frame, cfg, verdict)
    write_frame(con, "spikes", spikes)
    # One pass over `follows` for the spikes' followers; their cohorts come from that table.
    materialize(con, "spike_followers", "growth/spike_followers_all")
    if spikes.is_empty():
        return
    cohorts = run_query(con, "growth/spike_cohorts").select(
        "spike_id", "cohort_share", "flagged_cohort", "flagged_cohort_share"
    )
    # The verdict again, now that each spike's creation cohorts and platform context are known.
    context = run_query(con, "growth/spike_context")
    spikes = spikes.drop("cohort_share", *verdicts.PLATFORM_COLUMNS)
    spikes = spikes.join(cohorts, on="spike_id", how="left").join(
        context, on="spike_id", how="left"
    )
    write_frame(con, "spikes", verdicts.assign_verdict(spikes, verdict).select(SPIKE_COLUMNS))


def _connection(ws_or_con) -> duckdb.DuckDBPyConnection:
    return ws_or_con.con if isinstance(ws_or_con, Workspace) else ws_or_con


def _load_annotations(ws_or_con) -> pl.DataFrame | None:
    """The analyst's spike annotations from the workspace sidecar, if there is a store."""
    if not isinstance(ws_or_con, Workspace):
        return None
    return AnalystStore(ws_or_con.sidecar).annotations()


def apply_annotations(spikes: pl.DataFrame, annotations: pl.DataFrame | None) -> pl.DataFrame:
    """Mark spikes that overlap an analyst's benign annotation as `annotated`."""
    spikes = spikes.with_columns(pl.lit(None, pl.String).alias("annotation"))
    if annotations is None or annotations.is_empty() or spikes.is_empty():
        return spikes
    notes = annotations.select(
        pl.col("creator_id").cast(pl.Int64),
        pl.col("start").cast(pl.Date).alias("a_start"),
        pl.col("end").cast(pl.Date).alias("a_end"),
        pl.concat_str(
            pl.col("kind").fill_null(""), pl.lit(": "), pl.col("note").fill_null("")
        ).alias("a_note"),
    )
    hits = (
        spikes.select("spike_id", pl.col("creator_id").cast(pl.Int64), "start", "end")
        .join(notes, on="creator_id")
        .filter((pl.col("a_start") <= pl.col("end")) & (pl.col("a_end") >= pl.col("start")))
        .group_by("spike_id")
        .agg(pl.col("a_note").first())
    )
    marked = spikes.join(hits, on="spike_id", how="left")
    return marked.with_columns(
        pl.when(pl.col("a_note").is_not_null())
        .then(pl.lit("annotated"))
        .otherwise(pl.col("verdict"))
        .alias("verdict"),
        pl.col("a_note").alias("annotation"),
    ).drop("a_note")


def list_spikes(ws_or_con, annotations=None, creator_id: int | None = None) -> pl.DataFrame:
    """Spikes, strongest first; annotated ones leave `suspicious` and read `annotated`."""
    con = _connection(ws_or_con)
    if not table_exists(con, "spikes"):
        return pl.DataFrame(schema={c: pl.Null for c in SPIKE_COLUMNS})
    spikes = run_query(con, "growth/spikes", {"creator_id": creator_id})
    if annotations is None:
        annotations = _load_annotations(ws_or_con)
    return apply_annotations(spikes, annotations)


def creator_series(con, creator_id: int) -> pl.DataFrame:
    """One creator's daily chart data: gain, expected band, engagement, quality, spikes."""
    return run_query(_connection(con), "growth/creator_series", {"creator_id": int(creator_id)})


def spike_followers(con, spike_id: int, limit: int = 5000) -> pl.DataFrame:
    """A spike's new followers, most suspicious first (at most `limit`)."""
    params = {"spike_id": int(spike_id), "limit": int(limit)}
    return run_query(_connection(con), "growth/spike_followers", params)


def creator_search(con, text: str = "", limit: int = 50) -> pl.DataFrame:
    """Creators whose username contains `text`, most suspicious first, with quality score."""
    params = {"text": text or "", "limit": int(limit)}
    return run_query(_connection(con), "growth/creator_search", params)
