"""Data: load a data folder (upload or server path), see every problem, build a workspace, export."""

import streamlit as st

from followaudit import ui
from followaudit.ui import data as ui_data

ws = ui_data.page_start("Data", ":material/database:")
st.title("Data")
st.caption(
    "Load your platform's tables in the canonical format (see README, *Data format*): one file per "
    "table, CSV or Parquet. Every file is checked before anything is built; a failed build changes nothing."
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
        f"From `{ws.path.name}`. Flagged accounts follow the active policy. "
        + ("Demo mode is on: names in the files are pseudonymised." if ui.demo_mode() else "")
    )
    ui_data.downloads()
