"""`build --engine spark`: load the data on Spark, run the same steps, pack the workspace.

Derived tables land as Parquet datasets under `--derived` (default `W.d/derived/`); the
workspace file is then packed from them (`pack.py`), so the app never needs Spark. On this
machine's disk they are written to a staged folder first and swapped in with the workspace: a
failed or killed build leaves the old folder whole.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import polars as pl

from followaudit.data.spec import CANONICAL, TABLES, Table
from followaudit.data.validate import ValidationError, validate_folder
from followaudit.detect import explain_tables
from followaudit.pipeline import pack, wheel
from followaudit.pipeline.options import BuildOptions
from followaudit.pipeline.staging import (
    Staging,
    remove_stale_folders,
    staged_folder,
    swap_folder,
)
from followaudit.pipeline.steps import EXPLANATIONS, Progress, Step, derived_steps, run_steps
from followaudit.store.engine import Engine
from followaudit.store.workspace import WorkspaceError, sidecar_dir

# Canonical types on Spark: DuckDB's TIMESTAMP is a wall-clock time, Spark's TIMESTAMP_NTZ.
SPARK_TYPES = {
    "BIGINT": "bigint",
    "VARCHAR": "string",
    "TIMESTAMP": "timestamp_ntz",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "DOUBLE": "double",
}


def build(
    con: duckdb.DuckDBPyConnection,
    data: str,
    out_path: Path,
    stage: Staging,
    options: BuildOptions,
    tail: list[tuple[str, Step]],
    progress: Progress | None,
    timings: list[tuple[str, float]],
) -> None:
    """Every build step on Spark, then the workspace file `con` packed from the Parquet, then
    the `tail` steps (storing the model in `con`)."""
    _check_spark_installed(options)
    from followaudit.store.spark import SparkEngine

    started = time.perf_counter()
    spark, owned = _session(options)
    timings.append(("start spark", time.perf_counter() - started))
    engine = SparkEngine(spark, staged_derived(options, out_path, stage))
    try:
        steps = [("validate and load", lambda engine, side: load_data(engine, data))]
        steps += [step for step in derived_steps() if step is not EXPLANATIONS]
        steps.append(("pack workspace", lambda engine, side: pack.pack(engine, con, options.pack)))
        # bounded samples: read from the packed workspace file on the driver
        steps.append(("explanations", lambda engine, side: explain_tables.precompute(con, side)))
        run_steps(engine, [*steps, *tail], stage.model_dir, progress, timings)
    except BaseException:
        if _local(engine.derived):  # the half-written staged folder (a URI is written in place)
            shutil.rmtree(engine.derived, ignore_errors=True)
        raise
    finally:
        if owned:
            spark.stop()


def derived_target(options: BuildOptions, out_path: Path) -> str:
    """The folder or URI where the derived Parquet tables end up (`--derived`, else W.d/derived)."""
    return options.derived or str(sidecar_dir(out_path) / "derived")


def staged_derived(options: BuildOptions, out_path: Path, stage: Staging) -> str:
    """Where this build writes them: a staged folder swapped in only when the whole build
    succeeded (`publish_derived`); on a cluster's file system (a URI), the target itself."""
    local = _local(derived_target(options, out_path))
    if local is None:
        return derived_target(options, out_path)
    remove_stale_folders(local)
    return str(staged_folder(local, stage))


def publish_derived(options: BuildOptions, out_path: Path, stage: Staging) -> None:
    """After the workspace swap: the staged derived folder replaces the old one."""
    local = _local(derived_target(options, out_path))
    if local is not None and staged_folder(local, stage).exists():
        swap_folder(staged_folder(local, stage), local)


def _local(target: str) -> Path | None:
    if "://" in target and not target.startswith("file://"):
        return None
    return Path(target.removeprefix("file://")).absolute()


