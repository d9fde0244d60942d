"""The build's engine seam: named queries, tables and Arrow maps, on DuckDB or on Spark.

Build steps are written once against `Engine`. Tables are named (identifiers we own); queries
are `queries/<name>.sql` in DuckDB's dialect. Python work crosses the seam as pure functions:
`map_batches` applies one to Arrow record batches, `map_groups` to whole groups of rows (all of
one creator, say). Neither may depend on which other rows share its call: the DuckDB engine
passes the whole table at once, Spark one batch or one group at a time. Values that need every
row (the data's last day, a sample, a threshold) are computed first and passed in explicitly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from followaudit.data.sources import ident, literal
from followaudit.store.workspace import bind_params, load_sql, table_exists, write_frame

BatchFn = Callable[[pa.RecordBatch], pa.RecordBatch | pa.Table]
GroupFn = Callable[[pa.Table], pa.Table]
_TABLE = re.compile(r"[a-z_][a-z0-9_]*")
# The database a build attaches beside its staged workspace file for its scratch tables.
SCRATCH = "scratch"
# In-process batches are big: one LightGBM call per million rows uses both cores.
_BATCH_ROWS = 1 << 20


def check_table(name: str) -> str:
    """`name` if it is a plain lower-case identifier (table names are ours, never user text)."""
    if not _TABLE.fullmatch(name):
        raise ValueError(f"bad table name {name!r}")
    return name


class Engine(Protocol):
    """What a build step may ask of the engine that holds its tables."""

    name: str

    def run(self, query: str, params: dict | None = None) -> pl.DataFrame:
        """Rows of a named query, on the driver (small results only)."""

    def materialize(self, table: str, query: str, params: dict | None = None) -> None:
        """Table `table` from a named query."""

    def map_batches(self, table: str, source: str, fn: BatchFn, schema: pa.Schema) -> None:
        """Table `table`: `fn` over the Arrow batches of table `source`."""

    def map_groups(self, table: str, source: str, key: str, fn: GroupFn, schema: pa.Schema) -> None:
        """Table `table`: `fn` over whole groups of `source` rows sharing `key`, sorted by it."""

    def read(self, table: str) -> pl.DataFrame:
        """All rows of a table, on the driver (small tables only)."""

    def write(self, table: str, frame: pl.DataFrame) -> None:
        """Table `table` from a driver-side frame."""

    def has_table(self, table: str) -> bool:
        """Whether the table exists."""

    def drop(self, table: str) -> None:
        """Drop a scratch table once no later step reads it (its space is reused)."""

    def columns(self, table: str) -> list[str]:
        """Column names of a table, in order."""

    def non_null_counts(self, table: str, columns: list[str]) -> dict[str, int]:
        """Per column, how many rows hold a value (an all-NULL column was not observed)."""


def as_engine(engine_or_con: Engine | duckdb.DuckDBPyConnection) -> Engine:
    """An engine; a bare DuckDB connection (tests, benchmarks, in-memory uses) is wrapped."""
    if isinstance(engine_or_con, duckdb.DuckDBPyConnection):
        return DuckDBEngine(engine_or_con)
    return engine_or_con


def as_batch(result: pa.RecordBatch | pa.Table, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """A step function's result as record batches of exactly `schema`."""
    table = result if isinstance(result, pa.Table) else pa.Table.from_batches([result])
    yield from table.select(schema.names).cast(schema).to_batches()


def is_scratch(table: str) -> bool:
    """A step's intermediate table (`_name`): read by later steps, dropped before the swap."""
    return check_table(table).startswith("_")


