"""Policy and review journeys in Chromium: lab -> saved policy -> comparison; keyboard labelling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def metric(page, label: str):
    """The value of the metric whose label is exactly `label`: an st.metric, or a metric card the
    lab draws in one HTML element (ui/cards.py) (a locator: expect retries it)."""
    exact = re.compile(f"^{re.escape(label)}$")
    box = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=exact)
    )
    card = page.locator(".fa-card").filter(has=page.locator(".fa-label", has_text=exact))
    return box.locator("[data-testid='stMetricValue']").or_(card.locator(".fa-value")).first


def count(page, label: str) -> int:
    """The integer a metric shows, e.g. `1,234`."""
    return int(metric(page, label).inner_text().strip().replace(",", ""))


def choose(page, app, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label` and wait for the rerun."""
    page.get_by_label(label).click()
    with app.rerun(f"choosing {option!r} as {label!r}"):
        page.get_by_role("option", name=option).first.click()


def test_threshold_to_saved_policy_to_comparison(page, app):
    """Move the threshold -> save a policy -> compare it with the default -> reload keeps it."""
    app.open("Threshold_Lab")
    flagged = metric(page, "Flagged")
    expect(flagged).to_have_text(re.compile(r"\d"))
    before = flagged.inner_text()
    with app.rerun("switching to top X %"):
        page.get_by_text("top X %", exact=True).click()
    with app.rerun("entering 3 %"):
        page.get_by_label("Flag the top X % of accounts").fill("3")
        page.keyboard.press("Enter")
    expect(flagged).not_to_have_text(before)
    app.screenshot("10_threshold_lab")

    page.get_by_text("Save these settings as a policy").click()  # an expander: no rerun
    page.get_by_label("Policy name").fill("e2e_top3")
    page.get_by_label("Note (why this policy)").fill("top 3 % from the e2e journey")
    with app.rerun("saving the policy"):
        page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_text(re.compile(r"Saved e2e_top3 version \d+"))).to_be_visible()

    app.open("Policies")
    choose(page, app, "Policy A", "e2e_top3 v1")
    expect(page.get_by_role("combobox", name="Policy B")).to_have_value("conservative")  # default
    expect(page.get_by_text(re.compile(r"[\d,]+ accounts change flag"))).to_be_visible()
    app.screenshot("11_policies_compare")
    # the report is written when its button is clicked (a deferred download), naming A and B
    with page.expect_download() as download:
        page.get_by_role("button", name="Report CSV").click()
    report = Path(download.value.path()).read_text()
    assert "e2e_top3" in report and "conservative" in report

    app.open("Threshold_Lab?policy=e2e_top3")  # a new session: the saved policy, not memory
    expect(page.get_by_text(re.compile(r"Editing e2e_top3 v1"))).to_be_visible()
    expect(page.get_by_label("Flag the top X % of accounts")).to_have_value("3.00")


def test_review_three_accounts_by_keyboard(page, app):
    """Label three accounts with F, G and U only -> reload -> the labels are still counted."""
    app.open("Review_Queue")
    start = {name: count(page, name) for name in ("fake", "genuine", "unsure")}
    expect(metric(page, "reviewed")).to_have_text(f"{sum(start.values()):,}")
    page.get_by_label("Note (optional)").click()
    page.keyboard.type("gut feeling")  # letters typed into the note must not fire F/G/U
    with app.rerun("leaving the note field"):  # the note commits when it loses focus
        page.get_by_role("heading", name="Review queue").click()  # keyboard focus on the page
    expect(metric(page, "reviewed")).to_have_text(f"{sum(start.values()):,}")
    for key in ("f", "g", "u"):
        shown = page.locator("h3").first.inner_text()
        with app.rerun(f"pressing {key.upper()}"):
            page.keyboard.press(key)
        expect(page.locator("h3").first).not_to_have_text(shown)
    app.screenshot("12_review_queue")
    app.reload()
    for name in ("fake", "genuine", "unsure"):
        expect(metric(page, name)).to_have_text(f"{start[name] + 1:,}")
