"""The Spark engine: the same named queries (transpiled) and Arrow maps, tables as Parquet.

Every table a step creates is written as a Parquet dataset under `derived/<table>/` and read
back as a temporary view, so each step starts from files (lineage stays short at any scale and
a failed build leaves the finished tables readable). Needs the `spark` extra (pyspark >= 4.0).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from followaudit.store.engine import BatchFn, GroupFn, as_batch, check_table
from followaudit.store.transpile import split_shared_ctes, to_spark, without_final_order
from followaudit.store.workspace import bind_params, load_sql

SHUFFLE_PARTITIONS = 4  # local[2]; a cluster sets its own (docs/scaling.md)
ARROW_BATCH_ROWS = 100_000


def local_session(master: str = "local[2]", partitions: int = SHUFFLE_PARTITIONS):
    """A Spark session for the build: UTC, Arrow on, no UI, workers on this interpreter."""
    from pyspark.sql import SparkSession

    # Python workers must import followaudit: run them on this very interpreter.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName("followaudit-build")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # local mode: the driver JVM is the executor (the default 1 GB spills at 100k accounts)
        .config("spark.driver.memory", os.environ.get("FOLLOWAUDIT_SPARK_MEMORY", "4g"))
        # Python steps get 100k-row Arrow batches: fewer LightGBM and polars calls per task
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH_ROWS))
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def remote_session(url: str, wheel: Path):
    """A Spark Connect client session; executors get followaudit from the built wheel.

    Only session (SQL runtime) settings: a Connect client cannot change the cluster's
    static ones (memory, UI, shuffle partitions are the cluster's)."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.remote(url).getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH_ROWS))
    # Spark Connect takes Python code as .py/.zip/.egg: the wheel is a zip named *.whl.zip,
    # put on this session's executors' sys.path (first, before their own site-packages)
    spark.addArtifacts(str(wheel), pyfile=True)
    return spark


class SparkEngine:
    """Build tables with Spark; `derived` is a folder or URI the cluster can write."""

    name = "spark"

    def __init__(self, spark, derived: str | Path, local: bool | None = None):
        self.spark = spark
        self.derived = str(derived).rstrip("/")
        self._saved: set[str] = set()  # tables whose Parquet this engine wrote
        # shared CTEs: local mode keeps them as in-memory checkpoints; on a cluster an executor
        # lost would lose its blocks (a local checkpoint has no lineage), so they are written
        self.local = _is_local(spark) if local is None else local

    # --- queries and tables ------------------------------------------------------------------

    def sql(self, query: str, params: dict | None = None):
        """The Spark DataFrame of a named query."""
        return self.spark.sql(to_spark(load_sql(query)), args=bind_params(query, params))

    def run(self, query: str, params: dict | None = None) -> pl.DataFrame:
        return pl.from_arrow(self.sql(query, params).toArrow())

    def materialize(self, table: str, query: str, params: dict | None = None) -> None:
        """Table `table` from a named query. Each CTE read twice or more is computed first and
        checkpointed (view `_<table>_<cte>`): Spark would compute it again at every use, and
        plans the inlined whole slowly (`features/follows` reads `sequenced` ten times). The
        written table has no row order (the workspace pack sorts)."""
        args = bind_params(query, params)
        shared, main = split_shared_ctes(to_spark(load_sql(query)), "_" + table.lstrip("_"))
        try:
            for name, sql in shared:
                # computed once, lineage cut: the rest of the query plans against a small leaf
                frame = self.spark.sql(sql, args=args)
                if self.local:
                    frame.localCheckpoint(eager=True).createOrReplaceTempView(name)
                else:
                    self.save(name, frame)
            self.save(table, self.spark.sql(without_final_order(main), args=args))
        finally:
            for name, _ in shared:
                self.spark.catalog.dropTempView(name)

    def save(self, table: str, frame) -> None:
        """Write a DataFrame as `derived/<table>/` and make `table` read it back."""
        path = self.path(table)
        if table in self._saved:
            # A step may rebuild a table from itself: write beside it, then replace it.
            staged = f"{self.derived}/_staging/{table}-{uuid.uuid4().hex[:8]}"
            frame.write.mode("overwrite").parquet(staged)
            frame = self.spark.read.parquet(staged)
        frame.write.mode("overwrite").parquet(path)
        self._saved.add(table)
        self.spark.read.parquet(path).createOrReplaceTempView(table)

    def register(self, table: str, frame) -> None:
        """Make a DataFrame (say, a typed view over input files) readable as `table`."""
        frame.createOrReplaceTempView(check_table(table))

    def map_batches(self, table: str, source: str, fn: BatchFn, schema: pa.Schema) -> None:
        def each(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                yield from as_batch(fn(batch), schema)

        frame = self.spark.table(check_table(source)).mapInArrow(each, _struct(schema))
        self.save(table, frame)

    def map_groups(self, table: str, source: str, key: str, fn: GroupFn, schema: pa.Schema) -> None:
        def each(rows: pa.Table) -> pa.Table:
            return pa.Table.from_batches(list(as_batch(fn(rows), schema)), schema=schema)

        grouped = self.spark.table(check_table(source)).groupBy(key)
        self.save(table, grouped.applyInArrow(each, _struct(schema)))

    def read(self, table: str) -> pl.DataFrame:
        return pl.from_arrow(self.spark.table(check_table(table)).toArrow())

    def write(self, table: str, frame: pl.DataFrame) -> None:
        arrow = frame.to_arrow()
        spark_frame = self.spark.createDataFrame(arrow, schema=_struct(arrow.schema))
        self.save(table, spark_frame)

    def has_table(self, table: str) -> bool:
        return bool(self.spark.catalog.tableExists(check_table(table)))

    def drop(self, table: str) -> None:
        # its Parquet stays under `derived` (scratch the cluster owns); nothing reads it again
        self.spark.catalog.dropTempView(check_table(table))
        self._saved.discard(table)

    def columns(self, table: str) -> list[str]:
        return list(self.spark.table(check_table(table)).columns)

    def non_null_counts(self, table: str, columns: list[str]) -> dict[str, int]:
        from pyspark.sql import functions as F

        if not columns:
            return {}
        row = self.spark.table(check_table(table)).select([F.count(c) for c in columns]).first()
        return dict(zip(columns, (int(v) for v in row), strict=True))

    def path(self, table: str) -> str:
        """Where a table's Parquet files are (or will be)."""
        return f"{self.derived}/{check_table(table)}"

    def export(self, table: str) -> str | None:
        """A folder on this machine with the table's Parquet files (a view over the input is
        written first); None when `derived` is on a cluster's file system."""
        if "://" in self.derived and not self.derived.startswith("file://"):
            return None
        if table not in self._saved:
            self.save(table, self.spark.table(check_table(table)))
        return self.path(table).removeprefix("file://")

    def read_arrow(self, table: str) -> pa.Table:
        """All rows of a table as Arrow, on the driver (Spark Connect streams them)."""
        return self.spark.table(check_table(table)).toArrow()


def _is_local(spark) -> bool:
    """A classic session in local mode. A Spark Connect client counts as on a cluster even when
    its server runs local[N] (its tests do): it takes the path a cluster takes."""
    if type(spark).__module__.startswith("pyspark.sql.connect"):
        return False
    try:
        return str(spark.conf.get("spark.master", "")).startswith("local")
    except Exception:  # a Connect server that will not say: assume a cluster
        return False


def _struct(schema: pa.Schema):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)
