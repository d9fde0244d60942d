"""Ids are 64-bit integers everywhere: URLs, links, inputs, tables and charts on the platform world
(every account id offset by 1.5e18, above 2^53 where JavaScript rounds)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import duckdb
import pyarrow as pa
import pytest
from platform_world import OFFSET
from shown import arrow_tables, shown
from streamlit.testing.v1 import AppTest

from followaudit.store.workspace import PROJECT_ROOT
from followaudit.ui.text import ID_MAX, ids_as_text, parse_id

PAGES = ["app.py"] + sorted(f"pages/{p.name}" for p in (PROJECT_ROOT / "pages").glob("*.py"))
JS_SAFE = 2**53  # integers above it lose digits in a JavaScript number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1500000000000000123", 1_500_000_000_000_000_123),
        (" 42 ", 42),
        ("9223372036854775807", ID_MAX),
        ("0", 0),
        ("9223372036854775808", None),  # above BIGINT
        ("12345678901234567890", None),  # 20 digits
        ("-5", None),
        ("1e18", None),
        ("1.5", None),
        ("", None),
        (None, None),
        ("１２", None),  # full-width digits are not an id
    ],
)
def test_parse_id_takes_19_digit_ids_and_nothing_else(text, expected):
    assert parse_id(text) == expected


def test_id_columns_become_text_and_nothing_else():
    import polars as pl

    frame = pl.DataFrame({"account_id": [OFFSET + 1], "id": [OFFSET], "score": [1], "idx": [3]})
    out = ids_as_text(frame)
    assert out["account_id"].to_list() == [str(OFFSET + 1)] and out["id"].to_list() == [str(OFFSET)]
    assert out.schema["score"] == pl.Int64 and out.schema["idx"] == pl.Int64


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


def _rounded_numbers(at: AppTest) -> list[str]:
    """Integers above 2^53 in anything the browser receives as numbers."""
    found = []
    for table in arrow_tables(at):
        for name, column in zip(table.column_names, table.columns, strict=True):
            if pa.types.is_integer(column.type) and any(
                abs(v) > JS_SAFE for v in column.to_pylist() if v is not None
            ):
                found.append(name)
    for chart in at.get("vega_lite_chart"):
        found += re.findall(r"(?<![\d.])\d{16,}(?![\d.])", json.dumps(json.loads(chart.proto.spec)))
    return found


@pytest.fixture(scope="module")
def platform_ids(platform_workspace_path) -> dict:
    con = duckdb.connect(str(platform_workspace_path), read_only=True)
    try:
        spike, creator = con.execute(
            "select spike_id, creator_id from spikes where verdict = 'suspicious' "
            "order by score desc limit 1"
        ).fetchone()
        followers = {
            r[0]
            for r in con.execute(
                "select follower_id from follows where creator_id = ?", [creator]
            ).fetchall()
        }
        (account,) = con.execute(
            "select account_id from spike_followers where spike_id = ? "
            "order by score desc nulls last limit 1",
            [spike],
        ).fetchone()
    finally:
        con.close()
    assert creator > JS_SAFE and account > JS_SAFE
    return {"creator": creator, "spike": spike, "account": account, "followers": followers}


@pytest.mark.parametrize("page", PAGES)
def test_no_page_sends_a_number_javascript_would_round(page, platform_workspace_path, monkeypatch):
    at = open_page(platform_workspace_path, page, monkeypatch)
    assert _rounded_numbers(at) == []


def test_spike_and_account_views_send_ids_as_text(
    platform_ids, platform_workspace_path, monkeypatch
):
    growth = open_page(
        platform_workspace_path,
        "pages/1_Growth_Anomalies.py",
        monkeypatch,
        creator=platform_ids["creator"],
        spike=platform_ids["spike"],
    )
    assert growth.dataframe, "the spike's followers table must show"
    assert _rounded_numbers(growth) == []
    followers = growth.dataframe[0].value
    assert str(platform_ids["account"]) in set(followers["account_id"])


def test_home_links_open_their_creators(platform_workspace_path, monkeypatch):
    """Every Home link carries the exact 19-digit id, and the Growth page finds that creator."""
    home = open_page(platform_workspace_path, "app.py", monkeypatch)
    queries = [parse_qs(link.proto.query_string) for link in home.get("page_link")]
    creators = [q["creator"][0] for q in queries if "creator" in q]
    assert creators and all(len(c) == 19 and int(c) > OFFSET for c in creators)
    for creator in creators[:3]:
        growth = open_page(
            platform_workspace_path, "pages/1_Growth_Anomalies.py", monkeypatch, creator=creator
        )
        assert not any("No creator matches" in w.value for w in growth.warning)
        assert growth.get("vega_lite_chart"), "the creator's growth chart must show"


def test_account_page_finds_a_19_digit_account(platform_ids, platform_workspace_path, monkeypatch):
    account = platform_ids["account"]
    at = open_page(
        platform_workspace_path, "pages/2_Account_Explanation.py", monkeypatch, account=account
    )
    assert not at.warning or "No account matches" not in at.warning[0].value
    assert f"id {account}" in shown(at.caption[0].value)


def test_review_queue_filters_by_a_19_digit_creator(
    platform_ids, platform_workspace_path, monkeypatch
):
    """The creator filter is a text input: no StreamlitJSNumberBoundsError, and it filters."""
    creator = platform_ids["creator"]
    typed = open_page(platform_workspace_path, "pages/6_Review_Queue.py", monkeypatch)
    typed.text_input(key="rev_creator").input(str(creator)).run()
    linked = open_page(
        platform_workspace_path, "pages/6_Review_Queue.py", monkeypatch, creator=creator
    )
    for at in (typed, linked):
        assert not at.exception, [e.value for e in at.exception]
        card = [parse_qs(link.proto.query_string) for link in at.get("page_link")]
        reviewed = {int(q["account"][0]) for q in card if "account" in q}
        upcoming = {int(a) for a in at.dataframe[-1].value["account_id"]}
        assert reviewed and upcoming and reviewed | upcoming <= platform_ids["followers"]
