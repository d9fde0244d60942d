"""Untrusted text is plain text: every page, fed hostile names, bios, notes, reviewer names, URL
parameters, file names and cells, shows them only as `ui.plain` made them.

The pages run in AppTest on the platform world (every username, display name and bio is Markdown,
HTML, math, a link, an image or a Streamlit shortcode, and carries the word `evil`). Every string
the page hands to a Markdown-rendering element is collected from the element protos; once each
correctly escaped hostile value is removed from it, no `evil` may remain. The browser test
`tests/e2e/test_plain_text.py` shows that the escaped form renders as text in every such element.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from platform_world import HOSTILE, MARK, hostile
from shown import proto_strings
from streamlit.testing.v1 import AppTest

from followaudit.decide.policy import default_policy
from followaudit.decide.policy_store import PolicyStore
from followaudit.store.analyst import AnalystStore
from followaudit.store.workspace import PROJECT_ROOT, sidecar_dir
from followaudit.ui import data as ui_data
from followaudit.ui.text import plain

PAGES = ["app.py"] + sorted(f"pages/{p.name}" for p in (PROJECT_ROOT / "pages").glob("*.py"))
# Proto fields shown as plain text by the browser (never parsed as Markdown): table cells, chart
# specs (Vega escapes tooltips), selectbox options, text-input values, st.text / st.code.
PLAIN_FIELDS = (
    "Dataframe.",
    "VegaLiteChart.",
    "Selectbox.options",
    "Selectbox.raw_values",
    "Selectbox.default",
    "TextInput.value",
    "TextInput.default",
    "Text.body",
    "Code.code_text",
    "PageLink.page",
    "PageLink.query_string",
    "DownloadButton.url",
    ".id",
    ".form_id",
)


def markdown_strings(at: AppTest) -> list[tuple[str, str]]:
    """(proto field, text) of every string the page sent to an element that renders Markdown."""
    return [
        (name, text)
        for name, text in proto_strings(at)
        if not any(name.startswith(p) or name.endswith(p) for p in PLAIN_FIELDS)
    ]


def raw_hostile_text(at: AppTest) -> list[tuple[str, str]]:
    """Markdown strings in which some hostile text was not escaped by `plain`."""
    bad = []
    for name, text in markdown_strings(at):
        residue = text
        for value in HOSTILE:
            residue = residue.replace(plain(value), "")
        if MARK in residue:
            bad.append((name, text))
    return bad


def escaped_hostile_count(at: AppTest) -> int:
    """How many escaped hostile values the page shows (the sweep must really meet them)."""
    return sum(text.count(plain(v)) for _, text in markdown_strings(at) for v in HOSTILE)


@pytest.fixture(scope="module")
def hostile_copy(platform_workspace_path, tmp_path_factory) -> Path:
    """A copy of the platform world whose analysts wrote hostile notes, names and policies."""
    target = tmp_path_factory.mktemp("hostile") / "platform.duckdb"
    shutil.copy(platform_workspace_path, target)
    side = sidecar_dir(platform_workspace_path)
    if side.exists():
        shutil.copytree(side, sidecar_dir(target))
    store = AnalystStore(sidecar_dir(target))
    ids = world_ids(target)
    for i, account in enumerate((ids["account"], ids["top"])):
        store.add_label(account, "fake", hostile(i, "note"), hostile(i, "reviewer"))
    store.add_annotation(
        ids["creator"], ids["start"], ids["start"], "other", hostile(2, "ann"), hostile(3, "by")
    )
    PolicyStore(sidecar_dir(target)).save(
        default_policy().with_changes(name="hostile"), hostile(4, "author"), hostile(5, "why")
    )
    return target


def world_ids(path: Path) -> dict:
    """The strongest suspicious spike, its creator and top follower, and the top-scored account."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        spike, creator, start = con.execute(
            "select spike_id, creator_id, start from spikes where verdict = 'suspicious' "
            "order by score desc limit 1"
        ).fetchone()
        (account,) = con.execute(
            "select account_id from spike_followers where spike_id = ? "
            "order by score desc nulls last limit 1",
            [spike],
        ).fetchone()
        (top,) = con.execute(
            "select account_id from account_scores order by score desc limit 1"
        ).fetchone()
    finally:
        con.close()
    return {"spike": spike, "creator": creator, "start": start, "account": account, "top": top}


