"""Demo mode on the pages: the toggle is on every page, a real name finds nothing and shows
nowhere (username, display name, bio), and pseudonyms find their accounts."""

from __future__ import annotations

import pytest
from shown import all_text
from streamlit.testing.v1 import AppTest

from followaudit.store.workspace import PROJECT_ROOT, Workspace
from followaudit.ui import demo

PAGES = ["app.py"] + sorted(f"pages/{p.name}" for p in (PROJECT_ROOT / "pages").glob("*.py"))
ACCOUNT = "pages/2_Account_Explanation.py"


def open_page(workspace, page: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    if page != "app.py":
        at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def self_naming(sample_workspace_path) -> dict:
    """A top-scored account whose bio contains its own username (4,201 sample bios do)."""
    ws = Workspace.open(sample_workspace_path)
    try:
        row = ws.con.execute(
            "select a.account_id, a.username, a.display_name, a.bio from accounts a "
            "join account_scores s using (account_id) "
            "where contains(a.bio, a.username) and a.display_name is not null "
            "and length(a.username) >= 6 order by s.score desc limit 1"
        ).fetchone()
    finally:
        ws.close()
    return dict(zip(["account_id", "username", "display_name", "bio"], row, strict=True))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_the_demo_toggle(page, sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, page, monkeypatch)
    at.toggle(key="sidebar_demo").set_value(True).run()
    assert at.query_params.get("demo") in ("1", ["1"])


def test_account_page_in_demo_mode_shows_no_real_name(
    self_naming, sample_workspace_path, monkeypatch
):
    at = open_page(
        sample_workspace_path, ACCOUNT, monkeypatch, account=self_naming["account_id"], demo=1
    )
    text = all_text(at)
    assert demo.pseudonym(self_naming["username"]) in text
    for real in ("username", "display_name", "bio"):
        assert self_naming[real] not in text, f"demo mode shows the real {real}"
    assert demo.HIDDEN_BIO in text


def test_a_real_username_does_not_resolve_in_demo_mode(
    self_naming, sample_workspace_path, monkeypatch
):
    real = self_naming["username"]
    at = open_page(sample_workspace_path, ACCOUNT, monkeypatch, username=real, demo=1)
    assert any("No account matches" in w.value for w in at.warning)
    assert not at.metric, "the real name opened the account"
    at = open_page(
        sample_workspace_path, ACCOUNT, monkeypatch, username=demo.pseudonym(real), demo=1
    )
    assert f"id {self_naming['account_id']}" in all_text(at)


def test_searches_in_demo_mode_match_pseudonyms_only(
    self_naming, sample_workspace_path, monkeypatch
):
    real = self_naming["username"]
    at = open_page(sample_workspace_path, ACCOUNT, monkeypatch, demo=1)
    at.text_input(key="acct_search").input(real).run()
    assert any("No account has a username" in i.value for i in at.info)
    at.text_input(key="acct_search").input(demo.pseudonym(real)).run()
    links = [link.proto.query_string for link in at.get("page_link")]
    assert any(f"account={self_naming['account_id']}" in q for q in links)
    growth = "pages/1_Growth_Anomalies.py"
    real_creator = open_page(sample_workspace_path, growth, monkeypatch).dataframe[0].value
    at = open_page(sample_workspace_path, growth, monkeypatch, demo=1)
    name = at.dataframe[0].value["username"][0]
    assert name == demo.pseudonym(real_creator["username"][0])
    at.text_input(key="growth_search").input(name).run()
    assert list(at.dataframe[0].value["username"]) == [name]
    at.text_input(key="growth_search").input(real_creator["username"][0]).run()
    assert not at.dataframe and "No creator" in at.info[0].value
