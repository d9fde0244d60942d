"""Data page, exports and attack sandbox: AppTests on the sample workspace plus core unit tests."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from shown import proto_strings, shown
from streamlit.testing.v1 import AppTest

from followaudit import ui
from followaudit.decide import exports, policy
from followaudit.pipeline import build, sandbox
from followaudit.store import uploads
from followaudit.store.workspace import PROJECT_ROOT, Workspace
from followaudit.ui import data as ui_data
from followaudit.ui import demo
from followaudit.ui import session as ui_session

DATA_PAGE = "pages/7_Data.py"
SANDBOX_PAGE = "pages/8_Attack_Sandbox.py"
GOOD_ACCOUNTS = (
    "account_id,username,created_at,has_profile_pic,follower_count,following_count,video_count\n"
    "1,alice,2024-01-01,true,10,5,1\n2,bob,2024-01-02,false,3,50,0\n"
)


def open_page(page: str, ws_path: Path, monkeypatch) -> AppTest:
    """Run `page` through app.py on the workspace at `ws_path`."""
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(ws_path))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=180)
    at.switch_page(page)
    return at.run()


def folder_mode(at: AppTest) -> AppTest:
    """The Data page's canonical-folder path (the import wizard is the default)."""
    return at.radio(key="data_mode").set_value(ui_data.MODE).run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    """Every text a user can read on the page (markdown, captions, alerts, metrics)."""
    parts = [
        e.value
        for group in (at.markdown, at.caption, at.error, at.success, at.info, at.warning)
        for e in group
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def sandbox_dirs(tmp_path, monkeypatch) -> Path:
    """Workspaces and uploads go to a temp folder, never the project's workspaces/."""
    monkeypatch.setattr(ui_session, "WORKSPACES_DIR", tmp_path / "workspaces")
    monkeypatch.setattr(ui_data, "UPLOADS_DIR", tmp_path / "workspaces" / "uploads")
    return tmp_path / "workspaces"


def test_data_page_lists_downloads_of_every_export(sample_workspace_path, monkeypatch):
    at = open_page(DATA_PAGE, sample_workspace_path, monkeypatch)
    no_exception(at)
    shown = texts(at)
    for name in ("flagged accounts", "spikes", "audience scores"):
        assert f"**{name}**" in shown


def test_a_broken_folder_shows_every_problem_precisely(
    sample_workspace_path, tmp_path, monkeypatch
):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "accounts.csv").write_text(GOOD_ACCOUNTS.replace("false,3,50", "maybe,3,50"))
    (bad / "follows.csv").write_text("follower_id,creator_id,followed_at\n2,1,2024-02-01\n1,9")
    monkeypatch.setenv("FOLLOWAUDIT_DATA_ROOTS", str(tmp_path))  # a folder this app may read
    at = folder_mode(open_page(DATA_PAGE, sample_workspace_path, monkeypatch))
    at.text_input(key="data_folder").input(str(bad)).run()
    no_exception(at)
    assert "2 problem(s)" in at.error[0].value
    problems = at.dataframe[0].value
    rows = {(r.file, r.column, r.rows) for r in problems.itertuples()}
    assert ("accounts.csv", "has_profile_pic", "2") in rows
    assert ("follows.csv", "", "2") in rows
    assert not [b for b in at.button if b.key == "data_build"]


def test_a_good_folder_builds_a_workspace_and_switches_to_it(
    sample_workspace_path, sandbox_dirs, tmp_path, monkeypatch
):
    monkeypatch.setattr(
        build, "derived_steps", lambda: []
    )  # load only: the pipeline has its own tests
    good = tmp_path / "good_data"
    good.mkdir()
    (good / "accounts.csv").write_text(GOOD_ACCOUNTS)
    monkeypatch.setenv("FOLLOWAUDIT_DATA_ROOTS", str(tmp_path))  # a folder this app may read
    at = folder_mode(open_page(DATA_PAGE, sample_workspace_path, monkeypatch))
    at.text_input(key="data_folder").input(str(good)).run()
    assert at.text_input(key="data_ws_name").value == "good_data"
    at.button(key="data_build").click().run()
    no_exception(at)
    built = sandbox_dirs / "good_data.duckdb"
    assert built.is_file()
    assert at.session_state["ui_workspace"] == str(built)
    assert any("Now looking at good_data.duckdb" in shown(s.value) for s in at.success)


