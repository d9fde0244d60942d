"""Follower-growth spikes: detection over a daily series, the growth build step, and its reads."""

from __future__ import annotations

from functools import partial

import duckdb
import polars as pl
import pyarrow as pa

from followaudit.growth import baseline, per_creator, spike_runs, verdicts
from followaudit.growth.per_creator import RUNS
from followaudit.store.analyst import AnalystStore
from followaudit.store.engine import Engine, as_engine
from followaudit.store.workspace import Workspace, run_query, table_exists

# What a spike says in one line (the CLI's JSON fields); SPIKE_COLUMNS adds the evidence behind it.
SPIKE_SUMMARY = [
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
]
SPIKE_COLUMNS = [
    "spike_id",
    *SPIKE_SUMMARY,
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
_SPIKE_TYPES = {"spike_id": pa.int64(), "verdict": pa.string(), "kind": pa.string()}
_SPIKE_TYPES |= {"reason": pa.string(), "cohort_share": pa.float64()}
_SPIKE_TYPES |= {c: pa.float64() for c in verdicts.PLATFORM_COLUMNS}
SPIKES = pa.schema(
    [(c, _SPIKE_TYPES[c] if c in _SPIKE_TYPES else RUNS.field(c).type) for c in SPIKE_COLUMNS]
)


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


def build_growth(
    engine: Engine | duckdb.DuckDBPyConnection,
    cfg: baseline.BaselineConfig | None = None,
    verdict: verdicts.VerdictConfig | None = None,
) -> None:
    """Build step: `creator_daily_expected`, `spikes` and `spike_followers`.

    Expected gain and spike runs are per-creator Python (`growth.per_creator`); numbering,
    the spikes' followers, their cohorts and platform context are SQL over all creators."""
    engine = as_engine(engine)
    engine.materialize("_daily_series", "growth/daily_series")
    last_day = engine.run("growth/last_day")["last_day"][0]
    days = partial(per_creator.expected_days, last_day=last_day, cfg=cfg)
    engine.map_groups("_growth_days", "_daily_series", "creator_id", days, per_creator.DAYS)
    engine.materialize("creator_daily_expected", "growth/creator_daily_expected")
    runs = partial(per_creator.spike_candidates, cfg=cfg)
    engine.map_groups("_spike_runs", "_growth_days", "creator_id", runs, per_creator.RUNS)
    engine.materialize("spikes", "growth/spike_numbers")
    # One pass over `follows` for the spikes' followers; their cohorts come from that table.
    engine.materialize("spike_followers", "growth/spike_followers_all")
    engine.materialize("_spike_cohorts", "growth/spike_cohorts")
    _spike_context(engine)
    engine.materialize("_spikes_with_cohorts", "growth/spikes_with_cohorts")
    # The verdict once each spike's creation cohorts and platform context are known.
    judge = partial(judge_batch, verdict=verdict)
    engine.map_batches("spikes", "_spikes_with_cohorts", judge, SPIKES)


def _spike_context(engine: Engine) -> None:
    """Table `_spike_context`: each spike's platform context (none without spikes: the context
    query needs the accounts' regions, which a bare test workspace may lack)."""
    if engine.run("growth/spike_count")["spikes"][0]:
        engine.materialize("_spike_context", "growth/spike_context")
        return
    schema = {"spike_id": pl.Int64} | {c: pl.Float64 for c in verdicts.PLATFORM_COLUMNS}
    engine.write("_spike_context", pl.DataFrame(schema=schema))


def judge_batch(batch: pa.RecordBatch, verdict: verdicts.VerdictConfig | None = None):
    """Spikes with their cohorts and platform context -> verdict, kind and reason (row by row)."""
    spikes = verdicts.assign_verdict(pl.from_arrow(batch), verdict)
    return spikes.select(SPIKE_COLUMNS).to_arrow().cast(SPIKES)


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
