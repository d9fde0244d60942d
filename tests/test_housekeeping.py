"""Housekeeping of the web side: staged uploads are cleaned by age and size, two sessions staging
or attacking the same thing at once both succeed, and the Growth page's follower-list upload
answers every broken file with a message naming it, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from shown import shown
from streamlit.testing.v1 import AppTest

from followaudit.decide import policy
from followaudit.pipeline import build, sandbox
from followaudit.store import uploads
from followaudit.store.workspace import PROJECT_ROOT, Workspace
from followaudit.ui import data as ui_data
from followaudit.ui import session as ui_session

DAY = 24 * 3600


def _staged(root: Path, name: str, size: int, age_s: float) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "accounts.csv").write_bytes(b"x" * size)
    then = time.time() - age_s
    os.utime(folder, (then, then))
    return folder


def test_old_and_oversized_staged_uploads_are_removed(tmp_path):
    old = _staged(tmp_path, "a" * 16, 10, 2 * DAY)
    kept = _staged(tmp_path, "b" * 16, 10, 3 * DAY)
    big_old = _staged(tmp_path, "c" * 16, 600, 3600)
    big_new = _staged(tmp_path, "d" * 16, 600, 1800)
    fresh = _staged(tmp_path, "e" * 16, 600, 10)
    other = _staged(tmp_path, "not-staged", 10, 9 * DAY)
    removed = uploads.clean_staged(tmp_path, keep=[kept], max_bytes=1300)
    assert removed == [old, big_old]  # a day old; then the oldest while over 1,300 bytes
    assert all(f.exists() for f in (kept, big_new, fresh, other))


def test_the_folders_workspaces_were_built_from_are_known(sample_workspace_path):
    assert uploads.built_from([sample_workspace_path]) == {(PROJECT_ROOT / "sample_data").resolve()}
    assert uploads.built_from([sample_workspace_path.with_name("missing.duckdb")]) == set()


def test_two_uploaded_files_with_one_safe_name_are_refused(tmp_path):
    with pytest.raises(uploads.UploadError, match="both be saved as a_b.csv"):
        uploads.stage_uploads([("a b.csv", b"1"), ("a_b.csv", b"2")], tmp_path)


def test_sessions_staging_the_same_upload_never_read_half_a_file(tmp_path):
    """Two sessions upload the same files at once (one staged folder): a reader in between sees
    the whole file every time, never a truncated one."""
    data = b"account_id,username\n" + b"1,someone\n" * 200_000
    folder = uploads.stage_uploads([("accounts.csv", data)], tmp_path)
    done, torn = threading.Event(), []

    def stage_again():
        for _ in range(15):
            uploads.stage_uploads([("accounts.csv", data)], tmp_path)
        done.set()

    writers = [threading.Thread(target=stage_again) for _ in range(2)]
    for writer in writers:
        writer.start()
    while not done.is_set():
        size = len((folder / "accounts.csv").read_bytes())
        if size != len(data):
            torn.append(size)
    for writer in writers:
        writer.join()
    assert torn == []


@pytest.mark.parametrize("uploader", ["data_upload", "wiz_upload"])  # folder mode, the wizard
def test_the_data_page_cleans_old_uploads_but_keeps_a_built_ones_data(
    uploader, sample_workspace_path, tmp_path, monkeypatch
):
    workspaces = tmp_path / "workspaces"
    monkeypatch.setattr(ui_session, "WORKSPACES_DIR", workspaces)
    monkeypatch.setattr(ui_data, "UPLOADS_DIR", workspaces / "uploads")
    unused = _staged(workspaces / "uploads", "1" * 16, 10, 2 * DAY)
    source = _staged(workspaces / "uploads", "2" * 16, 10, 2 * DAY)
    shutil.rmtree(source)
    shutil.copytree(PROJECT_ROOT / "sample_data", source)
    build.build_workspace(source, workspaces / "from_upload.duckdb")
    os.utime(source, (time.time() - 2 * DAY,) * 2)
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(sample_workspace_path))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/7_Data.py")
    at.run()
    if uploader == "data_upload":
        at.radio(key="data_mode").set_value(ui_data.MODE).run()
    at.file_uploader(key=uploader).set_value(("accounts.csv", b"account_id\n1\n", "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not unused.exists() and source.exists()


# --- two sessions, one attack ---------------------------------------------------------------


@pytest.fixture
def attack_world(platform_workspace_path, tmp_path) -> tuple[Workspace, Path, int]:
    """A private copy of the platform world (its data folder is read, never written)."""
    target = tmp_path / "w.duckdb"
    shutil.copy(platform_workspace_path, target)
    ws = Workspace.open(target)
    data = Path(ws.meta()["data_dir"])
    creator = int(ws.query("sandbox/creators", limit=1)["creator_id"][0])
    yield ws, data, creator
    ws.close()


def test_two_sessions_running_the_same_attack_both_get_its_result(attack_world, monkeypatch):
    """The second session waits for the first one's build and reuses it; it used to delete the
    first's scratch data and fail on the build lock ('being built by pid N')."""
    ws, data, creator = attack_world
    first_building, second_waiting = threading.Event(), threading.Event()
    builds, results, errors = [], {}, []

    def slow_build(data_dir, out_path, progress=None):
        builds.append(out_path)
        first_building.set()
        second_waiting.wait(timeout=60)  # the second session has arrived and waits
        return build.build_workspace(data_dir, out_path, progress)

    monkeypatch.setattr(sandbox, "build_workspace", slow_build)
    attack = sandbox.Attack(creator, 60, 1, 0.0, 1)

    def session(name, progress):
        try:
            results[name] = sandbox.run_attack(data, ws, attack, policy.default_policy(), progress)
        except Exception as exc:  # any error, above all the misleading 'being built', fails
            errors.append(f"{name}: {exc!r}")

    def note_wait(step, fraction):
        if step.startswith("waiting"):
            second_waiting.set()

    first = threading.Thread(target=session, args=("first", None))
    first.start()
    assert first_building.wait(timeout=120)
    second = threading.Thread(target=session, args=("second", note_wait))
    second.start()
    first.join(timeout=300)
    second.join(timeout=300)
    assert errors == []
    assert len(builds) == 1, "the same attack was built twice"
    assert results["first"].caught == results["second"].caught
    assert results["first"].accounts.height == results["second"].accounts.height == 60