@pytest.mark.parametrize(
    ("name", "column"), [("spikes", "creator_username"), ("flagged_accounts", "username")]
)
def test_demo_mode_pseudonymises_the_exports(sample_workspace_path, monkeypatch, name, column):
    ws = Workspace.open(sample_workspace_path)
    # the page modules call through the `ui` facade, the session through its own globals
    for target in (ui, ui_session):
        monkeypatch.setattr(target, "current_workspace", lambda: ws)
        monkeypatch.setattr(target, "demo_mode", lambda: True)
    try:
        frame = ui_data._export_frame(name)
    finally:
        ws.close()
    names = frame[column].drop_nulls()
    assert frame.height and names.len() > frame.height / 2  # most rows do name an account
    assert names.str.starts_with(demo.PREFIX).all()


def test_exports_round_trip_as_csv_and_parquet():
    frame = pl.DataFrame({"account_id": [1, 2], "username": ["a", "b"], "score": [0.5, 0.9]})
    assert pl.read_csv(io.BytesIO(exports.to_csv(frame))).equals(frame)
    assert pl.read_parquet(io.BytesIO(exports.to_parquet(frame))).equals(frame)


def test_uploads_are_staged_under_safe_names(tmp_path):
    folder = uploads.stage_uploads(
        [("../../evil/accounts.csv", b"x"), ("follows.PARQUET", b"y")], tmp_path
    )
    assert folder.parent == tmp_path
    assert sorted(p.name for p in folder.iterdir()) == ["accounts.csv", "follows.parquet"]
    with pytest.raises(uploads.UploadError, match="expected a .csv or .parquet"):
        uploads.stage_uploads([("accounts.xlsx", b"x")], tmp_path)


@pytest.mark.parametrize("name", ["", "../x", "a b", "x" * 60, ".hidden"])
def test_bad_workspace_names_are_refused(tmp_path, name):
    with pytest.raises(uploads.UploadError, match="workspace name"):
        uploads.workspace_file(name, tmp_path)


def test_flagged_accounts_carry_the_policy_columns():
    flagged = pl.DataFrame(  # the decision layer's flagged_frame: riskiest first
        {"account_id": [3, 1], "score": [0.8, 0.9], "risk": [0.95, 0.9]}
    ).with_columns(tier=pl.lit("review"), rule_hits=pl.lit(""))
    details = pl.DataFrame({"account_id": [1, 3], "username": ["a", "c"]})
    out = exports.with_policy(details, flagged)
    assert out["account_id"].to_list() == [3, 1] and out["username"].to_list() == ["c", "a"]
    assert {"risk", "tier", "rule_hits"} <= set(out.columns)


# --- attack sandbox -----------------------------------------------------------------------


def test_sandbox_page_renders_the_attack_form(sample_workspace_path, monkeypatch):
    at = open_page(SANDBOX_PAGE, sample_workspace_path, monkeypatch)
    no_exception(at)
    assert at.selectbox(key="sandbox_creator").options
    assert at.slider(key="sandbox_size").value == 500


@pytest.fixture(scope="module")
def tiny_workspace(tmp_path_factory) -> Path:
    """A generated 3,000-account world built into a workspace (its meta records the data folder)."""
    from followaudit.synth import WorldConfig, generate_world

    root = tmp_path_factory.mktemp("tiny")
    generate_world(root / "data", WorldConfig(seed=3, accounts=3000), show_progress=False)
    build.build_workspace(root / "data", root / "tiny.duckdb")
    return root / "tiny.duckdb"


def _data_and_top_creator(ws_path: Path) -> tuple[Path, int]:
    """The folder the workspace was built from and its creator with the most followers."""
    ws = Workspace.open(ws_path)
    try:
        top = int(ws.query("sandbox/creators", limit=1)["creator_id"][0])
        return Path(ws.meta()["data_dir"]), top
    finally:
        ws.close()


def _account_ids(folder: Path) -> set[int]:
    return set(pl.read_parquet(folder / "accounts.parquet", columns=["account_id"])["account_id"])


