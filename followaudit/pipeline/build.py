"""The build: validate and load a data folder, derive every table in order, then swap it in.

This is the only module that knows all build steps. Each step gets a read-write DuckDB
connection to this build's staged workspace file and its model folder; the model is then stored
inside the staged file, which replaces the workspace only when every step succeeded (the lock,
the staging and the swap are `pipeline.staging`'s).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from followaudit.data.load import load_folder
from followaudit.decide import policy
from followaudit.detect import explain_tables, features, model
from followaudit.growth import audience
from followaudit.growth import spikes as growth_spikes
from followaudit.pipeline.staging import Staging, check_target, exclusive_build, swap_in
from followaudit.store.crash_points import crash_point
from followaudit.store.workspace import WorkspaceError, materialize, write_frame

SCHEMA_VERSION = "2"  # 2: the model is stored inside the workspace (table model_files)
BUILD_MEMORY_LIMIT = "3GB"

Progress = Callable[[str, float], None]
Step = Callable[[duckdb.DuckDBPyConnection, Path], None]


@dataclass
class BuildReport:
    """What a build did and how long each step took."""

    path: Path
    steps: list[tuple[str, float]] = field(default_factory=list)
    model_source: str = ""
    build_id: str = ""


def data_fingerprint(data_dir: str | Path) -> str:
    """A hash over the data folder's file names, sizes and contents' first megabyte."""
    digest = hashlib.sha256()
    for file in sorted(Path(data_dir).iterdir()):
        if file.is_file() and file.suffix.lower() in {".csv", ".parquet"}:
            digest.update(file.name.encode())
            digest.update(str(file.stat().st_size).encode())
            with file.open("rb") as handle:
                digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:16]


def _build_steps() -> list[tuple[str, Step]]:
    """The derived-table steps; each gets the connection and the model staging folder."""
    return [
        (
            "daily follower gains",
            lambda con, side: materialize(con, "creator_daily", "growth/creator_daily"),
        ),
        ("account features", lambda con, side: features.build_account_features(con)),
        (
            "model scores",
            lambda con, side: write_account_scores(con, *model.score_workspace(con, side)),
        ),
        ("explanations", lambda con, side: explain_tables.precompute(con, side)),
        ("growth spikes", lambda con, side: growth_spikes.build_growth(con)),
        ("audience quality", lambda con, side: audience.build_audience(con)),
    ]


def write_account_scores(
    con: duckdb.DuckDBPyConnection, scores: pl.DataFrame, features_frame: pl.DataFrame
) -> None:
    """Table `account_scores`: the model's scores, flagged and tiered under the default policy."""
    applied = policy.apply_policy(policy.default_policy(), scores, features_frame)
    out = scores.join(applied.select("account_id", "flagged", "tier"), on="account_id", how="left")
    write_frame(con, "account_scores", out)


def _build_config(stage: Staging) -> dict:
    """DuckDB settings for a build: a memory cap (spilling to disk beyond it) keeps the whole
    build, Python side included, inside the issue's 6 GB at 1M accounts / 40M follows."""
    return {
        "memory_limit": os.environ.get("FOLLOWAUDIT_DUCKDB_MEMORY", BUILD_MEMORY_LIMIT),
        "temp_directory": str(stage.spill_dir),
    }


def _write_meta(
    con: duckdb.DuckDBPyConnection, data_dir: Path, model_source: str, build_id: str
) -> None:
    rows = {
        "build_id": build_id,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(data_dir.resolve()),
        "data_fingerprint": data_fingerprint(data_dir),
        "model_source": model_source,
        "schema_version": SCHEMA_VERSION,
    }
    con.execute("create or replace table meta (key varchar primary key, value varchar)")
    con.executemany("insert into meta values (?, ?)", list(rows.items()))


def stop_points() -> list[str]:
    """Every named point a kill test can stop a build at, in the order a build passes them."""
    steps = ["build.step." + _slug(label) for label, _ in _all_steps(Path())]
    return ["build.locked", "build.staged", *steps, "build.meta", "build.closed", "build.swapped"]


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def _all_steps(data_dir: Path) -> list[tuple[str, Step]]:
    steps = [("validate and load", lambda con, side: load_folder(con, data_dir))]
    steps += _build_steps()
    steps.append(("store the model", lambda con, side: model.store_in_workspace(con, side)))
    return steps


def build_workspace(
    data_dir: str | Path,
    out_path: str | Path,
    progress: Progress | None = None,
    wait: bool = False,
    notice: Callable[[str], None] | None = None,
) -> BuildReport:
    """Validate and load `data_dir`, derive every table, then atomically replace `out_path`.

    One build per workspace at a time: another one raises `staging.BuildBusy`, or is waited for
    with `wait` (`notice` hears why). A refused or failed build leaves the workspace as it was."""
    data_dir, out_path = Path(data_dir), Path(out_path)
    check_target(out_path)
    _make_parent(out_path)
    with exclusive_build(out_path, wait, notice) as stage:
        report = BuildReport(out_path, build_id=stage.build_id)
        _fill(stage, data_dir, report, progress)
        swap_in(stage, out_path)
    if progress:
        progress("done", 1.0)
    return report


def _make_parent(out_path: Path) -> None:
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"cannot create {out_path.parent}: {exc.strerror or exc}") from exc


def _fill(stage: Staging, data_dir: Path, report: BuildReport, progress: Progress | None) -> None:
    """Run every step into the staged workspace file, store meta, and close it cleanly."""
    con = duckdb.connect(str(stage.db), config=_build_config(stage))
    try:
        steps = _all_steps(data_dir)
        for index, (label, step) in enumerate(steps):
            if progress:
                progress(label, index / len(steps))
            started = time.perf_counter()
            step(con, stage.model_dir)
            report.steps.append((label, time.perf_counter() - started))
            crash_point("build.step." + _slug(label))
        report.model_source = _model_source(stage.model_dir)
        _write_meta(con, data_dir, report.model_source, stage.build_id)
        crash_point("build.meta")
        con.execute("checkpoint")
    finally:
        con.close()
    crash_point("build.closed")


def _model_source(model_dir: Path) -> str:
    """`trained` or `default`, from the card of the model that scored (a build without a
    scoring step has none and would use the default)."""
    return model.load(model_dir).source if (model_dir / "card.json").exists() else "default"
