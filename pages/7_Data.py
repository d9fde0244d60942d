"""Data: import one account table through the wizard, or load a canonical data folder; export."""

import streamlit as st

from followaudit import ui
from followaudit.ui import data as ui_data
from followaudit.ui import wizard

ws = ui_data.page_start("Data", ":material/database:")
st.title("Data")
mode = st.radio(
    "What do you have?",
    [wizard.MODE, ui_data.MODE],
    horizontal=True,
    key="data_mode",
    help="The wizard maps any account table's columns; a data folder is already canonical "
    "(see README, *Data format*) and may hold follows, engagement and labels too.",
)
wizard.show_last_build()

if mode == wizard.MODE:
    st.subheader("1 · Choose a table")
    path = wizard.choose_table()
    table = wizard.profile(path) if path is not None else None
    if table is not None:
        st.subheader("2 · Its columns")
        wizard.show_columns(table)
        st.subheader("3 · Map them to Follower Audit's columns")
        mapping = wizard.choose_mapping(table)
        st.subheader("4 · Preview")
        result = wizard.preview(path, mapping)
        wizard.show_preview(result)
        st.subheader("5 · Build a workspace")
        named = wizard.workspace_name(path)
        if named is not None:
            wizard.download_mapping(path, mapping, named[0])
            wizard.build_button(path, mapping, named[1], ready=result.ok)
else:
    st.caption(
        "One file per table, CSV or Parquet, in the canonical format. Every file is checked "
        "before anything is built; a failed build changes nothing."
    )
    st.subheader("1 · Choose the data")
    folder = ui_data.source_picker()
    if folder is not None:
        st.subheader("2 · Check it")
        if ui_data.validation_report(folder):
            st.subheader("3 · Build a workspace")
            ui_data.build_form(folder)

st.divider()
st.subheader("Downloads")
if ws is None:
    st.info("No workspace is open yet: build one above to download its results.")
else:
    st.caption(
        f"From {ui.plain(ws.path.name)}. Flagged accounts follow the active policy. "
        + ("Demo mode is on: names in the files are pseudonymised." if ui.demo_mode() else "")
    )
    ui_data.downloads()
