"""The decision layer in Chromium: the Threshold lab at "top 10 %" shows `followaudit decide`'s
creator impact and purge, and they are not zero (they read 0 above risk 1.0 before issue 11)."""

from __future__ import annotations

import json
from argparse import Namespace

import pytest
from playwright.sync_api import expect

from followaudit.cli import decide as decide_cli

pytestmark = pytest.mark.e2e


def metric(page, label: str):
    """The value of the metric whose label has `label`: an st.metric, or a metric card the lab
    draws in one HTML element (ui/cards.py) (a locator: expect retries it)."""
    box = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)
    )
    card = page.locator(".fa-card").filter(has=page.locator(".fa-label", has_text=label))
    return box.locator("[data-testid='stMetricValue']").or_(card.locator(".fa-value")).first


def decide_top(workspace, percent: float, capsys) -> dict:
    """`followaudit decide --workspace W --policy conservative --top-percent X --json`."""
    args = Namespace(
        workspace=workspace, policy="conservative", threshold=None, top_percent=percent,
        json=True, out=None,
    )  # fmt: skip
    assert decide_cli.run(args) == 0
    return json.loads(capsys.readouterr().out)


def test_top_ten_percent_creator_impact_and_purge_equal_decide(page, app, e2e_workspace, capsys):
    """Lab at top 10 % -> Creator impact tab: non-zero creators losing and purge, equal to decide."""
    expected = decide_top(e2e_workspace, 10.0, capsys)
    assert expected["purge_followers"] > 0 and expected["creators_losing"]["5"] > 0

    app.open("Threshold_Lab?policy=conservative")
    with app.rerun("switching to top X %"):
        page.get_by_text("top X %", exact=True).click()
    with app.rerun("entering 10 %"):
        page.get_by_label("Flag the top X % of accounts").fill("10")
        page.keyboard.press("Enter")
    expect(metric(page, "Flagged")).to_have_text(f"{expected['flagged']:,}")

    with app.rerun("opening the Creator impact tab"):  # only the open tab is computed
        page.get_by_role("tab", name="Creator impact").click()
    for level, count in expected["creators_losing"].items():
        expect(metric(page, f"Creators losing > {level} %")).to_have_text(f"{count:,}")
    expect(metric(page, "Followers a purge removes")).to_have_text(
        f"{expected['purge_followers']:,}"
    )
    app.screenshot("10b_threshold_lab_creator_impact")
