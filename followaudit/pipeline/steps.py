"""The derived-table build steps, in order, written once against the engine seam."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from followaudit.detect import explain_tables, features, model, scoring
from followaudit.growth import audience
from followaudit.growth import spikes as growth_spikes
from followaudit.store.crash_points import crash_point
from followaudit.store.engine import DuckDBEngine, Engine, as_engine

# Every query the build runs (on Spark: transpiled). `make test` transpiles each one without a
# JVM and fails on a function Spark lacks; a test checks a build runs exactly these.
BUILD_QUERIES = (
    "growth/creator_daily",
    "features/any_follow",
    "features/profile",
    "features/follow_rows",
    "features/daily_gains",
    "features/follows",
    "features/account_rows",
    "features/profile_rows",
    "detect/labelled_accounts",
    "detect/label_counts",
    "detect/model_scores",
    "detect/scored_features",
    "growth/daily_series",
    "growth/last_day",
    "growth/creator_daily_expected",
    "growth/spike_numbers",
    "growth/spike_followers_all",
    "growth/spike_cohorts",
    "growth/spike_count",
    "growth/spike_context",
    "growth/spikes_with_cohorts",
    "audience/creator_quality",
    "pack/summary_ids",
    "pack/summary_accounts",
    "pack/summary_follows",
    "pack/summary_labels",
    "pack/summary_account_features",
    "pack/summary_account_scores",
)
Progress = Callable[[str, float], None]
Step = Callable[[Engine, Path], None]
ACCOUNT_SCORES = pa.schema(
    [
        ("account_id", pa.int64()),
        ("score", pa.float64()),
        ("oof_score", pa.float64()),
        ("model_flagged", pa.bool_()),
    ]
)


# Bounded samples read on the driver (a DuckDB connection): on Spark it runs on the packed file.
EXPLANATIONS = ("explanations", lambda engine, side: explain_tables.precompute(engine.con, side))
# Steps that run beside the ones after them (DuckDB), and the step they must end before. The
# explanations read the scores, features and model and write tables no later step reads; their
# TreeSHAP on 5,000 accounts and Python keep about one core busy, beside the growth step's
# per-creator Python and single-threaded scans (4-6 s of wall time at 1M accounts).
BESIDE = {EXPLANATIONS[0]: "store the model"}


def derived_steps() -> list[tuple[str, Step]]:
    """The derived-table steps, in order; each gets the engine and the model staging folder."""
    return [
        ("daily follower gains", _creator_daily),
        ("account features", _account_features),
        ("model scores", _scores),
        EXPLANATIONS,
        ("growth spikes", lambda engine, side: growth_spikes.build_growth(engine)),
        ("audience quality", lambda engine, side: audience.build_audience(engine)),
    ]


def _creator_daily(engine: Engine, side: Path) -> None:
    engine.materialize("creator_daily", "growth/creator_daily")


def _account_features(engine: Engine, side: Path) -> None:
    features.build_account_features(engine, daily_gains_from="creator_daily")  # the step before


def _scores(engine: Engine, side: Path) -> None:
    scoring.score_workspace(engine, side)
    write_account_scores(engine, side)


def write_account_scores(engine: Engine | duckdb.DuckDBPyConnection, model_dir: Path) -> None:
    """Table `account_scores`: the model's scores and `model_flagged` = score >= the model's own
    operating threshold (its card's `thresholds.f1`, never a policy file's; in batches: a fixed
    line needs no other account)."""
    engine = as_engine(engine)
    line = model.operating_threshold(model.load(model_dir).card)
    engine.materialize("_scored_features", "detect/scored_features")
    flag = partial(flag_batch, line=line)
    engine.map_batches("account_scores", "_scored_features", flag, ACCOUNT_SCORES)


def flag_batch(batch: pa.RecordBatch, line: float) -> pa.Table:
    """Scores of a batch of accounts, flagged at the model's own line."""
    rows = pl.from_arrow(batch).select("account_id", "score", "oof_score")
    out = rows.with_columns((pl.col("score") >= line).alias("model_flagged"))
    return out.to_arrow().cast(ACCOUNT_SCORES)


def run_steps(
    engine: Engine,
    steps: list[tuple[str, Step]],
    staging: Path,
    progress: Progress | None,
    timings: list[tuple[str, float]],
) -> None:
    """Run `steps` in order, reporting progress and appending (label, seconds) to `timings`;
    a kill test may stop the build after any step (`build.step.<slug>`). On DuckDB a `BESIDE`
    step runs on a cursor of its own beside the steps after it, until the one it must precede."""
    beside: dict[str, tuple[Future, str]] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:  # leaving waits for a step still running
        for index, (label, step) in enumerate(steps):
            _finish(beside, label)
            if progress:
                progress(label, index / len(steps))
            if label in BESIDE and isinstance(engine, DuckDBEngine):
                timings.append((label, 0.0))  # its slot, filled in when it ends
                job = partial(_timed, engine.con, step, staging, label, timings, len(timings) - 1)
                beside[label] = (pool.submit(job), BESIDE[label])
                continue
            started = time.perf_counter()
            step(engine, staging)
            timings.append((label, time.perf_counter() - started))
            crash_point("build.step." + slug(label))
        _finish(beside, None)


def _timed(con, step: Step, staging: Path, label: str, timings: list, slot: int) -> None:
    """One step on a cursor of its own (a connection to the same file), timed into its slot."""
    started = time.perf_counter()
    cursor = con.cursor()
    try:
        step(DuckDBEngine(cursor), staging)
    finally:
        cursor.close()
    timings[slot] = (label, time.perf_counter() - started)
    crash_point("build.step." + slug(label))


def _finish(beside: dict[str, tuple[Future, str]], next_label: str | None) -> None:
    """Wait for the steps running beside that must end before `next_label` (None: all of them),
    raising what one raised."""
    for label, (future, until) in list(beside.items()):
        if next_label is None or until == next_label:
            del beside[label]
            future.result()


def slug(label: str) -> str:
    """A step label as a crash-point name part: `model scores` -> `model_scores`."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