# --- the Growth page's follower-list upload ------------------------------------------------------

BROKEN_LISTS = {
    "nan.json": json.dumps({"1": {"rank": 0, "timestamp": float("nan")}}).encode(),
    "inf.csv": b"follower_id,rank,timestamp\n1,0,inf\n2,1,1600000000\n",
    "huge.csv": b"follower_id,rank,timestamp\n1,0,1e30\n2,1,1600000000\n",
    "surrogate.json": b'{"\\ud800": {"rank": 0, "timestamp": 1600000000}}',
    "binary.csv": bytes(range(256)),
    "empty.json": b"",
    "truncated.json": b'{"1": {"rank": 0, "times',
    "ranks.csv": b"follower_id,rank,timestamp\n1,0,1600000000\n2,0,1600000001\n",
}


@pytest.fixture(scope="module")
def growth_page(sample_workspace_path):
    """The Growth page of the strongest spike's creator (its follower-list uploader shows)."""
    ws = Workspace.open(sample_workspace_path)
    try:
        creator = ws.con.execute(
            "select creator_id from spikes order by score desc limit 1"
        ).fetchone()[0]
    finally:
        ws.close()
    return str(creator)


@pytest.mark.parametrize("name", sorted(BROKEN_LISTS))
def test_a_broken_follower_list_gets_a_message_naming_it(
    name, growth_page, sample_workspace_path, monkeypatch
):
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(sample_workspace_path))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/1_Growth_Anomalies.py")
    at.query_params["creator"] = growth_page
    at.run()
    at.file_uploader(key="growth_follower_list").set_value((name, BROKEN_LISTS[name], "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    message = shown(at.error[0].value)
    assert message.startswith(f"{name}: ") and "internal error" not in message, message
    assert "/tmp" not in message  # the upload's name, not the temp file's path