def attach_scratch(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Keep this build's scratch tables in a file of their own at `path`, out of the workspace
    file: stored uncompressed (DuckDB tries every compression on every column it writes, which
    a table read once or twice and dropped never earns back), and their space never left behind
    in the workspace as free blocks. Every connection to the database sees it."""
    con.execute(f"attach {literal(str(path))} as {SCRATCH}")


def detach_scratch(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Drop every scratch table, detach the scratch file and delete it."""
    drop_scratch(con)
    if _has_scratch(con):
        con.execute(f"detach {SCRATCH}")
    for file in (path, path.with_name(path.name + ".wal")):
        file.unlink(missing_ok=True)


def drop_scratch(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the steps' intermediate tables (names starting with `_`) and the views that name
    those kept in the scratch file."""
    views = con.execute(
        "select view_name from duckdb_views() where not internal"
        " and database_name = current_database() and starts_with(view_name, '_')"
    ).fetchall()
    for (view,) in views:
        con.execute(f"drop view if exists {ident(view)}")
    tables = con.execute(
        "select database_name, table_name from duckdb_tables()"
        " where starts_with(table_name, '_') and database_name in (current_database(), $scratch)",
        {"scratch": SCRATCH},
    ).fetchall()
    for database, table in tables:
        con.execute(f"drop table if exists {ident(database)}.main.{ident(table)}")


def group_parts(rows: pa.Table, key: str, parts: int) -> list[pa.Table]:
    """`rows` (sorted by `key`) cut into at most `parts` slices of about equal size, each of
    whole groups (no slice for no rows)."""
    if not rows.num_rows:
        return []
    keys = rows[key]
    if parts < 2 or keys.null_count:
        return [rows]
    values = keys.to_numpy()
    cuts = [0]
    for part in range(1, parts):
        at = max(cuts[-1] + 1, rows.num_rows * part // parts)
        if at >= rows.num_rows:
            break
        later = np.flatnonzero(values[at:] != values[at - 1])  # the next group's first row
        if not later.size:
            break
        cuts.append(at + int(later[0]))
    cuts.append(rows.num_rows)
    return [rows.slice(start, end - start) for start, end in zip(cuts, cuts[1:], strict=False)]


def _has_scratch(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "select count(*) from duckdb_databases() where database_name = $d", {"d": SCRATCH}
    ).fetchone()
    return bool(row and row[0])


def _nested(duckdb_type: str) -> bool:
    return any(mark in duckdb_type for mark in ("[", "STRUCT", "MAP", "UNION"))


def side_by_side(engine: Engine, *jobs: Callable[[Engine], None]) -> None:
    """Run independent jobs (each writes tables of its own, none reads another's) at once where
    the engine allows it. DuckDB runs each job on a cursor of its own (another connection to the
    same file; queries release the GIL), so one that leaves a core idle (a one-row-group scan, a
    window's merge, Python work) overlaps the other. Spark schedules its own cores: in order."""
    if not isinstance(engine, DuckDBEngine) or len(jobs) < 2:
        for job in jobs:
            job(engine)
        return
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(_on_cursor, engine.con, job) for job in jobs]
        for future in futures:
            future.result()


@contextmanager
def optimizers_off(engine: Engine, *names: str) -> Iterator[None]:
    """DuckDB: the enclosed statements run with these optimizers disabled as well (a plan
    rewrite measured to cost more than it saves there); another engine plans its own way. The
    setting is the database's, so cursors running beside see it too."""
    if not isinstance(engine, DuckDBEngine):
        yield
        return
    setting = "select current_setting('disabled_optimizers')"
    before = engine.con.execute(setting).fetchone()[0]
    off = dict.fromkeys([*filter(None, before.split(",")), *map(check_table, names)])
    engine.con.execute(f"set disabled_optimizers = '{','.join(off)}'")
    try:
        yield
    finally:
        engine.con.execute(f"set disabled_optimizers = '{before}'")


def _on_cursor(con: duckdb.DuckDBPyConnection, job: Callable[[Engine], None]) -> None:
    cursor = con.cursor()
    try:
        job(DuckDBEngine(cursor))
    finally:
        cursor.close()


class DuckDBEngine:
    """Today's build: every table lives in one DuckDB file (a build's scratch tables in a file
    beside it, `attach_scratch`); Python maps run in process."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self._scratch: bool | None = None

    def _in_scratch(self, table: str) -> bool:
        """Whether `table` goes to the build's scratch file (attached for every connection)."""
        if not is_scratch(table):
            return False
        if self._scratch is None:
            self._scratch = _has_scratch(self.con)
        return self._scratch

    def run(self, query: str, params: dict | None = None) -> pl.DataFrame:
        cur = self.con.cursor()
        try:
            return cur.sql(load_sql(query), params=bind_params(query, params)).pl()
        finally:
            cur.close()

    def materialize(self, table: str, query: str, params: dict | None = None) -> None:
        select, values = load_sql(query), bind_params(query, params)
        if self._in_scratch(table):
            self._create_scratch(table, select, values)
            return
        self.con.execute(f"create or replace table {check_table(table)} as {select}", values)

    def _create_scratch(self, table: str, select: str, params: dict | None = None) -> None:
        """Scratch table `table` from a SELECT, in the scratch file, stored uncompressed; a view
        of the same name in the workspace lets every query (any connection) read it unqualified.
        At 1M accounts the full build measured 1.6-6.2 s faster (mostly writing `_follow_rows`)."""
        target = f"{SCRATCH}.main.{check_table(table)}"
        columns = self.con.execute(f"describe {select}", params).fetchall()
        if any(_nested(type_) for _, type_, *_ in columns):
            self.con.execute(f"create or replace table {target} as {select}", params)
        else:
            plain = ", ".join(
                f"{ident(n)} {t} using compression uncompressed" for n, t, *_ in columns
            )
            self.con.execute(f"create or replace table {target} ({plain})")
            self.con.execute(f"insert into {target} {select}", params)
        self.con.execute(f"create or replace view {table} as select * from {target}")

    def map_batches(self, table: str, source: str, fn: BatchFn, schema: pa.Schema) -> None:
        reader = self.con.cursor().sql(f"select * from {check_table(source)}")
        batches = reader.to_arrow_reader(_BATCH_ROWS)
        self._create(table, schema, (out for b in batches for out in as_batch(fn(b), schema)))

    def map_groups(self, table: str, source: str, key: str, fn: GroupFn, schema: pa.Schema) -> None:
        # Few calls over the table sorted by key: group functions are vectorised over groups,
        # and tests check that this equals one call per group. One slice of whole groups per
        # core, mapped side by side (their NumPy / Polars work releases the GIL): the growth
        # step's expected gains at 1M accounts 2.2 -> 1.5 s. Written back in key order.
        rows = self.con.cursor().sql(f"select * from {check_table(source)} order by {ident(key)}")
        parts = group_parts(rows.to_arrow_table(), key, os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=len(parts) or 1) as pool:
            mapped = list(pool.map(fn, parts))
        self._create(table, schema, (b for out in mapped for b in as_batch(out, schema)))

    def _create(self, table: str, schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> None:
        self._write(table, pa.RecordBatchReader.from_batches(schema, batches))

    def _write(self, table: str, frame: pl.DataFrame | pa.RecordBatchReader) -> None:
        if not self._in_scratch(table):
            write_frame(self.con, check_table(table), frame)
            return
        cursor = self.con.cursor()
        try:
            cursor.register(
                "_rows_to_write", frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame
            )
            DuckDBEngine(cursor)._create_scratch(table, "select * from _rows_to_write")
        finally:
            cursor.close()

    def read(self, table: str) -> pl.DataFrame:
        return self.con.cursor().sql(f"select * from {check_table(table)}").pl()

    def write(self, table: str, frame: pl.DataFrame) -> None:
        self._write(table, frame)

    def has_table(self, table: str) -> bool:
        return table_exists(self.con, table)

    def drop(self, table: str) -> None:
        if self._in_scratch(table):
            self.con.execute(f"drop view if exists {table}")
            self.con.execute(f"drop table if exists {SCRATCH}.main.{table}")
            self.con.execute(f"checkpoint {SCRATCH}")  # its blocks are reused by the next ones
            return
        self.con.execute(f"drop table if exists {check_table(table)}")
        self.con.execute("checkpoint")  # frees its blocks now, for the next tables to reuse

    def columns(self, table: str) -> list[str]:
        return self.con.cursor().sql(f"select * from {check_table(table)} limit 0").columns

    def non_null_counts(self, table: str, columns: list[str]) -> dict[str, int]:
        if not columns:
            return {}
        counts = ", ".join(f"count({ident(c)})" for c in columns)
        row = self.con.cursor().execute(f"select {counts} from {check_table(table)}").fetchone()
        return dict(zip(columns, row, strict=True))