def _check_spark_installed(options: BuildOptions) -> None:
    """A clear message instead of an import error or a JVM that never starts."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise WorkspaceError(
            "--engine spark needs pyspark: pip install 'followaudit[spark]'"
        ) from exc
    if not options.spark_remote and shutil.which("java") is None:
        raise WorkspaceError(
            "--engine spark in local mode needs Java 17 (apt-get install openjdk-17-jre-headless)"
        )


def _session(options: BuildOptions):
    """The Spark session, and whether this build started it (and so stops it)."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    from followaudit.store import spark

    if options.spark_remote:
        # stopping a Connect client releases its server-side session (views, the wheel)
        return spark.remote_session(options.spark_remote, wheel.build_wheel()), True
    if SparkContext._active_spark_context is not None:  # this process runs one (tests share it)
        return SparkSession.builder.getOrCreate(), False
    return spark.local_session(options.spark_master), True


def load_data(engine: Engine, data: str) -> None:
    """Canonical tables as typed Spark views over the data's Parquet files, plus
    `loaded_columns`. A local folder is first validated as the DuckDB build validates it."""
    local = Path(data)
    if local.is_dir():
        problems = validate_folder(local)
        if problems:
            raise ValidationError(problems)
    loaded: list[tuple[str, str]] = []
    for name, table in TABLES.items():
        source = _source(engine.spark, data, name)
        if source is None:
            if name in CANONICAL:
                engine.register(name, _empty(engine.spark, table))
            continue
        frame = _typed(source, table)
        engine.register(name, frame)
        counts = engine.non_null_counts(name, list(frame.columns))
        loaded += [(name, column) for column, filled in counts.items() if filled]
    columns = pl.DataFrame(loaded, schema=["table_name", "column_name"], orient="row")
    engine.write("loaded_columns", columns)


def _source(spark, data: str, name: str):
    """The table's Parquet: a `name.parquet` file or a `name/` dataset (folder or URI)."""
    base = data.rstrip("/")
    local = Path(data)
    if local.is_dir():
        found = next((c for c in (local / f"{name}.parquet", local / name) if c.exists()), None)
        if found is None and (local / f"{name}.csv").exists():
            raise WorkspaceError(
                f"{local / name}.csv: the Spark engine reads Parquet (the DuckDB engine reads CSV)"
            )
        # absolute: a Spark Connect server on this machine has its own working folder
        return spark.read.parquet(str(found.absolute())) if found else None
    for path in (f"{base}/{name}.parquet", f"{base}/{name}"):
        try:
            frame = spark.read.parquet(path)
            frame.schema  # noqa: B018 - Spark Connect reads lazily: a missing path fails here
            return frame
        except Exception as exc:  # a missing path on a cluster file system
            if "PATH_NOT_FOUND" not in str(exc) and "does not exist" not in str(exc):
                raise
    return None


def _typed(source, table: Table):
    """The source's columns cast to the canonical types; absent spec columns as typed NULLs."""
    from pyspark.sql import functions as F

    present = {c.lower(): c for c in source.columns}
    columns = []
    for spec in table.columns:
        kind = SPARK_TYPES[spec.type]
        if spec.name in present:
            value = F.col(f"`{present[spec.name]}`").cast(kind)
            if "|" in spec.check:  # allowed-value columns are stored lower case, trimmed
                value = F.lower(F.trim(value))
        else:
            value = F.lit(None).cast(kind)
        columns.append(value.alias(spec.name))
    for lower, original in present.items():
        spec = table.column(lower)
        if lower in table.column_names or (spec is None and not table.extra_allowed):
            continue
        kind = SPARK_TYPES.get(spec.type, "string") if spec else None
        column = F.col(f"`{original}`")
        columns.append((column.cast(kind) if kind else column).alias(lower))
    return source.select(columns)


def _empty(spark, table: Table):
    ddl = ", ".join(f"`{c.name}` {SPARK_TYPES[c.type]}" for c in table.columns)
    return spark.createDataFrame([], ddl)
