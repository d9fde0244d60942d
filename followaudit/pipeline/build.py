"""The build: validate and load a data folder, derive every table in order, then swap it in.

This is the only module that knows all build steps. Each step gets the engine that holds the
tables (`store.engine`: DuckDB in this build's staged workspace file, or Spark writing Parquet
under `--derived`, packed into the staged file) and its model folder; the model is then stored
inside the staged file, which replaces the workspace only when every step succeeded (the lock,
the staging and the swap are `pipeline.staging`'s).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from followaudit.data.load import load_folder
from followaudit.detect import model
from followaudit.pipeline import spark_build
from followaudit.pipeline.options import BuildOptions
from followaudit.pipeline.staging import Staging, check_target, exclusive_build, swap_in
from followaudit.pipeline.steps import (
    Progress,
    Step,
    derived_steps,
    run_steps,
    slug,
    write_account_scores,  # noqa: F401 - re-exported
)
from followaudit.store.crash_points import crash_point
from followaudit.store.engine import DuckDBEngine, attach_scratch, detach_scratch
from followaudit.store.workspace import WorkspaceError

SCHEMA_VERSION = "2"  # 2: the model is stored inside the workspace (table model_files)
BUILD_MEMORY_LIMIT = "3GB"


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


def _build_config(stage: Staging) -> dict:
    """DuckDB settings for a build: a memory cap (spilling to disk beyond it) keeps the whole
    build, Python side included, inside the issue's 6 GB at 1M accounts / 40M follows."""
    return {
        "memory_limit": os.environ.get("FOLLOWAUDIT_DUCKDB_MEMORY", BUILD_MEMORY_LIMIT),
        "temp_directory": str(stage.spill_dir),
        # Build SQL joins big tables (follows) to smaller ones, big side first. DuckDB's estimate
        # for a join of aggregated CTEs explodes (2.8 billion rows for a few thousand spike days
        # at 250k accounts), so this optimizer would build hash tables on the 44M follows
        # instead: measured 25-50 % less CPU for features/follows and spike_followers_all.
        "disabled_optimizers": "build_side_probe_side",
        # A staged file nobody reads until the swap: no fsync per commit (the scratch file's
        # 2.4 GB `_follow_rows` at 1M accounts waited ~1 s with both cores idle). `_fill` turns it
        # back on for the last checkpoint, whose fsync then syncs the whole file before the swap.
        "fsync_mode": "none",
    }


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    data: str,
    model_source: str,
    build_id: str,
    options: BuildOptions,
    model_dir: Path,
) -> None:
    local = Path(data)
    rows = {
        "build_id": build_id,
        "model_threshold": repr(model.operating_threshold(model.build_bundle(con, model_dir).card)),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(local.resolve()) if local.exists() else data,
        "data_fingerprint": data_fingerprint(local) if local.is_dir() else "",
        "model_source": model_source,
        "schema_version": SCHEMA_VERSION,
        "engine": options.engine,
        "pack": options.pack,
    }
    con.execute("create or replace table meta (key varchar primary key, value varchar)")
    con.executemany("insert into meta values (?, ?)", list(rows.items()))


def stop_points() -> list[str]:
    """Every named point a kill test can stop a build at, in the order a build passes them."""
    steps = ["build.step." + slug(label) for label, _ in _duckdb_steps("")]
    return ["build.locked", "build.staged", *steps, "build.meta", "build.closed", "build.swapped"]


def _duckdb_steps(data: str) -> list[tuple[str, Step]]:
    load = ("validate and load", lambda engine, side: load_folder(engine.con, data, beside=True))
    return [load, *derived_steps(), store_model_step(None)]


def store_model_step(con: duckdb.DuckDBPyConnection | None) -> tuple[str, Step]:
    """The last step: the model moves inside the workspace file (`con`, else the engine's)."""
    return (
        "store the model",
        lambda engine, side: model.store_in_workspace(con or engine.con, side),
    )


def build_workspace(
    data_dir: str | Path,
    out_path: str | Path,
    progress: Progress | None = None,
    options: BuildOptions | None = None,
    wait: bool = False,
    notice: Callable[[str], None] | None = None,
) -> BuildReport:
    """Validate and load `data_dir` (a folder, or a URI Spark reads), derive every table on the
    chosen engine, then atomically replace `out_path`.

    One build per workspace at a time: another one raises `staging.BuildBusy`, or is waited for
    with `wait` (`notice` hears why). A refused or failed build leaves the workspace as it was."""
    options = options or BuildOptions()
    data, out_path = str(data_dir), Path(out_path)
    check_target(out_path)
    _make_parent(out_path)
    with exclusive_build(out_path, wait, notice) as stage:
        report = BuildReport(out_path, build_id=stage.build_id)
        _fill(stage, data, report, progress, options)
        swap_in(stage, out_path)
        if options.engine == "spark":
            spark_build.publish_derived(options, out_path, stage)
    if progress:
        progress("done", 1.0)
    return report


def _make_parent(out_path: Path) -> None:
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"cannot create {out_path.parent}: {exc.strerror or exc}") from exc


def _fill(
    stage: Staging, data: str, report: BuildReport, progress: Progress | None, options: BuildOptions
) -> None:
    """Run every step into the staged workspace file, store meta, and close it cleanly."""
    con = duckdb.connect(str(stage.db), config=_build_config(stage))
    try:
        if options.engine == "spark":
            tail = [store_model_step(con)]
            spark_build.build(con, data, report.path, stage, options, tail, progress, report.steps)
        else:
            # scratch tables go to a file of their own (staged: removed with the staging
            # folder, whatever happens); the workspace file holds the final tables only
            attach_scratch(con, stage.scratch)
            run_steps(
                DuckDBEngine(con), _duckdb_steps(data), stage.model_dir, progress, report.steps
            )
            detach_scratch(con, stage.scratch)
        report.model_source = _model_source(stage.model_dir)
        _write_meta(con, data, report.model_source, stage.build_id, options, stage.model_dir)
        crash_point("build.meta")
        con.execute("set fsync_mode = 'standard'")
        con.execute("checkpoint")
    finally:
        con.close()
    crash_point("build.closed")


def _model_source(model_dir: Path) -> str:
    """`trained` or `default`, from the card of the model that scored (a build without a
    scoring step has none and would use the default)."""
    return model.load(model_dir).source if (model_dir / "card.json").exists() else "default"
