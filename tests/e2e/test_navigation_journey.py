"""Navigation in Chromium: the sidebar says Home, and Back returns to the view it left."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_explorer_journey import click_spike

pytestmark = pytest.mark.e2e


def test_the_sidebar_says_home_not_app(page, app):
    """The first entry of the sidebar is Home (st.navigation), never the entry file's name."""
    app.open()
    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav.get_by_text("Home", exact=True)).to_be_visible()
    expect(nav.get_by_text("app", exact=True)).to_have_count(0)
    expect(nav.get_by_text("Account explanation", exact=True)).to_be_visible()


def test_back_after_opening_a_follower_returns_to_the_creator_and_spike(page, app):
    """Home -> creator -> click a spike -> a follower; Back shows the same creator and spike."""
    app.open()
    with app.rerun("opening the worst creator"):
        page.locator("[data-testid='stPageLink'] a", has_text="quality").first.click()
    click_spike(page, app)
    expect(page.get_by_text("Followers gained")).to_be_visible()
    spike_url = page.url
    assert re.search(r"creator=\d+.*spike=\d+", spike_url)
    with app.rerun("opening a follower"):
        page.locator("[data-testid='stPageLink'] a", has_text="Explain @").first.click()
    expect(page).to_have_url(re.compile(r"account=\d+"))

    with app.rerun("going back"):
        page.go_back()
    expect(page).to_have_url(spike_url)
    expect(page.get_by_text("Followers gained")).to_be_visible()
    with app.rerun("going back again"):
        page.go_back()
    expect(page).to_have_url(re.compile(r"creator=\d+$"))
    expect(page.get_by_text("Click a shaded spike")).to_be_visible()
