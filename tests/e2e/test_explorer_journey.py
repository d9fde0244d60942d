"""The analyst's journey in Chromium: home -> worst creator -> spike -> follower -> label -> reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from followaudit.store.workspace import PROJECT_ROOT

pytestmark = pytest.mark.e2e
PAGE_FILES = sorted((PROJECT_ROOT / "pages").glob("*.py"))


def page_url(app_url: str, file_name: str) -> str:
    """Streamlit's URL of a pages/ file: the name without its number prefix and suffix."""
    return f"{app_url}/{re.sub(r'^[0-9]+_', '', file_name.removesuffix('.py'))}"


def click_spike(page, e2e) -> None:
    """Sweep the pointer across the growth chart until a spike band's tooltip shows, then click."""
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    tooltip = page.locator("#vg-tooltip-element")
    for y_share in (0.3, 0.45, 0.6):
        y = box["y"] + box["height"] * y_share
        for x in range(int(box["x"]) + 40, int(box["x"] + box["width"]) - 40, 3):
            page.mouse.move(x, y)
            if tooltip.is_visible() and "excess followers" in (tooltip.text_content() or ""):
                page.mouse.click(x, y)
                e2e.wait_for_app(page)
                return
    raise AssertionError("no spike band found under the pointer on the growth chart")


def test_home_to_a_labelled_follower(page, app_url, e2e):
    """Home -> worst creator -> click its spike -> a follower -> explanation -> label -> reload."""
    e2e.goto(page, app_url)
    expect(page.get_by_text("Worst creators")).to_be_visible()
    e2e.screenshot(page, "01_home")

    page.locator("[data-testid='stPageLink'] a", has_text="quality").first.click()
    e2e.wait_for_app(page)
    expect(page.get_by_text("Click a shaded spike")).to_be_visible()
    e2e.screenshot(page, "02_growth_anomalies")

    click_spike(page, e2e)
    expect(page.get_by_text("Followers gained")).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    e2e.screenshot(page, "03_spike_followers")
    spike_link = page.url
    assert "creator=" in spike_link and "spike=" in spike_link

    page.locator("[data-testid='stPageLink'] a", has_text="Explain @").first.click()
    e2e.wait_for_app(page)
    expect(page.get_by_text("Why the model thinks so")).to_be_visible()
    assert "account=" in page.url

    page.locator("[data-testid='stRadio']").get_by_text("fake", exact=True).click()
    page.get_by_label("Note").fill("bought follower, e2e journey")
    page.get_by_role("button", name="Save label").click()
    e2e.wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Labelled fake by"))).to_be_visible()
    e2e.screenshot(page, "04_account_explanation")

    page.reload()
    e2e.wait_for_app(page)
    expect(
        page.get_by_text(re.compile(r"Labelled fake by .*bought follower, e2e journey"))
    ).to_be_visible()

    e2e.goto(page, spike_link)  # a pasted link shows the same spike and its followers
    expect(page.get_by_text("Followers gained")).to_be_visible()


@pytest.mark.parametrize("file_name", [p.name for p in PAGE_FILES])
def test_every_page_renders_in_the_browser(file_name, page, app_url, e2e):
    """Each page renders without an exception box; its screenshot goes to docs/screenshots/."""
    e2e.goto(page, page_url(app_url, file_name))
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    e2e.screenshot(page, file_name.removesuffix(".py").lower())
