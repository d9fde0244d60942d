"""A DuckDB build keeps its scratch tables (`_name`) in a file of its own beside the staged
workspace, uncompressed, read through unqualified names; the file never outlives the build."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest

from followaudit.detect import features
from followaudit.pipeline.build import build_workspace
from followaudit.store import engine as engine_module
from followaudit.store.engine import (
    DuckDBEngine,
    attach_scratch,
    detach_scratch,
    side_by_side,
)
from followaudit.store.workspace import sidecar_dir

ROWS = pa.schema([("account_id", pa.int64()), ("doubled", pa.int64())])


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> set[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = $d", {"d": database}
    ).fetchall()
    return {name for (name,) in rows}


def _compressions(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select distinct compression from pragma_storage_info($t) where segment_type <> 'VALIDITY'",
        {"t": table},
    ).fetchall()
    return {c for (c,) in rows}


def _double(batch: pa.RecordBatch) -> pa.Table:
    frame = pl.from_arrow(batch).select("account_id", (pl.col("account_id") * 2).alias("doubled"))
    return frame.to_arrow()


@pytest.fixture
def workspace(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "workspace.duckdb"))
    con.execute("create table accounts as select range as account_id from range(5000)")
    attach_scratch(con, tmp_path / "scratch.duckdb")
    yield con, tmp_path / "scratch.duckdb"
    con.close()


def test_scratch_tables_live_uncompressed_in_the_scratch_file_and_read_unqualified(workspace):
    con, scratch = workspace
    engine = DuckDBEngine(con)
    engine.write("_written", pl.DataFrame({"account_id": [1, 2, 3]}))
    engine.map_batches("_mapped", "accounts", _double, ROWS)
    engine.map_batches("kept", "_mapped", lambda b: b, ROWS)  # a final table, read from scratch
    assert {"_written", "_mapped"} <= _tables(con, "scratch")
    assert _tables(con, "workspace") == {"accounts", "kept"}
    assert _compressions(con, "scratch.main._mapped") == {"Uncompressed"}
    # any connection (a step beside, a cursor of a query) reads them by their plain names
    seen = {}
    side_by_side(
        engine,
        lambda e: seen.update(mapped=e.read("_mapped").height),
        lambda e: seen.update(columns=e.columns("_written"), has=e.has_table("_written")),
    )
    assert seen == {"mapped": 5000, "columns": ["account_id"], "has": True}
    assert con.execute("select sum(doubled) from kept").fetchone()[0] == 2 * sum(range(5000))
    engine.drop("_mapped")
    assert not engine.has_table("_mapped") and "_mapped" not in _tables(con, "scratch")
    detach_scratch(con, scratch)
    assert not scratch.exists() and not engine.has_table("_written")
    assert _tables(con, "workspace") == {"accounts", "kept"}


def test_without_a_scratch_file_scratch_tables_stay_in_the_database(tmp_path):
    con = duckdb.connect()
    engine = DuckDBEngine(con)
    engine.write("_written", pl.DataFrame({"account_id": [1, 2, 3]}))
    assert _tables(con, "memory") == {"_written"}
    engine.drop("_written")
    assert _tables(con, "memory") == set()


def test_a_build_keeps_no_scratch_table_and_no_scratch_file(small_world, tmp_path, monkeypatch):
    seen: dict[str, set[str]] = {}
    original = features.build_account_features

    def spying(engine, **kwargs):
        original(engine, **kwargs)
        seen["scratch"] = _tables(engine.con, "scratch")
        seen["workspace"] = _tables(engine.con, "workspace")

    monkeypatch.setattr(features, "build_account_features", spying)
    path = tmp_path / "w.duckdb"
    build_workspace(small_world, path)
    assert "_account_rows" in seen["scratch"] and "account_features" in seen["workspace"]
    assert not {t for t in seen["workspace"] if t.startswith("_")}
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute("select table_name from information_schema.tables").fetchall()
        assert not [n for (n,) in names if n.startswith("_")]  # neither tables nor views
    finally:
        con.close()
    assert not list(sidecar_dir(path).rglob("scratch.duckdb*"))


def test_a_failed_build_leaves_no_scratch_file(small_world, tmp_path, monkeypatch):
    files: list[Path] = []
    real_attach = engine_module.attach_scratch

    def recording_attach(con, path):
        files.append(path)
        real_attach(con, path)

    def failing_features(engine, **kwargs):
        engine.materialize("_follow_rows", "features/follow_rows")
        assert files and files[0].exists()  # the scratch file was written ...
        raise RuntimeError("the features step failed")

    monkeypatch.setattr("followaudit.pipeline.build.attach_scratch", recording_attach)
    monkeypatch.setattr(features, "build_account_features", failing_features)
    with pytest.raises(RuntimeError, match="features step failed"):
        build_workspace(small_world, tmp_path / "w.duckdb")
    assert files and not files[0].exists()  # ... and is gone with the failed build
    assert not list(tmp_path.rglob("scratch.duckdb*"))
    assert not (tmp_path / "w.duckdb").exists()
