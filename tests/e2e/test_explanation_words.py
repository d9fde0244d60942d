"""Explanations an analyst can read aloud, in Chromium: both sides, values against genuine (or
low-score) accounts, one unit (log-odds) from the reasons to the waterfall, follow-log counts that
say where they come from."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
REASON = re.compile(r"\([+-]\d+\.\d\)$")  # every reason ends with its log-odds: "(+2.1)"
IN_CONTEXT = re.compile(r"\d+% of (genuine|low-score) accounts")
FAKE, GENUINE = "Why it looks fake", "Why it looks genuine"


def _account(path: Path, order: str) -> int:
    """The highest- (`desc`) or lowest-scored (`asc`) account of the world's own workspace."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        sql = f"select account_id from account_scores order by score {order}, account_id limit 1"
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _reasons(page, heading: str) -> list[str]:
    """The reason bullets under one side's heading."""
    column = page.locator("[data-testid='stColumn']").filter(
        has=page.get_by_text(heading, exact=True)
    )
    return [t.strip() for t in column.last.locator("li").all_inner_texts()]


def _one_unit(page) -> None:
    """No probability points anywhere; the waterfall and the caption say log-odds."""
    main = page.locator("[data-testid='stMain']")
    expect(main).not_to_contain_text(re.compile(r"\d pts\b"))
    expect(page.get_by_text(re.compile(r"SHAP contributions in log-odds"))).to_be_visible()


@pytest.mark.parametrize("order, first", [("desc", FAKE), ("asc", GENUINE)])
def test_reasons_read_aloud_on_both_sides(page, app, world, request, order, first):
    """The top account leads with why it looks fake, the lowest with why it looks genuine; each
    reason gives its value against the reference accounts and its log-odds."""
    account = _account(request.getfixturevalue(f"{world}_workspace_path"), order)
    app.open(f"Account_Explanation?account={account}")
    expect(page.get_by_text(FAKE, exact=True)).to_be_visible()
    expect(page.get_by_text(GENUINE, exact=True)).to_be_visible()
    leading = _reasons(page, first)
    assert leading and all(REASON.search(r) for r in leading), leading
    assert any(IN_CONTEXT.search(r) for r in leading), leading
    _one_unit(page)
    if world == "sample":  # its accounts follow creators in the log
        expect(page.get_by_text(re.compile(r"follows in this data's follow log"))).to_be_visible()
    app.screenshot(f"04b_account_{'fake' if order == 'desc' else 'genuine'}_reasons")
