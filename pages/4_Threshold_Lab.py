"""Threshold lab: pick a threshold by its metrics, cost, collateral damage and creator impact."""

import streamlit as st

from followaudit import ui
from followaudit.decide.lab import Lab, snapshot
from followaudit.decide.policy import Policy
from followaudit.ui import adapt as ua
from followaudit.ui import lab as up
from followaudit.ui import lab_tabs as tabs
from followaudit.ui import policies as pol

TABS = ["Curves", "Cost", "Collateral damage", "Creator impact", "Score distribution"]

ui.page_setup("Threshold lab", ":material/tune:")
st.title("Threshold lab")
policy = pol.editing_policy()
header = st.container()  # filled by the fragment once the threshold has settled the policy
with st.expander("Rules (toggle, change thresholds and weights)"):
    policy = up.rules_editor(policy)
lab = up.lab_for(policy)
up.lab_notes(lab)
with st.expander("Threshold from your reviewed labels: how sure", expanded=True):
    ua.from_reviews(tabs.use_threshold)


@st.fragment
def decisions(lab: Lab, policy: Policy) -> None:
    """The threshold, tiers and what they do: moving them reruns only this part of the page
    (the rules and the label-based threshold above stay), and only the open tab is computed."""
    policy, t = up.threshold_picker(lab, policy)
    policy = up.tier_picker(lab, policy, t)
    pol.set_editing(policy)
    with header:
        up.intro(policy)
    snap = snapshot(lab, policy, t)
    up.summary(lab, snap)
    curves, cost, collateral, impact, dist = st.tabs(TABS, on_change="rerun", key="lab_tab")
    if curves.open:
        with curves:
            tabs.curves(lab, snap)
    if cost.open:
        with cost:
            tabs.cost_section(lab, t)
    if collateral.open:
        with collateral:
            tabs.collateral_section(lab, t)
    if impact.open:
        with impact:
            tabs.impact_section(snap)
    if dist.open:
        with dist:
            tabs.distribution(lab, t)


decisions(lab, policy)
# outside the fragment (a move does not redraw it): a save is a full run, in which the fragment
# above has just set the policy under edit from the widgets
with st.expander("Save these settings as a policy"):
    pol.save_form(pol.editing_policy(), "lab_save")
