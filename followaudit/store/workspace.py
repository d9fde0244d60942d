"""The DuckDB workspace file: open it, run named queries, build it from a data folder."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

PROJECT_ROOT = Path(__file__).resolve().parents[2]
QUERIES_DIR = PROJECT_ROOT / "queries"
SCHEMA_VERSION = "1"
BUILD_MEMORY_LIMIT = "3GB"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

Progress = Callable[[str, float], None]


class WorkspaceError(RuntimeError):
    """A workspace cannot be opened or built; the message says why in plain words."""


def sidecar_dir(path: str | Path) -> Path:
    """The folder beside `W.duckdb` that holds analyst work (`W.d/`)."""
    path = Path(path)
    return path.with_name(path.stem + ".d")


@lru_cache(maxsize=256)
def load_sql(name: str) -> str:
    """The text of `queries/<name>.sql`; names are checked so no path escapes the folder."""
    if not re.fullmatch(r"[a-z0-9_]+(/[a-z0-9_]+)*", name):
        raise ValueError(f"bad query name {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise ValueError(f"no query named {name!r} (looked for {path})")
    return path.read_text()


def query_params(name: str) -> set[str]:
    """The `$named` parameters a query uses."""
    return set(_PARAM.findall(_strip_comments(load_sql(name))))


def _strip_comments(sql: str) -> str:
    sql = re.sub(r"/\*.*?\*/", "", sql, flags=re.S)
    return re.sub(r"--[^\n]*", "", sql)


def _bind(name: str, params: dict | None) -> dict:
    wanted = query_params(name)
    params = params or {}
    missing = wanted - params.keys()
    if missing:
        raise ValueError(f"query {name!r} needs parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in wanted}


def run_query(
    con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None
) -> pl.DataFrame:
    """Run `queries/<name>.sql` with `$named` parameters on a fresh cursor; return Polars."""
    cur = con.cursor()
    try:
        # DuckDB 2 has .pl() on relations only: `sql(..., params=)` keeps it zero-copy.
        return cur.sql(load_sql(name), params=_bind(name, params)).pl()
    finally:
        cur.close()


def materialize(
    con: duckdb.DuckDBPyConnection, table: str, name: str, params: dict | None = None
) -> None:
    """`create or replace table <table> as <query>`; the table name is an identifier we own."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
        raise ValueError(f"bad table name {table!r}")
    con.execute(f"create or replace table {table} as {load_sql(name)}", _bind(name, params))


def check_identifier(value: str, allowed: Iterable[str]) -> str:
    """Return `value` if it is one of `allowed` (e.g. a sort column from a selectbox)."""
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")
    return value


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the main schema has `table`."""
    cur = con.cursor()
    try:
        row = cur.execute(
            "select count(*) from information_schema.tables where table_name = $t", {"t": table}
        ).fetchone()
        return bool(row and row[0])
    finally:
        cur.close()


class Workspace:
    """An open workspace file. Read-only by default: the app and CLI only read it."""

    def __init__(self, path: str | Path, con: duckdb.DuckDBPyConnection):
        self.path = Path(path)
        self.con = con

    @classmethod
    def open(cls, path: str | Path, read_only: bool = True) -> Workspace:
        """Open `path`; a missing or locked file raises WorkspaceError with a plain message."""
        path = Path(path)
        if not path.exists():
            raise WorkspaceError(
                f"workspace {path} does not exist; build it with `followaudit build`"
            )
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            raise WorkspaceError(
                f"workspace {path} is held by another process (is a build writing it?): {exc}"
            ) from exc
        return cls(path, con)

    def query(self, name: str, **params) -> pl.DataFrame:
        """Run a named query with `$named` parameters."""
        return run_query(self.con, name, params)

    def has_table(self, table: str) -> bool:
        """Whether the workspace has `table` (older or partial worlds may lack derived ones)."""
        return table_exists(self.con, table)

    def meta(self) -> dict[str, str]:
        """The build's `meta` key/value table."""
        if not self.has_table("meta"):
            return {}
        rows = self.con.cursor().execute("select key, value from meta").fetchall()
        return dict(rows)

    @property
    def version(self) -> str:
        """Changes whenever the file is rebuilt: cache key for query results."""
        stat = self.path.stat()
        return f"{self.path.resolve()}:{stat.st_mtime_ns}:{stat.st_size}"

    @property
    def sidecar(self) -> Path:
        """The analyst-work folder beside the workspace file."""
        return sidecar_dir(self.path)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()


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


def _build_steps() -> list[tuple[str, Callable[[duckdb.DuckDBPyConnection, Path], None]]]:
    """The derived-table steps; each gets the connection and the model staging folder."""
    # Imported lazily: the workspace module must not pull the model stack into every import.
    from followaudit.detect import explain, features, model
    from followaudit.growth import audience
    from followaudit.growth import spikes as growth

    return [
        (
            "daily follower gains",
            lambda con, side: materialize(con, "creator_daily", "growth/creator_daily"),
        ),
        ("account features", lambda con, side: features.build_account_features(con)),
        ("model scores", lambda con, side: model.score_workspace(con, side)),
        ("explanations", lambda con, side: explain.precompute(con, side)),
        ("growth spikes", lambda con, side: growth.build_growth(con)),
        ("audience quality", lambda con, side: audience.build_audience(con)),
    ]


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
    from followaudit.data import spec as schema

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
            steps = [("validate and load", lambda c, s: schema.load_folder(c, data_dir))]
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
