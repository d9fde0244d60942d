"""Policies: save the lab's settings as versioned policies, set the active one, compare, export."""

import streamlit as st

from followaudit import ui
from followaudit.decide.policy import describe
from followaudit.ui import policies as uc

ui.page_setup("Policies", ":material/policy:")
st.title("Policies")
editing = uc.editing_policy()
uc.show_saved()

st.subheader("Save the lab's current settings")
st.caption(ui.plain(describe(editing)))
uc.save_form(editing, "pol_save")

st.subheader("Saved versions")
versions = uc.versions_frame()
if versions.is_empty():
    st.info("No saved policy yet: the shipped presets are in use. Save the lab's settings above.")
else:
    ui.table(versions, hide_index=True, key="pol_versions")
uc.active_picker()

st.subheader("Compare two policies")
choices = [uc.UNSAVED, *uc.policy_choices()]
left, right = st.columns(2)
a = left.selectbox("Policy A", choices, index=0, key="pol_a")
default_b = choices.index("conservative") if "conservative" in choices else 0
b = right.selectbox("Policy B", choices, index=default_b, key="pol_b")
compared = uc.compare_section(a, b)

if compared is not None:
    pol_a, pol_b, comparison = compared
    st.subheader("Report for stakeholders")
    st.caption(
        f"Policy A ({ui.plain(comparison.a)}) at its threshold, compared with B "
        f"({ui.plain(comparison.b)}): the report names both and gives B's value and the change "
        "beside every measure."
    )
    uc.export_buttons(pol_a, comparison)
