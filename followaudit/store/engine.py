"""The build's engine seam: named queries, tables and Arrow maps, on DuckDB or on Spark.

Build steps are written once against `Engine`. Tables are named (identifiers we own); queries
are `queries/<name>.sql` in DuckDB's dialect. Python work crosses the seam as pure functions:
`map_batches` applies one to Arrow record batches, `map_groups` to whole groups of rows (all of
one creator, say). Neither may depend on which other rows share its call: the DuckDB engine
passes the whole table at once, Spark one batch or one group at a time. Values that need every
row (the data's last day, a sample, a threshold) are computed first and passed in explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Protocol

import duckdb
import polars as pl
import pyarrow as pa

from followaudit.data.sources import ident
from followaudit.store.workspace import bind_params, load_sql, table_exists, write_frame

BatchFn = Callable[[pa.RecordBatch], pa.RecordBatch | pa.Table]
GroupFn = Callable[[pa.Table], pa.Table]
_TABLE = re.compile(r"[a-z_][a-z0-9_]*")
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
    """Today's build: every table lives in one DuckDB file; Python maps run in process."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def run(self, query: str, params: dict | None = None) -> pl.DataFrame:
        cur = self.con.cursor()
        try:
            return cur.sql(load_sql(query), params=bind_params(query, params)).pl()
        finally:
            cur.close()

    def materialize(self, table: str, query: str, params: dict | None = None) -> None:
        sql = f"create or replace table {check_table(table)} as {load_sql(query)}"
        self.con.execute(sql, bind_params(query, params))

    def map_batches(self, table: str, source: str, fn: BatchFn, schema: pa.Schema) -> None:
        reader = self.con.cursor().sql(f"select * from {check_table(source)}")
        batches = reader.to_arrow_reader(_BATCH_ROWS)
        self._create(table, schema, (out for b in batches for out in as_batch(fn(b), schema)))

    def map_groups(self, table: str, source: str, key: str, fn: GroupFn, schema: pa.Schema) -> None:
        # One call over the whole table, sorted by key: group functions are vectorised over
        # groups, and tests check that this equals one call per group.
        rows = self.con.cursor().sql(f"select * from {check_table(source)} order by {ident(key)}")
        groups = rows.to_arrow_table()
        self._create(table, schema, as_batch(fn(groups), schema) if groups.num_rows else iter(()))

    def _create(self, table: str, schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> None:
        write_frame(
            self.con, check_table(table), pa.RecordBatchReader.from_batches(schema, batches)
        )

    def read(self, table: str) -> pl.DataFrame:
        return self.con.cursor().sql(f"select * from {check_table(table)}").pl()

    def write(self, table: str, frame: pl.DataFrame) -> None:
        write_frame(self.con, check_table(table), frame)

    def has_table(self, table: str) -> bool:
        return table_exists(self.con, table)

    def drop(self, table: str) -> None:
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
