"""A fresh server's first visitor gets the app's own navigation, whatever page they open first."""

from __future__ import annotations

import re

import pytest
from conftest import RUN_TIMEOUT_S, streamlit_server
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_first_visit_to_a_page_shows_the_sidebar_the_data_supports(
    page, profile_only_workspace_path, tmp_path
):
    """Streamlit serves a fresh server's runs the pages/-folder way until a run calls
    st.navigation: every file in the sidebar ("app" first, Growth too on a profile-only table)."""
    env = {"FOLLOWAUDIT_WORKSPACE": str(profile_only_workspace_path)}
    workspaces = tmp_path / "workspaces"
    workspaces.mkdir()
    with streamlit_server("app.py", workspaces, env, tmp_path / "streamlit.log") as url:
        page.goto(f"{url}/Data")
        nav = page.locator("[data-testid='stSidebarNav']")
        settled = RUN_TIMEOUT_S * 1000
        expect(nav.get_by_text("app", exact=True)).to_have_count(0, timeout=settled)
        expect(nav.get_by_text("Home", exact=True)).to_be_visible()
        expect(nav.get_by_text("Data", exact=True)).to_be_visible()
        expect(nav.get_by_text(re.compile("growth", re.IGNORECASE))).to_have_count(0)
        expect(page.get_by_role("heading", name="Data")).to_be_visible()