def test_run_attack_reports_caught_accounts_and_spike(tiny_workspace, monkeypatch):
    """A real run: 300 plain bots in one day injected into a scratch copy, rebuilt and scored."""
    data, creator = _data_and_top_creator(tiny_workspace)
    scratch_folders = []

    def recording_build(data_dir, out_path, progress=None):
        scratch_folders.append(Path(data_dir))
        return build.build_workspace(data_dir, out_path, progress)

    monkeypatch.setattr(sandbox, "build_workspace", recording_build)
    attack = sandbox.Attack(creator, 300, 1, 0.0, 3)
    ws = Workspace.open(tiny_workspace)
    result = sandbox.run_attack(data, ws, attack, policy.default_policy())
    scratch = scratch_folders[0]
    truth = {"labels", "campaigns", "events"}  # the batch must not leak into training
    assert [f.name for f in scratch.iterdir() if f.stem in truth] == []
    # the accounts are exactly the injected ones, flagged as the policy says
    injected = _account_ids(scratch) - _account_ids(data)
    accounts = result.accounts
    assert len(injected) == 300 and set(accounts["account_id"]) == injected
    assert accounts["flagged"].to_list() == (accounts["risk"] >= result.threshold).to_list()
    assert 0 < result.caught == accounts["flagged"].sum() and result.recall == result.caught / 300
    # the spike: a suspicious spike of the attacked creator covers the one-day injection window
    start, end = result.window
    assert timedelta(0) <= end - start <= timedelta(days=1)
    assert result.spike_caught
    caught = result.spikes.filter(pl.col("verdict") == "suspicious")
    assert (caught["start"] <= end.date()).all() and (caught["end"] >= start.date()).all()
    assert caught["followers_gained"].max() >= attack.size
    again = sandbox.run_attack(data, ws, attack, policy.default_policy())
    ws.close()
    assert (
        len(scratch_folders) == 1 and again.caught == result.caught
    )  # the scratch world is reused


SPIKE = pl.DataFrame(
    {
        "spike_id": [5],
        "start": [date(2026, 9, 1)],
        "end": [date(2026, 9, 2)],
        "followers_gained": [1300],
        "verdict": ["suspicious"],
        "kind": ["burst"],
    }
)


@pytest.mark.parametrize(
    ("spikes", "verdict"),
    [
        (SPIKE, "suspicious"),
        (SPIKE.with_columns(verdict=pl.lit("explained")), "explained"),  # seen, not as an attack
        (SPIKE.clear(), "no spike"),
    ],
    ids=["suspicious spike", "explained spike", "no spike"],
)
def test_sandbox_page_shows_what_was_caught(sample_workspace_path, monkeypatch, spikes, verdict):
    seen = []

    def fake_run(data_dir, workspace, attack, active, progress=None, threshold=None):
        seen.append((attack, threshold))
        progress("rebuilding", 0.5)
        accounts = pl.DataFrame(
            {
                "account_id": [10, 11, 12, 13],
                "risk": [0.99, 0.95, 0.4, 0.2],
                "flagged": [True, True, False, False],
            }
        )
        return sandbox.AttackResult(attack, accounts, spikes, 0.8, ("2026-09-01", "2026-09-02"))

    monkeypatch.setattr(sandbox, "run_attack", fake_run)
    at = open_page(SANDBOX_PAGE, sample_workspace_path, monkeypatch)
    at.slider(key="sandbox_size").set_value(1200)
    at.slider(key="sandbox_camouflage").set_value(0.5)
    at.button(key="sandbox_run").click().run()
    no_exception(at)
    assert seen and seen[0][0].size == 1200 and seen[0][0].camouflage == 0.5
    assert seen[0][1] == 0.8  # caught at the line the active policy draws in this workspace
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Injected accounts"] == "4"
    assert metrics["Flagged by the active policy"] == "2"
    assert metrics["Spike verdict"] == verdict and metrics["Share caught"] == "50%"
    assert "Spike detected" not in metrics  # never "no" next to the spike it lists
    tables = [d.value for d in at.dataframe if "verdict" in d.value.columns]
    shown = [int(i) for table in tables for i in table["spike_id"]]  # ids reach tables as text
    assert shown == spikes["spike_id"].to_list()
    blended = [w.value for w in at.warning if "blended in" in w.value]
    assert bool(blended) == spikes.is_empty()


