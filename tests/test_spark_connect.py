"""`followaudit build --spark-remote sc://…`: the CLI as a thin Spark Connect client builds the
same workspace as DuckDB.

A Spark Connect server of our own (`spark_support.connect_server`: local[2] in its own process)
whose driver and executors cannot import this checkout's followaudit; the real CLI runs in a
process of its own with no Java on its PATH, reads the world through a `file://` URI (the path
a cluster takes: no local validation) and ships followaudit to the executors as the wheel. Its
workspace is compared with the DuckDB build's as the parity tests compare theirs. What this
cannot show: a server on another machine (here the server writes the derived Parquet where the
client packs it from, on the same disk) and executors on other hosts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from spark_support import (
    KEYS,
    assert_same_model,
    assert_same_spikes,
    assert_same_table,
    connect_server,
    missing_spark,
    probe,
)

from followaudit.pipeline.wheel import build_wheel
from followaudit.store.workspace import sidecar_dir

pytestmark = [pytest.mark.spark, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The Spark Connect server's URL."""
    missing = missing_spark()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Spark Connect test, but {missing}")
        pytest.skip(missing)
    with connect_server(tmp_path_factory.mktemp("connect_server")) as url:
        yield url


@pytest.fixture(scope="module")
def connect_build(server, small_world, tmp_path_factory):
    """`followaudit build --spark-remote` of the small world: (workspace path, CLI output)."""
    folder = tmp_path_factory.mktemp("connect_build")
    workspace = folder / "connect.duckdb"
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / "followaudit"), "build", "--spark-remote", server]
    command += ["--data", Path(small_world).as_uri(), "--workspace", str(workspace)]
    # the thin client needs no Java: only the venv's scripts are on its PATH
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK", "PYSPARK", "JAVA"))}
    env["PATH"] = str(bin_dir)
    log = folder / "cli.log"
    with open(log, "w") as out:
        done = subprocess.run(
            command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=1500
        )
    output = log.read_text()
    assert done.returncode == 0, output
    return workspace, output


@pytest.fixture(scope="module")
def both_builds(connect_build, small_world_duckdb):
    duck = duckdb.connect(str(small_world_duckdb), read_only=True)
    remote = duckdb.connect(str(connect_build[0]), read_only=True)
    yield duck, remote
    duck.close()
    remote.close()


def test_the_executors_import_followaudit_only_from_the_shipped_wheel(server, tmp_path):
    """Without the wheel an executor cannot import followaudit; with it, it imports the zip."""
    wheel = build_wheel(tmp_path)
    where = probe(server, wheel, tmp_path)
    assert "No module named 'followaudit'" in where["without"].get("error", "")
    assert where["with"].endswith(f"{wheel.name}/followaudit/__init__.py"), where["with"]


def test_the_cli_built_through_spark_connect(connect_build):
    workspace, output = connect_build
    assert f"built {workspace}" in output
    assert "start spark" in output and "pack workspace" in output  # every step timed
    # as on a cluster, the shared CTEs were written as Parquet (no local checkpoints)
    assert list((sidecar_dir(workspace) / "derived").glob("_follow_features_*/*.parquet"))


def test_both_builds_have_the_same_tables(both_builds):
    duck, remote = both_builds
    query = "select table_name from information_schema.tables where table_name != 'meta'"
    assert {r[0] for r in remote.execute(query).fetchall()} == set(KEYS)
    assert {r[0] for r in duck.execute(query).fetchall()} == set(KEYS)


@pytest.mark.parametrize("table", sorted(set(KEYS) - {"model_files"}))
def test_connect_table_equals_duckdb(both_builds, table):
    assert_same_table(*both_builds, table)


def test_connect_spikes_and_verdicts_are_identical(both_builds):
    assert_same_spikes(*both_builds)


def test_connect_build_stores_the_same_model(both_builds):
    assert_same_model(*both_builds)
