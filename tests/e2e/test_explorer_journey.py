"""The analyst's journey in Chromium: home -> worst creator -> spike -> follower -> label -> reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from followaudit.store.workspace import PROJECT_ROOT

pytestmark = pytest.mark.e2e
PAGE_FILES = sorted((PROJECT_ROOT / "pages").glob("*.py"))


def page_title(file: Path) -> str:
    """The `st.title(...)` a pages/ file shows."""
    return re.search(r'st\.title\("([^"]+)"\)', file.read_text()).group(1)


def page_path(file_name: str) -> str:
    """Streamlit's URL path of a pages/ file: the name without its number prefix and suffix."""
    return re.sub(r"^[0-9]+_", "", file_name.removesuffix(".py"))


def click_spike(page, app) -> None:
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
                with app.rerun("clicking a spike band"):
                    page.mouse.click(x, y)
                return
    raise AssertionError("no spike band found under the pointer on the growth chart")


def test_home_to_a_labelled_follower(page, app):
    """Home -> worst creator -> click its spike -> a follower -> explanation -> label -> reload."""
    app.open()
    expect(page.get_by_text("Worst creators")).to_be_visible()
    app.screenshot("01_home")

    with app.rerun("opening the worst creator"):
        page.locator("[data-testid='stPageLink'] a", has_text="quality").first.click()
    expect(page.get_by_text("Click a shaded spike")).to_be_visible()
    app.screenshot("02_growth_anomalies")

    click_spike(page, app)
    expect(page.get_by_text("Followers gained")).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"creator=\d+.*spike=\d+"))
    app.screenshot("03_spike_followers")
    spike_link = page.url

    with app.rerun("opening a follower's explanation"):
        page.locator("[data-testid='stPageLink'] a", has_text="Explain @").first.click()
    expect(page.get_by_text("Why it looks fake")).to_be_visible()
    expect(page).to_have_url(re.compile(r"account=\d+"))

    page.locator("[data-testid='stRadio']").get_by_text("fake", exact=True).click()  # in a form
    page.get_by_label("Note").fill("bought follower, e2e journey")
    with app.rerun("saving the label"):
        page.get_by_role("button", name="Save label").click()
    expect(page.get_by_text(re.compile(r"Labelled fake by"))).to_be_visible()
    app.screenshot("04_account_explanation")

    app.reload()
    expect(
        page.get_by_text(re.compile(r"Labelled fake by .*bought follower, e2e journey"))
    ).to_be_visible()

    app.open(spike_link.removeprefix(app.base_url))  # a pasted link: the same spike, its followers
    expect(page.get_by_text("Followers gained")).to_be_visible()


@pytest.mark.parametrize("file", PAGE_FILES, ids=lambda p: p.name)
def test_every_page_renders_in_the_browser(file, page, app):
    """Each page shows its title and no exception box (screenshot: `make screenshots`)."""
    app.open(page_path(file.name))
    expect(page.get_by_role("heading", level=1, name=page_title(file))).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    app.screenshot(file.stem.lower())
