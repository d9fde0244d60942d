"""Threshold lab: pick a threshold by its metrics, cost, collateral damage and creator impact."""

import streamlit as st

from followaudit import ui
from followaudit.decide.policy import MAX_RISK
from followaudit.decide.report import snapshot
from followaudit.ui import adapt as ua
from followaudit.ui import lab as up
from followaudit.ui import policies as pol

ui.page_setup("Threshold lab", ":material/tune:")
st.title("Threshold lab")
policy = pol.editing_policy()
up.intro(policy)
with st.expander("Rules (toggle, change thresholds and weights)"):
    policy = up.rules_editor(policy)
lab = up.lab_for(policy)
up.lab_notes(lab)
with st.expander("Threshold from your reviewed labels: how sure", expanded=True):
    ua.from_reviews("lab_threshold")

highest = up.slider_top(lab)  # rule points can lift risk above 1
left, right = st.columns([1, 2])
mode = left.radio(
    "Threshold as",
    ["risk value", "top X %"],
    index=int(policy.top_percent is not None),
    horizontal=True,
    key="lab_mode",
)
if mode == "risk value":
    t = right.slider(
        "Threshold", 0.0, highest, min(float(policy.threshold), highest), 0.001, key="lab_threshold"
    )
    policy = policy.with_changes(threshold=t, top_percent=None)
else:
    start = policy.top_percent or max(0.01, round(lab.index.top_percent(policy.threshold), 2))
    top = right.number_input(
        "Flag the top X % of accounts", 0.01, 100.0, float(start), key="lab_top"
    )
    t = lab.index.threshold_for_top(top)
    policy = policy.with_changes(top_percent=top, threshold=min(t, MAX_RISK))
    right.caption(f"= risk threshold {t:.4f}")
remove, suspend = st.slider(
    "Tiers: remove follower at risk ≥ … and suspend at risk ≥ …",
    0.0,
    highest,
    (float(policy.tiers["remove"]), float(policy.tiers["suspend"])),
    0.001,
    key="lab_tiers",
)
policy = policy.with_changes(tiers={"review": t, "remove": remove, "suspend": suspend})
pol.set_editing(policy)

snap = snapshot(lab, policy, t)
up.metrics_row(lab, snap)
up.tiers_row(snap)
curves, cost, collateral, impact, dist = st.tabs(
    ["Curves", "Cost", "Collateral damage", "Creator impact", "Score distribution"]
)
with curves:
    up.curves(lab, snap)
with cost:
    up.cost_section(lab, t)
with collateral:
    up.collateral_section(lab, t)
with impact:
    up.impact_section(lab, t)
with dist:
    up.distribution(lab, t)
with st.expander("Save these settings as a policy"):
    pol.save_form(policy, "lab_save")
