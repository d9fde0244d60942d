"""Home: what this workspace holds, the headline numbers, and where an analyst starts."""

import streamlit as st

from followaudit import ui
from followaudit.ui import adapt as ui_adapt
from followaudit.ui import home as ui_home

ui.page_setup("Home", ":material/home:")
st.title("Follower Audit")
st.caption("Which creators bought followers, when, how many — and why each follower looks fake.")

head = ui_home.headline()
if not head["accounts"]:
    st.info(
        "This workspace has no accounts yet. Import a table or load a data folder on the "
        "**Data** page, or build one with `followaudit build --data DATA_DIR --workspace W.duckdb`."
    )
    st.stop()

if ui.capabilities().has_follows:
    ui_home.headline_metrics(head)
    ui_adapt.fake_share_metric()
    left, right = st.columns(2)
    with left:
        st.subheader("Worst creators")
        st.caption("Most suspicious growth first; quality is the audience quality score (0–100).")
        ui_home.worst_creator_links(limit=ui_home.LINKS)
    with right:
        st.subheader("Strongest suspicious spikes")
        st.caption("Follower spikes that engagement does not explain, strongest first.")
        ui_home.top_spike_links(limit=ui_home.LINKS)
else:
    ui_home.profile_metrics(head)
    left, right = st.columns(2)
    with left:
        st.subheader("Score distribution")
        ui_home.score_distribution()
    with right:
        st.subheader("Most suspicious accounts")
        ui_home.suspicious_account_links(limit=ui_home.LINKS)
    ui_home.review_path()
missing = ("engagement",) if ui.capabilities().has_follows else ("growth", "sandbox")
ui.note_missing(*missing, "labels")

with st.expander("How to read this", icon=":material/help:"):
    st.markdown(ui_home.HOW_TO_READ)

with st.sidebar, st.expander("Switch workspace"):
    ui_home.workspace_switcher()
