"""Server folders only under configured roots; a typed workspace path cannot lock a session;
where `[auth]` is configured, pages ask for a login and labels carry the logged-in name."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from shown import all_text
from streamlit.testing.v1 import AppTest

from followaudit.store import roots
from followaudit.store.analyst import AnalystStore
from followaudit.store.workspace import PROJECT_ROOT, sidecar_dir
from followaudit.ui import data as ui_data

SAMPLE = PROJECT_ROOT / "sample_data"
PASSWD = Path("/etc/passwd")
DATA, HOME, ACCOUNT = "pages/7_Data.py", "app.py", "pages/2_Account_Explanation.py"


@pytest.fixture
def allowed(tmp_path, monkeypatch) -> Path:
    """A data root holding a good folder (the sample world) and the rest of tmp_path outside."""
    root = tmp_path / "root"
    shutil.copytree(SAMPLE, root / "good")
    monkeypatch.setenv(roots.ROOTS_ENV, str(root))
    return root


def test_default_roots_are_the_sample_data_and_the_uploads(monkeypatch, tmp_path):
    monkeypatch.delenv(roots.ROOTS_ENV, raising=False)
    assert roots.data_roots([SAMPLE, tmp_path]) == [SAMPLE.resolve(), tmp_path.resolve()]
    monkeypatch.setenv(roots.ROOTS_ENV, f"{tmp_path}{os.pathsep}~")
    assert roots.data_roots([SAMPLE]) == [tmp_path.resolve(), Path.home().resolve()]


@pytest.mark.parametrize("typed", ["/etc", "~", "../..", "{root}/../", "{root}/good/../../", ""])
def test_paths_outside_the_roots_are_refused(typed, allowed):
    with pytest.raises(roots.FolderRefused):
        roots.allowed_folder(typed.format(root=allowed), [allowed.resolve()])


def test_a_link_out_of_the_roots_is_refused(allowed, tmp_path):
    (allowed / "link").symlink_to("/etc", target_is_directory=True)
    with pytest.raises(roots.FolderRefused, match="outside the folders"):
        roots.allowed_folder(str(allowed / "link"), [allowed.resolve()])
    (allowed / "good" / "labels.parquet").unlink()
    (allowed / "good" / "labels.csv").symlink_to(PASSWD)
    with pytest.raises(roots.FolderRefused, match="labels.csv in .* links outside"):
        roots.allowed_folder(str(allowed / "good"), [allowed.resolve()])


def test_a_folder_under_the_roots_is_allowed(allowed):
    assert roots.allowed_folder(f"{allowed}/good/", [allowed.resolve()]) == allowed / "good"


def open_page(workspace, page, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    if page != HOME:
        at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def folder_mode(at: AppTest) -> AppTest:
    """The Data page's canonical-folder path (the import wizard is the default)."""
    return ok(at.radio(key="data_mode").set_value(ui_data.MODE).run())


@pytest.mark.parametrize("typed", ["/etc", "~", "../../.."])
def test_data_page_refuses_server_folders_outside_the_roots(
    typed, allowed, sample_workspace_path, monkeypatch
):
    at = folder_mode(ok(open_page(sample_workspace_path, DATA, monkeypatch).run()))
    ok(at.text_input(key="data_folder").input(typed).run())
    assert any("outside the folders this app may read" in e.value for e in at.error)
    assert not any("problem" in e.value for e in at.error), "the folder was validated"


def test_a_linked_passwd_never_shows_its_first_line(allowed, sample_workspace_path, monkeypatch):
    good = allowed / "good"
    (good / "labels.parquet").unlink()
    (good / "labels.csv").symlink_to(PASSWD)
    at = folder_mode(ok(open_page(sample_workspace_path, DATA, monkeypatch).run()))
    ok(at.text_input(key="data_folder").input(str(good)).run())
    first_line = PASSWD.read_text().splitlines()[0]
    assert first_line.split(":")[0] + ":" not in all_text(at)
    assert any("links outside" in e.value for e in at.error)


def test_data_page_reads_a_folder_under_the_roots(allowed, sample_workspace_path, monkeypatch):
    at = folder_mode(ok(open_page(sample_workspace_path, DATA, monkeypatch).run()))
    ok(at.text_input(key="data_folder").input(str(allowed / "good")).run())
    assert any("No problems" in s.value for s in at.success)


@pytest.mark.parametrize("typed", [str(PASSWD), "/etc", "../../etc/passwd", "{sample}"])
def test_a_typed_workspace_path_never_locks_the_session(typed, sample_workspace_path, monkeypatch):
    """`/etc/passwd` (or any file that is not a workspace here) is refused where it is typed,
    and every page keeps working on the current workspace."""
    sample = SAMPLE / "accounts.parquet"
    at = ok(open_page(sample_workspace_path, HOME, monkeypatch).run())
    ok(at.text_input(key="home_workspace_path").input(typed.format(sample=sample)).run())
    assert at.error, "the path was accepted"
    ok(at.run())
    assert [m.label for m in at.metric][:1] == ["Accounts"], "Home no longer opens"
    at.switch_page(ACCOUNT)
    ok(at.run())
    assert not any("Cannot open the workspace" in e.value for e in at.error)


def test_a_chosen_workspace_that_stops_opening_falls_back(
    sample_workspace_path, tmp_path, monkeypatch
):
    """A session whose chosen workspace breaks (deleted, replaced by junk) is not stuck on it."""
    chosen = tmp_path / "workspaces" / "mine.duckdb"
    chosen.parent.mkdir()
    shutil.copy(sample_workspace_path, chosen)
    monkeypatch.setenv(roots.ROOTS_ENV, str(chosen.parent))
    at = ok(open_page(sample_workspace_path, HOME, monkeypatch).run())
    ok(at.text_input(key="home_workspace_path").input(str(chosen)).run())
    chosen.write_text("not a workspace any more")
    ok(at.run())
    assert any("Back on the default one" in w.value for w in at.warning)
    assert [m.label for m in at.metric][:1] == ["Accounts"]


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "followaudit",
    "client_secret": "x",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}


def test_with_auth_every_page_asks_for_a_login(sample_workspace_path, monkeypatch):
    for page in (HOME, ACCOUNT, DATA):
        at = open_page(sample_workspace_path, page, monkeypatch)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": False}
        ok(at.run())
        assert [b.label for b in at.button] == ["Log in"]
        assert not at.metric and not at.dataframe, f"{page} showed data before a login"


def test_with_auth_labels_carry_the_logged_in_name(sample_workspace_path, tmp_path, monkeypatch):
    workspace = tmp_path / "w.duckdb"
    shutil.copy(sample_workspace_path, workspace)
    con = duckdb.connect(str(workspace), read_only=True)
    (account,) = con.execute("select account_id from account_scores limit 1").fetchone()
    con.close()
    at = open_page(workspace, ACCOUNT, monkeypatch, account=str(account))
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "name": "Ann Analyst", "email": "ann@example.com"}
    at.session_state["ui_reviewer"] = "someone else"
    ok(at.run())
    reviewer = at.text_input(key="sidebar_reviewer")
    assert reviewer.value == "Ann Analyst" and reviewer.disabled
    at.radio(key="acct_label").set_value("fake")
    ok(next(b for b in at.button if b.label == "Save label").click().run())
    stored = AnalystStore(sidecar_dir(workspace)).current_label(account)
    assert stored["reviewer"] == "Ann Analyst"
