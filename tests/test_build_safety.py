"""One build at a time, and an all-or-nothing swap (issue 12, High 2).

Kills are deterministic: the child build stops itself at a named point
(`FOLLOWAUDIT_TEST_STOP_AT`, see `store/crash_points.py`), so no test sleeps to land a kill.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from followaudit.cli import main
from followaudit.detect import model
from followaudit.pipeline.build import build_workspace, data_fingerprint, stop_points
from followaudit.pipeline.staging import BuildBusy, exclusive_build
from followaudit.store.crash_points import STOP_AT
from followaudit.store.workspace import Workspace, sidecar_dir
from followaudit.synth import WorldConfig, generate_world


@pytest.fixture(scope="module")
def worlds(tmp_path_factory) -> tuple[Path, Path]:
    """Two data folders that build different workspaces with different trained models."""
    a = tmp_path_factory.mktemp("world") / "a"
    generate_world(a, WorldConfig(seed=3, accounts=1000))
    b = a.parent / "b"
    shutil.copytree(a, b)
    labels = pl.read_parquet(b / "labels.parquet")
    labels.head(labels.height * 2 // 3).write_parquet(b / "labels.parquet")
    return a, b


@pytest.fixture(scope="module")
def built_a(worlds, tmp_path_factory) -> Path:
    """World a, built once; each test copies it."""
    path = tmp_path_factory.mktemp("built") / "w.duckdb"
    build_workspace(worlds[0], path)
    return path


@pytest.fixture
def workspace(built_a, tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    shutil.copy(built_a, path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_consistent(path: Path, data: Path) -> None:
    """The workspace, its meta and its model all come from one build of `data`."""
    ws = Workspace.open(path)
    try:
        meta = ws.meta()
        assert meta["data_fingerprint"] == data_fingerprint(data)
        assert meta["build_id"] and meta["model_source"] == "trained"
        labelled = ws.con.execute("select count(*) from labels").fetchone()[0]
        assert model.load_for_workspace(ws).card["rows"] == labelled
    finally:
        ws.close()


def leftovers(path: Path) -> list[str]:
    """Temp files and staging folders a build leaves behind (none after a build finishes)."""
    side = sidecar_dir(path)
    found = [p.name for p in path.parent.glob("*.building*")]
    found += [p.name for p in (side / "staging").glob("*")] if (side / "staging").exists() else []
    found += [n for n in ("model.new", "model") if (side / n).exists()]
    return found


def build_child(data: Path, path: Path, log: Path, stop_at: str | None = None, *extra: str):
    env = {**os.environ, STOP_AT: stop_at} if stop_at else dict(os.environ)
    argv = [sys.executable, "-m", "followaudit.cli", "build", "--data", str(data)]
    argv += ["--workspace", str(path), *extra]
    with log.open("w") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("point", stop_points())
def test_a_build_killed_at_any_point_leaves_one_consistent_workspace(
    point, worlds, workspace, tmp_path
):
    a, b = worlds
    before = digest(workspace)
    child = build_child(b, workspace, tmp_path / "child.log", point)
    assert child.wait(timeout=300) == -signal.SIGKILL, (tmp_path / "child.log").read_text()
    if point == "build.swapped":  # the rename happened: the new build, whole
        assert_consistent(workspace, b)
    else:
        assert digest(workspace) == before
        assert_consistent(workspace, a)
    build_workspace(a, workspace)  # the next build succeeds ...
    assert_consistent(workspace, a)
    assert leftovers(workspace) == []  # ... and clears what the killed one left


def test_a_second_build_exits_2_naming_the_holder(worlds, workspace, capsys):
    before = digest(workspace)
    with exclusive_build(workspace):
        code = main(["build", "--data", str(worlds[1]), "--workspace", str(workspace)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"is being built by pid {os.getpid()} since 20" in err and "--wait" in err
    assert "Traceback" not in err and digest(workspace) == before


def test_the_lock_is_per_workspace(worlds, workspace, tmp_path):
    with exclusive_build(workspace):
        build_workspace(worlds[0], tmp_path / "other.duckdb")
    with exclusive_build(workspace), pytest.raises(BuildBusy):
        build_workspace(worlds[0], workspace)


def test_wait_builds_after_the_holder_finishes(worlds, workspace, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(workspace)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "holding"
        log = tmp_path / "waiter.log"
        waiter = build_child(worlds[1], workspace, log, None, "--wait")
        _wait_for(lambda: "waiting: " in log.read_text())
        assert waiter.poll() is None  # still waiting while the lock is held
        holder.stdin.close()  # the holder releases the lock
        assert waiter.wait(timeout=300) == 0, log.read_text()
    finally:
        holder.kill()
        holder.wait()
    assert_consistent(workspace, worlds[1])


HOLD_LOCK = """
import sys
from pathlib import Path
from followaudit.pipeline.staging import exclusive_build
with exclusive_build(Path(sys.argv[1])):
    print("holding", flush=True)
    sys.stdin.read()
