"""AppTest: every page renders on the sample and unlabelled workspaces; explorer pages behave."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pytest
from shown import metrics, shown
from streamlit.testing.v1 import AppTest

from followaudit.store.workspace import PROJECT_ROOT, Workspace, sidecar_dir
from followaudit.ui import spike_view
from followaudit.ui.text import probability

PAGES = ["app.py"] + sorted(f"pages/{p.name}" for p in (PROJECT_ROOT / "pages").glob("*.py"))
HOSTILE_IDS = [
    "1;drop table accounts",
    "1 or 1=1",
    "-5",
    "99999999999999999999999",
    "'; select 1; --",
    "%00",
    "",
]


def open_page(workspace: Path, page: str = "app.py", monkeypatch=None, **params) -> AppTest:
    """Run `page` of the app (entry point app.py) on `workspace` with URL parameters."""
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    if page != "app.py":
        at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def writable_workspace(sample_workspace_path, tmp_path) -> Path:
    """A private copy of the sample workspace (and its sidecar) that a test may label."""
    target = tmp_path / "copy.duckdb"
    shutil.copy(sample_workspace_path, target)
    side = sidecar_dir(sample_workspace_path)
    if side.exists():
        shutil.copytree(side, sidecar_dir(target))
    return target


@pytest.fixture(scope="session")
def empty_workspace_path(sample_workspace_path, tmp_path_factory) -> Path:
    """Every table of the sample workspace with no rows: what a brand-new, empty world looks like."""
    target = tmp_path_factory.mktemp("ws_empty") / "empty.duckdb"
    con = duckdb.connect(str(target))
    try:
        con.execute("attach $path as src (read_only)", {"path": str(sample_workspace_path)})
        tables = con.execute(
            "select table_name from information_schema.tables where table_catalog = 'src'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f'create table "{table}" as select * from src."{table}" limit 0')
        con.execute("detach src")
    finally:
        con.close()
    return target


@pytest.fixture(scope="module")
def ids(sample_workspace_path) -> dict:
    """A worst creator, its strongest suspicious spike and that spike's top follower."""
    ws = Workspace.open(sample_workspace_path)
    try:
        spike = ws.con.execute(
            "select spike_id, creator_id from spikes where verdict = 'suspicious' "
            "order by score desc limit 1"
        ).fetchone()
        follower = ws.con.execute(
            "select account_id from spike_followers where spike_id = ? "
            "order by score desc nulls last limit 1",
            [spike[0]],
        ).fetchone()
    finally:
        ws.close()
    return {"spike": spike[0], "creator": spike[1], "account": follower[0]}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("which", ["sample", "unlabelled", "empty", "platform"])
def test_every_page_renders(page, which, request, monkeypatch):
    """Every page (others' pages too, found by glob) renders without exception on each world."""
    workspace = request.getfixturevalue(f"{which}_workspace_path")
    at = open_page(workspace, page, monkeypatch)
    no_exception(at)
    assert [e.value for e in at.error] == []  # a caught failure shown as an error is no render
    assert at.title, "the page stopped before its title"


def test_empty_workspace_home_says_what_to_do(empty_workspace_path, monkeypatch):
    at = open_page(empty_workspace_path, monkeypatch=monkeypatch)
    no_exception(at)
    assert "no accounts yet" in at.info[0].value


def test_missing_workspace_gets_a_friendly_message(tmp_path, monkeypatch):
    at = open_page(tmp_path / "nope.duckdb", monkeypatch=monkeypatch)
    no_exception(at)
    assert "make workspace" in at.error[0].value


def test_home_shows_headline_numbers_and_links(sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, monkeypatch=monkeypatch)
    labels = [m.label for m in at.metric]
    assert labels[:4] == [
        "Accounts",
        "Flagged (active policy)",
        "Creators with suspicious spikes",
        "Followers a purge would remove",
    ]
    links = at.get("page_link")
    assert any("Growth_Anomalies" in link.proto.page for link in links)
    assert any("spike=" in str(link.proto) for link in links)


