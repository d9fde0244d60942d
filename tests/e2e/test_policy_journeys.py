"""Policy and review journeys in Chromium: lab -> saved policy -> comparison; keyboard labelling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def metric_value(page, label: str) -> str:
    """The shown value of the st.metric whose label is exactly `label`."""
    box = page.locator("[data-testid='stMetric']").filter(
        has=page.locator(
            "[data-testid='stMetricLabel']", has_text=re.compile(f"^{re.escape(label)}$")
        )
    )
    return box.locator("[data-testid='stMetricValue']").first.inner_text().strip()


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).first.click()


def test_threshold_to_saved_policy_to_comparison(page, app_url, e2e):
    """Move the threshold -> save a policy -> compare it with the default -> reload keeps it."""
    e2e.goto(page, f"{app_url}/Threshold_Lab")
    before = metric_value(page, "Flagged")
    page.get_by_text("top X %", exact=True).click()
    e2e.wait_for_app(page)
    page.get_by_label("Flag the top X % of accounts").fill("3")
    page.keyboard.press("Enter")
    e2e.wait_for_app(page)
    assert metric_value(page, "Flagged") != before
    e2e.screenshot(page, "10_threshold_lab")

    page.get_by_text("Save these settings as a policy").click()
    page.get_by_label("Policy name").fill("e2e_top3")
    page.get_by_label("Note (why this policy)").fill("top 3 % from the e2e journey")
    page.get_by_role("button", name="Save as new version").click()
    e2e.wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Saved e2e_top3 version \d+"))).to_be_visible()

    e2e.goto(page, f"{app_url}/Policies")
    choose(page, "Policy A", "e2e_top3 v1")
    e2e.wait_for_app(page)
    choose(page, "Policy B", "conservative")
    e2e.wait_for_app(page)
    expect(page.get_by_text(re.compile(r"[\d,]+ accounts change flag"))).to_be_visible()
    e2e.screenshot(page, "11_policies_compare")

    page.reload()
    e2e.wait_for_app(page)
    e2e.goto(page, f"{app_url}/Threshold_Lab?policy=e2e_top3")
    expect(page.get_by_text(re.compile(r"Editing e2e_top3 v1"))).to_be_visible()
    expect(page.get_by_label("Flag the top X % of accounts")).to_have_value("3.00")


def test_review_three_accounts_by_keyboard(page, app_url, e2e):
    """Label three accounts with F, G and U only -> reload -> the labels are still counted."""
    e2e.goto(page, f"{app_url}/Review_Queue")
    start = {k: int(metric_value(page, k).replace(",", "")) for k in ("fake", "genuine", "unsure")}
    assert int(metric_value(page, "reviewed").replace(",", "")) == sum(start.values())
    page.get_by_label("Note (optional)").click()
    page.keyboard.type("gut feeling")  # letters typed into the note must not fire F/G/U
    e2e.wait_for_app(page)
    assert int(metric_value(page, "reviewed").replace(",", "")) == sum(start.values())
    page.get_by_role("heading", name="Review queue").click()  # keyboard focus on the page
    for key in ("f", "g", "u"):
        shown = page.locator("h3").first.inner_text()
        page.keyboard.press(key)
        e2e.wait_for_app(page)
        expect(page.locator("h3").first).not_to_have_text(shown)
    e2e.screenshot(page, "12_review_queue")
    page.reload()
    e2e.wait_for_app(page)
    for name in ("fake", "genuine", "unsure"):
        assert int(metric_value(page, name).replace(",", "")) == start[name] + 1