"""


def _wait_for(condition, timeout: float = 120.0) -> None:
    """Poll for a state another process reaches (not a sleep to land a kill)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_stale_files_of_the_previous_layout_are_removed(worlds, workspace):
    """Killed builds before the lock left `W.<random>.building` (22 MB) and `W.d/model.new/`."""
    stale = workspace.parent / "w.k2j3.building"
    stale.write_bytes(b"x" * 1000)
    (workspace.parent / "w.k2j3.building.wal").write_bytes(b"x")
    (sidecar_dir(workspace) / "model.new").mkdir(parents=True)
    build_workspace(worlds[0], workspace)
    assert leftovers(workspace) == []


def test_analyst_work_in_the_sidecar_survives_builds(worlds, workspace):
    note = sidecar_dir(workspace) / "policies" / "keep.txt"
    note.parent.mkdir(parents=True)
    note.write_text("mine")
    build_workspace(worlds[1], workspace)
    assert note.read_text() == "mine"


def test_the_stop_hook_is_inert_without_the_variable(monkeypatch, worlds, tmp_path):
    monkeypatch.delenv(STOP_AT, raising=False)
    report = build_workspace(worlds[0], tmp_path / "w.duckdb")
    assert report.build_id and Workspace.open(report.path).meta()["build_id"] == report.build_id


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_derived_folder_is_staged_and_swapped_whole(tmp_path):
    from followaudit.pipeline.staging import (
        Staging,
        remove_stale_folders,
        staged_folder,
        swap_folder,
    )

    side = tmp_path / "w.d"
    stage = Staging("b1", side / "staging" / "b1")
    # W.d/derived is staged inside the build's own staging folder (removed with it)
    assert staged_folder(side / "derived", stage) == stage.root / "derived"
    # another folder beside itself (one file system), named by the build
    elsewhere = tmp_path / "lake" / "derived"
    assert staged_folder(elsewhere, stage) == tmp_path / "lake" / "derived.building-b1"
    (tmp_path / "lake" / "derived.building-dead").mkdir(parents=True)  # a killed build's
    remove_stale_folders(elsewhere)  # under the lock, before this build writes
    assert not (tmp_path / "lake" / "derived.building-dead").exists()
    for folder, text in ((elsewhere, "old"), (staged_folder(elsewhere, stage), "new")):
        (folder / "spikes").mkdir(parents=True)
        (folder / "spikes" / "part-0.parquet").write_text(text)
    swap_folder(staged_folder(elsewhere, stage), elsewhere)
    assert _files(elsewhere) == {"spikes/part-0.parquet": b"new"}
    assert sorted(p.name for p in (tmp_path / "lake").iterdir()) == ["derived"]
    # the first build: nothing to exchange with
    fresh = tmp_path / "fresh"
    (tmp_path / "staged").mkdir()
    swap_folder(tmp_path / "staged", fresh)
    assert fresh.is_dir() and not (tmp_path / "staged").exists()