class _RecordingConnection:
    """A DuckDB connection (or cursor) that logs the text of every statement before running it."""

    def __init__(self, con, log: list[str]):
        self._con, self._log = con, log

    def cursor(self):
        return _RecordingConnection(self._con.cursor(), self._log)

    def execute(self, query, *args, **kwargs):
        self._log.append(str(query))
        return self._con.execute(query, *args, **kwargs)

    def sql(self, query, *args, **kwargs):
        self._log.append(str(query))
        return self._con.sql(query, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


def _table_rows(con) -> dict[str, int]:
    names = [r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()]
    return {n: con.execute(f'select count(*) from "{n}"').fetchone()[0] for n in sorted(names)}


@pytest.fixture(scope="module")
def injectable_copy(sample_workspace_path, tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """A private copy of the sample workspace and the row count of each of its tables."""
    target = tmp_path_factory.mktemp("injectable") / "copy.duckdb"
    shutil.copy(sample_workspace_path, target)
    con = duckdb.connect(str(target), read_only=True)
    try:
        return target, _table_rows(con)
    finally:
        con.close()


@dataclass
class SqlSpy:
    """What the app did to a writable workspace: every statement's text and the tables after."""

    before: dict[str, int]
    log: list[str] = field(default_factory=list)
    opened: list[Workspace] = field(default_factory=list)

    def pasted(self, value: str) -> list[str]:
        """Statements whose text contains `value` (values travel as parameters, never as text)."""
        return [sql for sql in self.log if len(value) > 2 and value in sql]

    def tables(self) -> dict[str, int]:
        return _table_rows(self.opened[0].con._con)


@pytest.fixture
def sql_spy(injectable_copy, monkeypatch) -> SqlSpy:
    """The app opens the copy *writable* (a pasted `drop table` would really drop) and logs
    every statement it runs."""
    spy = SqlSpy(before=injectable_copy[1])
    real_open = Workspace.open.__func__

    def open_writable(cls, target, read_only=True):
        ws = real_open(cls, target, read_only=False)
        ws.con = _RecordingConnection(ws.con, spy.log)
        spy.opened.append(ws)
        return ws

    monkeypatch.setattr(Workspace, "open", classmethod(open_writable))
    yield spy
    for ws in spy.opened:
        ws.close()


def assert_only_values(spy: SqlSpy, bad: str) -> None:
    """The page queried the workspace, never with `bad` in a statement, and changed nothing."""
    assert spy.log, "the page never queried the workspace"
    assert spy.pasted(bad) == []
    assert spy.tables() == spy.before


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_growth_page_survives_hostile_creator_ids(bad, injectable_copy, sql_spy, monkeypatch):
    at = open_page(injectable_copy[0], "pages/1_Growth_Anomalies.py", monkeypatch, creator=bad)
    no_exception(at)
    if bad:
        assert "No creator matches" in at.warning[0].value
    assert_only_values(sql_spy, bad)


@pytest.mark.parametrize("param", ["account", "username"])
@pytest.mark.parametrize("bad", [b for b in HOSTILE_IDS if b])
def test_account_page_survives_hostile_ids(param, bad, injectable_copy, sql_spy, monkeypatch):
    page = "pages/2_Account_Explanation.py"
    at = open_page(injectable_copy[0], page, monkeypatch, **{param: bad})
    no_exception(at)
    assert "No account matches" in at.warning[0].value
    at.text_input(key="nf_account").input("a").run()  # the search box works after a miss
    no_exception(at)
    assert_only_values(sql_spy, bad)


def test_growth_page_with_spike_lists_its_followers(ids, sample_workspace_path, monkeypatch):
    at = open_page(
        sample_workspace_path,
        "pages/1_Growth_Anomalies.py",
        monkeypatch,
        creator=str(ids["creator"]),
        spike=str(ids["spike"]),
    )
    no_exception(at)
    assert "Followers gained" in metrics(at)
    assert len(at.dataframe) == 1
    explain_links = [link for link in at.get("page_link") if "account=" in str(link.proto)]
    assert explain_links


def _two_spikes(path: Path) -> tuple[int, int, int]:
    """A creator with two spikes of 200+ new followers: (creator, first spike, second spike)."""
    ws = Workspace.open(path)
    try:
        return ws.con.execute(
            "select creator_id, min(spike_id), max(spike_id) from ("
            "  select creator_id, spike_id, row_number() over (partition by creator_id "
            "  order by spike_id) as n from spikes where followers_gained > 200"
            ") where n <= 2 group by creator_id having count(*) = 2 order by creator_id limit 1"
        ).fetchone()
    finally:
        ws.close()


def _select_row(at: AppTest, table, row: int) -> AppTest:
    """Rerun with `row` of `table` selected, as the browser sends a row click."""
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = table.proto.id
    state.string_value = json.dumps({"selection": {"rows": [row], "columns": [], "cells": []}})
    return at._run(states)


def test_growth_follower_table_keeps_its_key_across_spikes_and_never_opens_a_stale_row(
    sample_workspace_path, monkeypatch
):
    """A spike click updates the creator's one follower table (same key: the browser swaps its
    rows in place); a row selected in one spike's table is not opened in the next spike's."""
    creator, first, second = _two_spikes(sample_workspace_path)
    page = "pages/1_Growth_Anomalies.py"
    at = open_page(sample_workspace_path, page, monkeypatch, creator=str(creator), spike=str(first))
    table = at.dataframe[0]
    rows_first = table.value["account_id"].to_list()
    at.query_params["spike"] = str(second)
    at.run()
    no_exception(at)
    assert at.dataframe[0].proto.id == table.proto.id  # the same table, new rows
    assert at.dataframe[0].value["account_id"].to_list() != rows_first
    assert len(at.dataframe[0].value) <= spike_view.FOLLOWER_ROWS
    # a selection still held when the spike changes: a fresh table, no follower opened
    at.query_params["spike"] = str(first)
    _select_row(at, at.dataframe[0], 0)
    no_exception(at)
    assert at.query_params["spike"] == [str(first)] or at.query_params["spike"] == str(first)
    assert at.dataframe and at.dataframe[0].proto.id != table.proto.id
    assert at.dataframe[0].value["account_id"].to_list() == rows_first
    # a row selected in the table on screen opens that follower
    follower = at.dataframe[0].value["account_id"][1]
    _select_row(at, at.dataframe[0], 1)
    no_exception(at)
    assert "account" in at.query_params and str(follower) in str(at.query_params["account"])


def test_growth_spike_lists_the_top_followers_and_offers_all_of_them(
    ids, sample_workspace_path, monkeypatch
):
    """The table lists the top FOLLOWER_ROWS; the caption says of how many; the CSV has all."""
    ws = Workspace.open(sample_workspace_path)
    try:
        spike, gained = ws.con.execute(
            "select spike_id, followers_gained from spikes where followers_gained > ? "
            "order by spike_id limit 1",
            [spike_view.FOLLOWER_ROWS],
        ).fetchone()
        creator = ws.con.execute(
            "select creator_id from spikes where spike_id = ?", [spike]
        ).fetchone()[0]
    finally:
        ws.close()
    page = "pages/1_Growth_Anomalies.py"
    at = open_page(sample_workspace_path, page, monkeypatch, creator=str(creator), spike=str(spike))
    no_exception(at)
    assert len(at.dataframe[0].value) == spike_view.FOLLOWER_ROWS
    # the table's caption is drawn under the spike's cards, in their HTML element
    caption = " ".join([c.value for c in at.caption] + [h.proto.body for h in at.get("html")])
    assert (
        f"top {spike_view.FOLLOWER_ROWS:,} of {gained:,}" in caption
        and f"All {gained:,}" in caption
    )
    csv = spike_view.all_csv(str(sample_workspace_path), spike, False)
    listed = pl.read_csv(csv)
    assert listed.height == gained and listed["account_id"].n_unique() == gained
    shown = at.dataframe[0].value["account_id"].astype("int64").to_list()
    assert listed["account_id"].head(spike_view.FOLLOWER_ROWS).to_list() == shown


def test_growth_annotate_form_is_built_when_opened_with_the_spike_days(
    ids, writable_workspace, monkeypatch
):
    """The annotation form (lazy: a spike click does not send it) opens on the spike's days and
    stores an annotation."""
    page = "pages/1_Growth_Anomalies.py"
    params = {"creator": str(ids["creator"]), "spike": str(ids["spike"])}
    at = open_page(writable_workspace, page, monkeypatch, **params)
    assert not [d for d in at.date_input if d.key == "growth_ann_start"]
    at.session_state["growth_annotate"] = True  # the analyst opens the expander
    at.run()
    no_exception(at)
    start = at.date_input(key="growth_ann_start")
    assert start.value is not None and at.date_input(key="growth_ann_end").value is not None
    at.text_input(key="growth_ann_note").input("giveaway on stream")
    [b for b in at.button if b.label == "Add annotation"][0].click().run()
    no_exception(at)
    assert any("Annotated" in s.value for s in at.success)


def test_growth_creator_search_filters_the_list(sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, "pages/1_Growth_Anomalies.py", monkeypatch)
    everyone = at.dataframe[0].value.shape[0]
    at.text_input(key="growth_search").input("zzzz-no-such-creator").run()
    no_exception(at)
    assert not at.dataframe and everyone > 0
    assert "No creator" in at.info[0].value


def test_account_page_explains_and_labels(ids, writable_workspace, monkeypatch):
    page = "pages/2_Account_Explanation.py"
    at = open_page(writable_workspace, page, monkeypatch, account=str(ids["account"]))
    no_exception(at)
    ws = Workspace.open(writable_workspace)
    try:
        score = ws.con.execute(
            "select score from account_scores where account_id = ?", [ids["account"]]
        ).fetchone()[0]
    finally:
        ws.close()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Calibrated P(fake)"] == probability(score)
    at.radio(key="acct_label").set_value("genuine")
    at.text_input(key="acct_note").input("checked by hand")
    at.button[0].click().run()
    no_exception(at)
    assert any("Labelled **genuine**" in s.value for s in at.success)
    from followaudit.store.analyst import AnalystStore

    stored = AnalystStore(sidecar_dir(writable_workspace)).current_label(ids["account"])
    assert stored["label"] == "genuine" and stored["note"] == "checked by hand"


def test_account_label_form_refuses_to_overwrite_a_label_written_meanwhile(
    ids, writable_workspace, monkeypatch
):
    """The label shown when the form was drawn is the one the save checks against."""
    from followaudit.store.analyst import AnalystStore

    store = AnalystStore(sidecar_dir(writable_workspace))
    page = "pages/2_Account_Explanation.py"
    at = open_page(writable_workspace, page, monkeypatch, account=str(ids["account"]))
    theirs = store.add_label(ids["account"], "genuine", "looked real", "bob")  # another analyst
    at.radio(key="acct_label").set_value("fake")
    at.button[0].click().run()
    no_exception(at)
    assert any("Not saved" in w.value and "bob" in w.value for w in at.warning)
    assert store.current_label(ids["account"])["label_id"] == theirs
    assert any("Labelled **genuine** by bob" in s.value for s in at.success)  # now shown
    at.radio(key="acct_label").set_value("fake")
    at.button[0].click().run()  # saved over the label the analyst has now seen
    no_exception(at)
    assert store.current_label(ids["account"])["label"] == "fake"


def test_account_page_by_username(ids, sample_workspace_path, monkeypatch):
    ws = Workspace.open(sample_workspace_path)
    try:
        name = ws.con.execute(
            "select username from accounts where account_id = ?", [ids["account"]]
        ).fetchone()[0]
    finally:
        ws.close()
    at = open_page(
        sample_workspace_path, "pages/2_Account_Explanation.py", monkeypatch, username=name
    )
    no_exception(at)
    assert name in shown(at.subheader[0].value)


def test_global_page_dependence_follows_the_chosen_feature(sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, "pages/3_Global_Explanations.py", monkeypatch)
    no_exception(at)
    box = at.selectbox(key="global_feature")
    other = box.options[-1]
    box.set_value(other).run()
    no_exception(at)
    assert at.selectbox(key="global_feature").value == other
    assert any(other in str(chart.proto) for chart in at.get("vega_lite_chart"))


def test_demo_toggle_puts_demo_in_the_url(sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, monkeypatch=monkeypatch)
    at.toggle(key="sidebar_demo").set_value(True).run()
    no_exception(at)
    assert at.query_params.get("demo") in ("1", ["1"])


def _follower_list_csv() -> bytes:
    """500 ordered followers; ranks 200-299 are accounts created within one hour (a cohort)."""
    rows = ["follower_id,rank,timestamp"]
    for rank in range(500):
        created = 1_600_000_000 + rank * 86_400 // 3
        if 200 <= rank < 300:
            created = 1_650_000_000 + rank
        rows.append(f"{rank + 1},{rank},{created}")
    return "\n".join(rows).encode()


def test_growth_page_maps_an_uploaded_follower_list(ids, sample_workspace_path, monkeypatch):
    at = open_page(
        sample_workspace_path,
        "pages/1_Growth_Anomalies.py",
        monkeypatch,
        creator=str(ids["creator"]),
    )
    at.file_uploader(key="growth_follower_list").set_value(
        ("followers.csv", _follower_list_csv(), "text/csv")
    ).run()
    no_exception(at)
    assert any("500 followers" in c.value for c in at.caption)
    assert "Follower map" in str(at.get("vega_lite_chart")[-1].proto)


def test_growth_page_reports_a_broken_follower_list(ids, sample_workspace_path, monkeypatch):
    at = open_page(
        sample_workspace_path,
        "pages/1_Growth_Anomalies.py",
        monkeypatch,
        creator=str(ids["creator"]),
    )
    at.file_uploader(key="growth_follower_list").set_value(
        ("followers.csv", b"who,when\nx,y\n", "text/csv")
    ).run()
    no_exception(at)
    assert shown(at.error[0].value).startswith("followers.csv: missing column")


def test_global_page_reads_and_writes_its_feature_in_the_url(sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, "pages/3_Global_Explanations.py", monkeypatch)
    options = at.selectbox(key="global_feature").options
    at = open_page(
        sample_workspace_path,
        "pages/3_Global_Explanations.py",
        monkeypatch,
        feature=options[2],
        colour="not-a-feature",
    )
    no_exception(at)
    assert at.selectbox(key="global_feature").value == options[2]
    assert at.query_params["colour"] in (options[1], [options[1]])
