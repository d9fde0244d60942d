"""Spark for the tests: whether it can run here, and a Spark Connect server of our own.

The server is its own process (local[2], 4 shuffle partitions, UI off). Its driver and its
executors' Python run `python -S -P` with the venv's third-party packages on PYTHONPATH: no
site, so no editable-install hook, and no current folder, so this checkout's followaudit cannot
be imported there. The only followaudit its executors can import is the one a client ships.

Run as a script: `serve PORT` is the server (prints "ready", serves until stdin closes);
`probe URL WHEEL` asks its executors where `import followaudit` comes from, without and then
with the wheel (a client process of its own: a Connect session in the test process would switch
pyspark into Connect mode for the classic session's tests too).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import polars as pl

SERVER_START_SECONDS = 240
# Every table of a built workspace and its key (the parity tests compare tables by it).
KEYS = {
    "accounts": ["account_id"],
    "follows": ["follower_id", "creator_id", "followed_at"],
    "engagement_daily": ["creator_id", "date"],
    "labels": ["account_id"],
    "campaigns": ["campaign_id"],
    "events": ["creator_id", "date", "kind"],
    "loaded_columns": ["table_name", "column_name"],
    "creator_daily": ["creator_id", "date"],
    "account_features": ["account_id"],
    "account_scores": ["account_id"],
    "shap_interactions": ["feature_a", "feature_b"],
    "feature_reference": ["feature"],
    "shap_sample": ["account_id", "feature"],
    "creator_daily_expected": ["creator_id", "date"],
    "spikes": ["spike_id"],
    "spike_followers": ["spike_id", "account_id", "followed_at"],
    "creator_quality": ["creator_id"],
    "model_files": ["name"],
}


def assert_close(expected: pl.Series, got: pl.Series, name: str) -> None:
    """Equal values: numbers within 1e-9 (relative), lists element by element, the rest as text."""
    if isinstance(expected.dtype, pl.List) and isinstance(got.dtype, pl.List):
        lengths = expected.list.len().to_list(), got.list.len().to_list()
        assert lengths[0] == lengths[1], f"{name}: list lengths differ"
        assert_close(expected.explode(), got.explode(), f"{name}[]")
        return
    if expected.dtype.is_numeric() and got.dtype.is_numeric():
        a = expected.cast(pl.Float64).fill_null(np.nan).to_numpy()
        b = got.cast(pl.Float64).fill_null(np.nan).to_numpy()
        same = (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=1e-9, atol=1e-12)
        assert same.all(), (
            f"{name}: {(~same).sum()} values differ, e.g. {a[~same][:3]} vs {b[~same][:3]}"
        )
        return
    same = (expected.cast(pl.String) == got.cast(pl.String)) | (expected.is_null() & got.is_null())
    assert same.fill_null(False).all(), f"{name}: {(~same.fill_null(False)).sum()} values differ"


def assert_same_table(expected_con, got_con, table: str) -> None:
    """`table` of two workspaces: same row count (> 0), columns and keys; values close."""
    expected = expected_con.sql(f"select * from {table}").pl().sort(KEYS[table])
    got = got_con.sql(f"select * from {table}").pl().sort(KEYS[table])
    assert expected.height > 0 and got.height == expected.height
    assert got.columns == expected.columns
    assert got.select(KEYS[table]).equals(expected.select(KEYS[table]))
    for column in expected.columns:
        assert_close(expected[column], got[column], f"{table}.{column}")


def assert_same_spikes(expected_con, got_con) -> None:
    """Identical spike lists and verdicts (and both kinds of verdict present)."""
    columns = 'spike_id, creator_id, start, "end", verdict, kind, reason'
    expected = expected_con.sql(f"select {columns} from spikes order by spike_id").pl()
    assert expected.height > 5 and {"suspicious", "explained"} <= set(expected["verdict"])
    assert got_con.sql(f"select {columns} from spikes order by spike_id").pl().equals(expected)


def assert_same_model(expected_con, got_con) -> None:
    """The same model text, and the same card but for when and how long it trained."""
    query = "select name, content from model_files order by name"
    expected = dict(expected_con.execute(query).fetchall())
    got = dict(got_con.execute(query).fetchall())
    assert set(expected) == set(got) == {"card.json", "model.txt"}
    assert got["model.txt"] == expected["model.txt"]
    cards = [json.loads(c["card.json"]) for c in (expected, got)]
    for card in cards:  # when and how long it trained differ by nature
        card.pop("trained_at")
        card.pop("train_seconds")
    assert cards[0] == cards[1]


def missing_spark() -> str | None:
    """Why Spark cannot run on this machine, or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None:
        return "java is not installed (apt-get install openjdk-17-jre-headless)"
    return None


def site_packages() -> str:
    """The venv's third-party packages as a PYTHONPATH (a cluster's executors have them)."""
    paths = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    return os.pathsep.join(paths)


@contextmanager
def connect_server(folder: Path) -> Iterator[str]:
    """A Spark Connect server on a free local port: yields its `sc://` URL; its output is in
    `folder/server.log`."""
    port = _free_port()
    python = folder / "python-no-site"
    python.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -S -P "$@"\n')
    python.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK", "SPARK", "PYTHON"))}
    env |= {"PYTHONPATH": site_packages(), "PYSPARK_PYTHON": str(python)}
    log_path = folder / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(python), __file__, "serve", str(port)],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
            env=env,
            start_new_session=True,
        )
        try:
            _wait_ready(server, log_path)
            yield f"sc://localhost:{port}"
        finally:
            _stop(server)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while "\nready\n" not in "\n" + log_path.read_text():
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the Spark Connect server did not start:\n{log_path.read_text()}")
        time.sleep(0.5)


def _stop(server: subprocess.Popen) -> None:
    """Closing its stdin stops the server (and its JVM, whose stdin is the server's pipe)."""
    server.stdin.close()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own process group: the server and its JVM
        server.wait()


def probe(url: str, wheel: Path, folder: Path) -> dict:
    """Where the server's executors import followaudit from: {"without": error, "with": file}."""
    command = [sys.executable, __file__, "probe", url, str(wheel)]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def _serve(port: str) -> None:
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("followaudit-connect-test")
        .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
        .config("spark.connect.grpc.binding.address", "127.0.0.1")
        .config("spark.connect.grpc.binding.port", port)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    print("ready", flush=True)
    sys.stdin.read()
    spark.stop()


def _probe(url: str, wheel: str) -> None:
    import pyarrow as pa
    from pyspark.sql import SparkSession

    def where(batches):
        import followaudit

        for _ in batches:
            yield pa.RecordBatch.from_pydict({"file": [followaudit.__file__]})

    spark = SparkSession.builder.remote(url).getOrCreate()
    found = spark.range(1, numPartitions=1).mapInArrow(where, "file string")
    try:
        without = {"file": found.first()["file"]}
    except Exception as exc:  # the executors' Python has no followaudit
        without = {"error": str(exc)}
    spark.addArtifacts(wheel, pyfile=True)
    print(json.dumps({"without": without, "with": found.first()["file"]}))
    spark.stop()


if __name__ == "__main__":
    {"serve": _serve, "probe": _probe}[sys.argv[1]](*sys.argv[2:])