def open_page(workspace: Path, page: str, monkeypatch, **params) -> AppTest:
    """`page` on `workspace` with URL parameters, as a reviewer with a hostile name."""
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    if page != "app.py":
        at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.session_state["ui_reviewer"] = hostile(6, "me")
    return at.run()


def assert_plain(at: AppTest) -> int:
    """No exception and no hostile text outside `plain`; returns how many escaped values showed."""
    assert not at.exception, [e.value for e in at.exception]
    bad = raw_hostile_text(at)
    assert bad == [], "\n\n".join(text for _, text in bad)
    return escaped_hostile_count(at)


def test_every_page_shows_hostile_data_as_plain_text(hostile_copy, monkeypatch):
    """Every page's default view (links, names, bios, labels, policies) on the hostile world."""
    shown = {page: assert_plain(open_page(hostile_copy, page, monkeypatch)) for page in PAGES}
    for page in ("app.py", "pages/2_Account_Explanation.py", "pages/6_Review_Queue.py"):
        assert shown[page] > 0, f"{page} showed no hostile text: the sweep checks nothing there"


def test_a_creator_its_spike_and_notes_are_plain_text(hostile_copy, monkeypatch):
    ids = world_ids(hostile_copy)
    page = "pages/1_Growth_Anomalies.py"
    at = open_page(hostile_copy, page, monkeypatch, creator=ids["creator"], spike=ids["spike"])
    assert assert_plain(at) > 3


def test_an_account_its_bio_label_and_reviewer_are_plain_text(hostile_copy, monkeypatch):
    ids = world_ids(hostile_copy)
    at = open_page(hostile_copy, "pages/2_Account_Explanation.py", monkeypatch, account=ids["top"])
    assert assert_plain(at) >= 4  # username, display name, bio, note and reviewer
    assert any(plain(hostile(1, "reviewer")) in s.value for s in at.success)


URL_PARAMS = [
    ("pages/1_Growth_Anomalies.py", "creator"),
    ("pages/1_Growth_Anomalies.py", "spike"),
    ("pages/2_Account_Explanation.py", "account"),
    ("pages/2_Account_Explanation.py", "username"),
    ("pages/4_Threshold_Lab.py", "policy"),
    ("pages/6_Review_Queue.py", "creator"),
]


# Each parameter meets the image and one other kind (the browser test covers every kind in every
# element; here the point is that each echo goes through `plain`).
@pytest.mark.parametrize(
    ("page", "param", "value"),
    [(page, param, value) for i, (page, param) in enumerate(URL_PARAMS)
     for value in (HOSTILE[0], HOSTILE[i + 1])],
)  # fmt: skip
def test_hostile_url_parameters_are_plain_text(page, param, value, hostile_copy, monkeypatch):
    assert_plain(open_page(hostile_copy, page, monkeypatch, **{param: value}))


def test_searches_echo_hostile_text_as_plain_text(hostile_copy, monkeypatch):
    at = open_page(hostile_copy, "pages/1_Growth_Anomalies.py", monkeypatch)
    for value in HOSTILE[:4]:
        at.text_input(key="growth_search").input(value).run()
        assert_plain(at)
    at = open_page(hostile_copy, "pages/2_Account_Explanation.py", monkeypatch)
    at.text_input(key="acct_search").input("evil").run()
    assert assert_plain(at) > 0


def hostile_csv() -> bytes:
    header = ",".join(["account_id", "username", HOSTILE[1].replace(",", " ")])
    return f"{header}\n{HOSTILE[0]},{HOSTILE[2]},{HOSTILE[4]}\n".encode()


def test_data_page_echoes_paths_file_names_and_cells_as_plain_text(
    hostile_copy, tmp_path, monkeypatch
):
    monkeypatch.setattr(ui_data, "UPLOADS_DIR", tmp_path / "uploads")
    at = open_page(hostile_copy, "pages/7_Data.py", monkeypatch)
    at.file_uploader(key="wiz_upload").set_value(("t.csv", hostile_csv(), "text/csv")).run()
    assert_plain(at)
    at.radio(key="data_mode").set_value(ui_data.MODE).run()
    at.text_input(key="data_folder").input(HOSTILE[0]).run()
    assert_plain(at)
    csv = hostile_csv()
    at.text_input(key="data_folder").input("").run()
    # Upload file names are reduced to letters, digits and `_` before anything shows them.
    at.file_uploader(key="data_upload").set_value(("accounts.csv", csv, "text/csv")).run()
    assert_plain(at)
    assert at.error, "the broken upload must be reported"
