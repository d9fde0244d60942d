"""The build: validate and load a data folder, derive every table in order, then swap it in.

This is the only module that knows all build steps. Each step gets a read-write DuckDB
connection to a temporary workspace file and the model staging folder; the workspace file and
its model folder replace the old ones only when every step succeeded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from followaudit.data.load import load_folder
from followaudit.decide import policy
from followaudit.detect import explain, features, model
from followaudit.growth import audience
from followaudit.growth import spikes as growth_spikes
from followaudit.store.workspace import materialize, sidecar_dir, write_frame

SCHEMA_VERSION = "1"
BUILD_MEMORY_LIMIT = "3GB"

Progress = Callable[[str, float], None]
Step = Callable[[duckdb.DuckDBPyConnection, Path], None]


@dataclass
class BuildReport:
    """What a build did and how long each step took."""

    path: Path
    steps: list[tuple[str, float]] = field(default_factory=list)
    model_source: str = ""


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
        ("explanations", lambda con, side: explain.precompute(con, side)),
        ("growth spikes", lambda con, side: growth_spikes.build_growth(con)),
        ("audience quality", lambda con, side: audience.build_audience(con)),
    ]


def write_account_scores(
    con: duckdb.DuckDBPyConnection, scores: pl.DataFrame, features_frame: pl.DataFrame
) -> None:
    """Table `account_scores`: the model's scores, flagged and tiered under the default policy."""
    applied = policy.apply_policy(policy.default_policy(), scores, features_frame)
    out = scores.join(applied.select("account_id", "flagged", "tier"), on="account_id", how="left")
    write_frame(con, "account_scores", out.with_columns(pl.lit(None, pl.Utf8).alias("top_reasons")))


def _build_config(out_path: Path) -> dict:
    """DuckDB settings for a build: a memory cap (spilling to disk beyond it) keeps the whole
    build, Python side included, inside the issue's 6 GB at 1M accounts / 40M follows."""
    return {
        "memory_limit": os.environ.get("FOLLOWAUDIT_DUCKDB_MEMORY", BUILD_MEMORY_LIMIT),
        "temp_directory": str(out_path.parent / ".duckdb_tmp"),
    }


def _write_meta(con: duckdb.DuckDBPyConnection, data_dir: Path, model_source: str) -> None:
    rows = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(data_dir.resolve()),
        "data_fingerprint": data_fingerprint(data_dir),
        "model_source": model_source,
        "schema_version": SCHEMA_VERSION,
    }
    con.execute("create or replace table meta (key varchar primary key, value varchar)")
    con.executemany("insert into meta values (?, ?)", list(rows.items()))


def build_workspace(
    data_dir: str | Path, out_path: str | Path, progress: Progress | None = None
) -> BuildReport:
    """Validate and load `data_dir`, derive every table, then atomically replace `out_path`."""
    data_dir, out_path = Path(data_dir), Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    side = sidecar_dir(out_path)
    staging = side / "model.new"  # the model moves in only when the whole build succeeds
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    report = BuildReport(out_path)
    fd, tmp_name = tempfile.mkstemp(
        prefix=out_path.stem + ".", suffix=".building", dir=out_path.parent
    )
    os.close(fd)
    os.unlink(tmp_name)  # DuckDB must create the file itself
    tmp = Path(tmp_name)
    try:
        con = duckdb.connect(str(tmp), config=_build_config(out_path))
        try:
            steps = [("validate and load", lambda c, s: load_folder(c, data_dir))]
            steps += _build_steps()
            for index, (label, step) in enumerate(steps):
                if progress:
                    progress(label, index / len(steps))
                started = time.perf_counter()
                step(con, staging)
                report.steps.append((label, time.perf_counter() - started))
            report.model_source = _model_source(staging)
            _write_meta(con, data_dir, report.model_source)
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, out_path)
        shutil.rmtree(side / "model", ignore_errors=True)
        staging.rename(side / "model")
        if progress:
            progress("done", 1.0)
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _model_source(model_dir: Path) -> str:
    return "trained" if (model_dir / "card.json").exists() else "default"
