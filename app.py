"""Follower Audit: the multipage app. Each page is one file in pages/; Home is the default."""

import streamlit as st

from followaudit.ui.navigation import route_through_app, sidebar_pages
from followaudit.ui.session import capabilities_if_open
from followaudit.ui.warm import page_run

with page_run():  # the server's warm-up (serve.py) starts no new step while a page runs
    route_through_app()
    # only the pages this workspace's data supports (a profile-only table has no Growth anomalies)
    pages = [
        st.Page(path, title=title, icon=icon, default=index == 0)
        for index, (path, title, icon) in enumerate(sidebar_pages(capabilities_if_open()))
    ]
    st.navigation(pages).run()