def test_data_page_works_before_any_workspace_exists(tmp_path, monkeypatch):
    at = open_page(DATA_PAGE, tmp_path / "none_yet.duckdb", monkeypatch)
    no_exception(at)
    assert any("No workspace is open yet" in i.value for i in at.info)
    assert at.file_uploader(key="wiz_upload") is not None
    assert folder_mode(at).text_input(key="data_folder") is not None


# --- demo mode on every page ----------------------------------------------------------------

ALL_PAGES = ["app.py"] + sorted(f"pages/{p.name}" for p in (PROJECT_ROOT / "pages").glob("*.py"))


def _page_strings(at: AppTest) -> str:
    """Every string the page sends to the browser: element protos plus dataframe cells."""
    out = []

    def walk(node) -> None:
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)
        if getattr(node, "proto", None) is not None:
            out.append(str(node.proto))
        value = getattr(node, "value", None)
        if hasattr(value, "to_csv"):
            out.append(value.to_csv())

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(out)


@pytest.fixture(scope="module")
def real_names(sample_workspace_path) -> dict:
    """Usernames and display names of the sample world, plus a creator and an account to open."""
    ws = Workspace.open(sample_workspace_path)
    try:
        con = ws.con
        users = {
            r[0]
            for r in con.execute("select username from accounts").fetchall()
            if r[0] and len(r[0]) >= 5
        }
        shown = {
            r[0]
            for r in con.execute("select display_name from accounts").fetchall()
            if r[0] and len(r[0]) >= 8
        }
        creator = con.execute(
            "select creator_id from spikes order by score desc limit 1"
        ).fetchall()[0][0]
        account = con.execute(
            "select account_id from account_scores order by score desc limit 1"
        ).fetchall()[0][0]
    finally:
        ws.close()
    return {"names": users | shown, "creator": creator, "account": account}


def _leaks(text: str, names: set[str]) -> list[str]:
    words = set(re.findall(r"[A-Za-z0-9_.]+", text))
    return sorted(n for n in names if n in words or (" " in n and n in text))


def _sweep(ws_path: Path, names: dict, page: str, demo: bool, monkeypatch) -> list[str]:
    """Real names found on `page` opened at the sample's top creator and account."""
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(ws_path))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=180)
    if page != "app.py":
        at.switch_page(page)
    at.query_params.update(creator=str(names["creator"]), account=str(names["account"]))
    if demo:
        at.query_params["demo"] = "1"
    at.run()
    no_exception(at)
    texts = _shown_texts(at)
    if page == "pages/4_Threshold_Lab.py":  # only the open tab is drawn: sweep every tab
        for tab in LAB_TABS[1:]:
            at.session_state["lab_tab"] = tab
            at.run()
            no_exception(at)
            texts += _shown_texts(at)
    return _leaks("\n".join(texts), names["names"])


LAB_TABS = ["Curves", "Cost", "Collateral damage", "Creator impact", "Score distribution"]


def _shown_texts(at: AppTest) -> list[str]:
    strings = [shown(text) for _, text in proto_strings(at)]  # Markdown as the reader sees it
    return [_page_strings(at), *strings]


# Pages that show no username or display name even without demo mode (so the demo sweep there
# has nothing to find): every other page must show real names without demo mode, or the sweep
# proves nothing about it.
NO_NAMES_SHOWN = {
    "pages/3_Global_Explanations.py": "feature-level charts only",
    "pages/5_Policies.py": "policy versions and counts only",
    "pages/7_Data.py": "import forms and download buttons only",
}


@pytest.mark.parametrize("page", ALL_PAGES)
def test_demo_mode_leaves_no_real_name_on_any_page(
    sample_workspace_path, real_names, monkeypatch, page
):
    assert _sweep(sample_workspace_path, real_names, page, True, monkeypatch) == []


@pytest.mark.parametrize("page", [p for p in ALL_PAGES if p not in NO_NAMES_SHOWN])
def test_the_name_sweep_finds_real_names_without_demo_mode(
    sample_workspace_path, real_names, monkeypatch, page
):
    assert _sweep(sample_workspace_path, real_names, page, False, monkeypatch)
