"""Every page on three workspaces that lack something — profile fields only (an imported table:
no follow log, no engagement, no labels), no engagement, no labels — shows what the data supports
and says in one sentence what the rest needs: no empty box, no "None", no zero standing in for
"not computed"."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from shown import metrics as shown_metrics
from streamlit.testing.v1 import AppTest

from followaudit.store.capabilities import NEEDS, Capabilities
from followaudit.store.workspace import PROJECT_ROOT
from followaudit.ui import navigation

WORLDS = ["profile_only", "no_engagement", "unlabelled"]
PAGES = ["app.py"] + sorted(f"pages/{p.name}" for p in (PROJECT_ROOT / "pages").glob("*.py"))
NOT_A_VALUE = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\bnull\b")


def workspace(request, world: str) -> Path:
    return request.getfixturevalue(f"{world}_workspace_path")


def open_page(path: Path, page: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(path))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    if page != "app.py":
        at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    return at


def shown(at: AppTest) -> list[str]:
    """Every text the page shows: headings, prose, alerts, metrics, links, tabs, buttons."""
    groups = (at.title, at.subheader, at.markdown, at.caption, at.info, at.success, at.warning)
    texts = [str(e.value) for group in groups for e in group]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    texts += [link.proto.label for link in at.get("page_link")]
    texts += [t.label for t in at.tabs] + [b.label for b in at.button]
    return texts


def sentence_shown(at: AppTest, feature: str) -> bool:
    return any(NEEDS[feature] in text for text in shown(at))


def _first(path: Path, sql: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def top_account(path: Path) -> int:
    return _first(path, "select account_id from account_scores order by score desc limit 1")


def top_creator(path: Path) -> int:
    return _first(path, "select creator_id from creator_quality order by followers desc limit 1")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("world", WORLDS)
def test_no_page_shows_none_or_an_error(world, page, request, monkeypatch):
    at = open_page(workspace(request, world), page, monkeypatch)
    leaks = [text for text in shown(at) if NOT_A_VALUE.search(text)]
    assert leaks == []


@pytest.mark.parametrize("world", WORLDS)
def test_home(world, request, monkeypatch):
    at = open_page(workspace(request, world), "app.py", monkeypatch)
    headings = [s.value for s in at.subheader]
    metrics = [m.label for m in at.metric]
    links = [link.proto.label for link in at.get("page_link")]
    if world == "profile_only":
        assert metrics == [
            "Accounts", "Estimated fake share", "Flagged (active policy)", "Reviewed by analysts",
        ]  # fmt: skip
        assert headings == ["Score distribution", "Most suspicious accounts"]
        assert at.get("vega_lite_chart"), "the score distribution is drawn"
        assert sum("P(fake)" in label for label in links) == 8
        assert "Review the accounts the model is least sure about" in links
        assert sentence_shown(at, "growth") and sentence_shown(at, "labels")
        assert not sentence_shown(at, "engagement")  # said by growth's sentence already
        return
    assert metrics[:4] == [
        "Accounts", "Flagged (active policy)", "Creators with suspicious spikes",
        "Followers a purge would remove",
    ]  # fmt: skip
    assert headings == ["Worst creators", "Strongest suspicious spikes"]
    assert any("Growth_Anomalies" in link.proto.page for link in at.get("page_link"))
    assert sentence_shown(at, "engagement") == (world == "no_engagement")
    assert sentence_shown(at, "labels") == (world == "unlabelled")
    assert ("no labelled accounts" in " ".join(shown(at))) == (world == "unlabelled")


@pytest.mark.parametrize("world", WORLDS)
def test_growth_anomalies(world, request, monkeypatch):
    path = workspace(request, world)
    if world == "profile_only":  # not in this workspace's navigation: the URL opens Home
        at = open_page(path, "pages/1_Growth_Anomalies.py", monkeypatch)
        assert [t.value for t in at.title] == ["Follower Audit"]
        assert sentence_shown(at, "growth")
        return
    at = open_page(path, "pages/1_Growth_Anomalies.py", monkeypatch, creator=top_creator(path))
    assert at.get("vega_lite_chart"), "the creator's growth chart"
    assert sentence_shown(at, "engagement") == (world == "no_engagement")


@pytest.mark.parametrize("world", WORLDS)
def test_account_explanation(world, request, monkeypatch):
    path = workspace(request, world)
    at = open_page(path, "pages/2_Account_Explanation.py", monkeypatch, account=top_account(path))
    header = next(m.value for m in at.metric if m.label == "Calibrated P(fake)")
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    waterfall = next(s for s in specs if (s.get("title") or {}).get("text") == "Why this score")
    assert f"calibrated P(fake) {header})" in " ".join(waterfall["title"]["subtitle"])
    peers = "#### Creation cohort and lockstep peers" in [m.value for m in at.markdown]
    assert peers == (world != "profile_only")
    assert sentence_shown(at, "peers") == (world == "profile_only")


@pytest.mark.parametrize("world", WORLDS)
def test_account_explanation_without_an_account_points_where_accounts_are(
    world, request, monkeypatch
):
    at = open_page(workspace(request, world), "pages/2_Account_Explanation.py", monkeypatch)
    where = "Home" if world == "profile_only" else "a spike's follower table"
    assert at.info[0].value.startswith(f"Open an account from {where}")
    assert sum("P(fake)" in link.proto.label for link in at.get("page_link")) == 5


@pytest.mark.parametrize("world", WORLDS)
def test_data_downloads(world, request, monkeypatch):
    at = open_page(workspace(request, world), "pages/7_Data.py", monkeypatch)
    offered = {m.value.split("**")[1] for m in at.markdown if m.value.startswith("**")}
    if world == "profile_only":
        assert offered == {"flagged accounts"}
        assert sentence_shown(at, "creator_exports")
    else:
        assert offered == {"flagged accounts", "spikes", "audience scores"}
        assert not sentence_shown(at, "creator_exports")


@pytest.mark.parametrize("world", WORLDS)
def test_attack_sandbox(world, request, monkeypatch):
    at = open_page(workspace(request, world), "pages/8_Attack_Sandbox.py", monkeypatch)
    if world == "profile_only":  # not in this workspace's navigation: the URL opens Home
        assert [t.value for t in at.title] == ["Follower Audit"]
        assert sentence_shown(at, "sandbox")
    else:
        assert at.selectbox(key="sandbox_creator").options
        assert not sentence_shown(at, "sandbox")


@pytest.mark.parametrize("world", WORLDS)
def test_global_explanations(world, request, monkeypatch):
    at = open_page(workspace(request, world), "pages/3_Global_Explanations.py", monkeypatch)
    features = at.selectbox(key="global_feature").options
    follow_log_features = {"follows_made", "max_follows_in_hour", "lockstep_score"}
    assert follow_log_features.isdisjoint(features) == (world == "profile_only")
    card = next(m.value for m in at.markdown if "labelled accounts" in m.value)
    labelled = world == "no_engagement"
    assert card.startswith("**Trained on this workspace**" if labelled else "**Shipped default")
    assert sentence_shown(at, "labels") == (not labelled)


@pytest.mark.parametrize("world", WORLDS)
def test_threshold_lab(world, request, monkeypatch):
    at = open_page(workspace(request, world), "pages/4_Threshold_Lab.py", monkeypatch)
    metrics = list(shown_metrics(at))
    labelled = world == "no_engagement"
    assert ("Precision" in metrics) == labelled
    no_metrics = [i.value for i in at.info if i.value.startswith("No metrics: they need labelled")]
    assert bool(no_metrics) == (not labelled)
    at.session_state["lab_tab"] = "Creator impact"  # only the open tab is computed
    at.run()
    metrics = list(shown_metrics(at))
    assert ("Creators losing > 5 %" in metrics) == (world != "profile_only")
    assert sentence_shown(at, "audience") == (world == "profile_only")


@pytest.mark.parametrize("world", WORLDS)
def test_policies(world, request, monkeypatch):
    at = open_page(workspace(request, world), "pages/5_Policies.py", monkeypatch)
    measures = at.dataframe[0].value["measure"].to_list()
    assert ("precision (out-of-fold estimate)" in measures) == (world == "no_engagement")
    assert ("creators losing > 5 %" in measures) == (world != "profile_only")
    creators = any("creators** whose lost share" in m.value for m in at.markdown)
    assert creators == (world != "profile_only")
    assert sentence_shown(at, "audience") == (world == "profile_only")


@pytest.mark.parametrize("world", WORLDS)
def test_review_queue(world, request, monkeypatch):
    at = open_page(workspace(request, world), "pages/6_Review_Queue.py", monkeypatch)
    filters = [t.key for t in at.text_input]
    assert ("rev_creator" in filters) == (world != "profile_only")
    header = next(m.value for m in at.markdown if m.value.startswith("### @"))
    assert not header.rstrip().endswith("·")
    assert [m.label for m in at.metric][-1] == "left in queue"


def test_the_sidebar_offers_only_the_pages_the_data_supports():
    profile_only = Capabilities(
        accounts=10, has_follows=False, has_engagement=False, fake_labels=0, genuine_labels=0,
        columns=frozenset(),
    )  # fmt: skip
    with_follows = replace(profile_only, has_follows=True)

    def titles(caps):
        return [title for _, title, _ in navigation.sidebar_pages(caps)]

    everything = [title for _, title, _ in navigation.PAGES]
    assert titles(profile_only) == [
        t for t in everything if t not in {"Growth anomalies", "Attack sandbox"}
    ]
    assert titles(with_follows) == titles(None) == everything
