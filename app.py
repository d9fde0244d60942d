"""Follower Audit: the multipage app. Each page is one file in pages/; Home is the default."""

import streamlit as st

from followaudit.ui.navigation import PAGES

pages = [
    st.Page(path, title=title, icon=icon, default=index == 0)
    for index, (path, title, icon) in enumerate(PAGES)
]
st.navigation(pages).run()
