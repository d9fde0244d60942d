"""The DuckDB workspace file: open it and run named queries from `queries/` (a leaf: imports no other layer)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

PROJECT_ROOT = Path(__file__).resolve().parents[2]
QUERIES_DIR = PROJECT_ROOT / "queries"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class WorkspaceError(RuntimeError):
    """A workspace cannot be opened or built; the message says why in plain words."""


def is_workspace_file(path: str | Path) -> bool:
    """Whether `path` is a DuckDB database file (its header carries the magic bytes `DUCK`)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(12)[8:12] == b"DUCK"
    except (OSError, ValueError):
        return False


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


def bind_params(name: str, params: dict | None) -> dict:
    """The parameters query `name` uses, taken from `params` (a superset is fine)."""
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
        return cur.sql(load_sql(name), params=bind_params(name, params)).pl()
    finally:
        cur.close()


def run_arrays(
    con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None
) -> dict[str, np.ndarray]:
    """Run `queries/<name>.sql` on a fresh cursor; return its columns as numpy arrays (for
    long numeric results: no Polars or Arrow frame in between)."""
    cur = con.cursor()
    try:
        columns = cur.sql(load_sql(name), params=bind_params(name, params)).fetchnumpy()
        return {key: np.asarray(values) for key, values in columns.items()}
    finally:
        cur.close()


def materialize(
    con: duckdb.DuckDBPyConnection, table: str, name: str, params: dict | None = None
) -> None:
    """`create or replace table <table> as <query>`; the table name is an identifier we own."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
        raise ValueError(f"bad table name {table!r}")
    con.execute(f"create or replace table {table} as {load_sql(name)}", bind_params(name, params))


def write_frame(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame | pa.Table | pa.RecordBatchReader,
) -> None:
    """`create or replace table <table>` with the rows of a Polars frame or Arrow data (a
    record-batch reader streams: its batches never all sit in memory). A table name we own."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
        raise ValueError(f"bad table name {table!r}")
    cur = con.cursor()
    try:
        cur.register(
            "_frame_to_write", frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame
        )
        cur.execute(f"create or replace table {table} as select * from _frame_to_write")
        cur.unregister("_frame_to_write")
    finally:
        cur.close()


def file_version(path: str | Path) -> str:
    """A file's version: changes whenever it is rewritten or replaced (the key of every cache of
    what was read from it). The inode catches a replacement even within one mtime tick."""
    path = Path(path)
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"


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
        if "\0" in str(path) or not path.exists():
            raise WorkspaceError(
                f"workspace {path} does not exist; build it with "
                f"`followaudit build --data DATA_DIR --workspace {shlex.quote(str(path))}`"
            )
        if not is_workspace_file(path):
            what = "a folder" if path.is_dir() else "not a workspace (DuckDB) file"
            raise WorkspaceError(
                f"{path} is {what}; build one with "
                "`followaudit build --data DATA_DIR --workspace W.duckdb`"
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

    def arrays(self, name: str, **params) -> dict[str, np.ndarray]:
        """Run a named query; its columns as numpy arrays."""
        return run_arrays(self.con, name, params)

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
        return file_version(self.path)

    @property
    def sidecar(self) -> Path:
        """The analyst-work folder beside the workspace file."""
        return sidecar_dir(self.path)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()
