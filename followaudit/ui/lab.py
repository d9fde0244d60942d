"""The Threshold lab page area: the rule set, the threshold and tiers, and what they do.

Every count shown comes from the decision layer (`ui.lab_for` / `Decisions`, cached in
`ui/session.py` once per workspace version + rule set + label event), so a threshold move only
calls `lab.snapshot` — a few `np.searchsorted` calls. The policy under edit and its save form
are `ui/policies.py`.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.decide.lab import Lab
from followaudit.decide.policy import Policy, tier_problems
from followaudit.decide.risk import risk_text
from followaudit.ui.cards import card, cards
from followaudit.ui.policies import editing_label, show_saved
from followaudit.ui.text import plain


def lab_for(policy: Policy) -> Lab:
    """The decision layer's lab for this policy's rules and the current review labels."""
    return ui.lab_for(policy)


def rules_editor(policy: Policy) -> Policy:
    """Rule toggles, thresholds and weights (log-odds) in a table; returns the edited policy."""
    table = pl.DataFrame(
        {
            "enabled": [r.enabled for r in policy.rules],
            "rule": [r.description for r in policy.rules],
            "feature": [r.feature for r in policy.rules],
            "op": [r.op for r in policy.rules],
            "threshold": [r.threshold for r in policy.rules],
            "weight": [r.weight for r in policy.rules],
        },
        schema={"enabled": pl.Boolean, "rule": pl.String, "feature": pl.String, "op": pl.String}
        | {"threshold": pl.Float64, "weight": pl.Float64},
    )
    edited = st.data_editor(
        table,
        key=f"lab_rules_{policy.name}_{policy.version}",
        disabled=["rule", "feature", "op"],
        hide_index=True,
        width="stretch",
        column_config={
            "enabled": st.column_config.CheckboxColumn("On"),
            "rule": "Rule",
            "feature": "Feature",
            "op": "Test",
            "threshold": st.column_config.NumberColumn("Value"),
            "weight": st.column_config.NumberColumn(
                "Weight (log-odds)",
                help="Added to the model's log-odds when the rule holds: +0.69 doubles the odds "
                "an account is fake, -0.69 halves them.",
                min_value=-40.0,
                max_value=40.0,
            ),
        },
    )
    return policy.with_changes(rules=_edited_rules(policy, edited))


def _edited_rules(policy: Policy, edited) -> list:
    rows = list(pl.DataFrame(edited).iter_rows(named=True))
    return [
        replace(
            r,
            enabled=bool(row["enabled"]),
            threshold=float(row["threshold"]),
            weight=float(row["weight"]),
        )
        for r, row in zip(policy.rules, rows, strict=True)
    ]


# --- the threshold and tiers ------------------------------------------------------------------


def threshold_picker(lab: Lab, policy: Policy) -> tuple[Policy, float]:
    """A risk value (0..1) or a top-X % of accounts; returns the policy and its flag line."""
    # one horizontal container, not columns: a move redraws 1 block instead of 3
    row = st.container(horizontal=True, gap="medium")
    # widget values live in session state (set here once, or by "Use this threshold")
    st.session_state.setdefault("lab_mode", "top X %" if policy.top_percent else "risk value")
    st.session_state.setdefault("lab_threshold", float(policy.threshold))
    mode = row.radio("Threshold as", ["risk value", "top X %"], horizontal=True, key="lab_mode")
    if mode == "risk value":
        t = row.slider(
            "Threshold (risk)", 0.0, 1.0, step=0.001, key="lab_threshold", format="%.3f",
            help="Risk is a probability: flag accounts at or above this value.",
        )  # fmt: skip
        if risk_text(t) != f"{t:.3f}":  # a line set elsewhere, finer than the slider shows
            st.caption(f"= risk threshold {risk_text(t)}")
        return policy.with_changes(threshold=t, top_percent=None), t
    start = policy.top_percent or max(0.01, round(lab.decision.top_percent(policy.threshold), 2))
    top = row.number_input("Flag the top X % of accounts", 0.01, 100.0, float(start), key="lab_top")
    t = lab.decision.threshold_for_top(top)
    st.caption(f"= risk threshold {risk_text(t)}")
    return policy.with_changes(top_percent=top, threshold=t), t


def tier_picker(lab: Lab, policy: Policy, threshold: float) -> Policy:
    """Remove and suspend cut-offs, as risk values or (with a top-X % line) as shares of all
    accounts; risk tiers below the threshold are refused with the reason."""
    if policy.top_percent is not None:
        return _tier_shares(lab, policy, threshold)
    remove, suspend = st.slider(
        "Tiers: remove follower at risk ≥ … and suspend at risk ≥ …",
        0.0,
        1.0,
        (float(policy.tiers["remove"]), float(policy.tiers["suspend"])),
        0.001,
        format="%.3f",
        key="lab_tiers",
    )
    policy = policy.with_changes(tiers={"review": threshold, "remove": remove, "suspend": suspend})
    for problem in tier_problems(policy, threshold):
        st.error(f"Tiers refused: {problem}", icon=":material/block:")
    return policy


def _tier_shares(lab: Lab, policy: Policy, threshold: float) -> Policy:
    """Tiers for a top-X % line: remove the top R % and suspend the top S % (S <= R <= X); each
    maps exactly to a risk cut-off, never below the line."""
    top = float(policy.top_percent)
    index = lab.decision
    left, right = st.columns(2)
    shares, cuts = {}, {}
    for col, tier, ceiling in ((left, "remove", top), (right, "suspend", None)):
        ceiling = shares.get("remove", top) if ceiling is None else ceiling
        key, saved = f"lab_tier_{tier}_pct", float(policy.tiers[tier])
        current = st.session_state.get(key, index.top_percent(saved))
        st.session_state[key] = round(min(max(current, 0.0), ceiling), 2)
        # the rounded share of a saved cut-off stands for that cut-off exactly until edited
        st.session_state.setdefault(f"{key}_saved", (st.session_state[key], saved))
        shares[tier] = col.number_input(
            f"{tier.capitalize()} the top … % of accounts", 0.0, ceiling, key=key, step=0.1,
            help=f"At most the {ceiling:g} % above it: tiers never start below the flag line.",
        )  # fmt: skip
        cuts[tier] = _share_cut(index, shares[tier], st.session_state[f"{key}_saved"], threshold)
    st.caption(
        f"= remove at risk ≥ {risk_text(cuts['remove'])}, suspend at ≥ {risk_text(cuts['suspend'])}"
    )
    return policy.with_changes(tiers={"review": threshold, **cuts})


def _share_cut(index, share: float, saved: tuple[float, float], threshold: float) -> float:
    """The risk cut-off of a tier share: the saved one while the share is unchanged."""
    if not share:
        return 1.0
    cut = saved[1] if share == saved[0] else index.threshold_for_top(share)
    return max(cut, threshold)


# --- showing a snapshot ---------------------------------------------------------------------


def summary(lab: Lab, snap: dict) -> None:
    """What the decisions do (flagged, accounts per tier) and the out-of-fold estimates of
    quality with their 95 % intervals, in one element; then which numbers count labels."""
    share = f"{snap['top_percent']:.2f} % of all accounts"
    first = [card("Flagged", f"{snap['flagged']:,}", share)]
    reason = lab.missing_metrics_reason()
    if not reason:
        for name in ("precision", "recall", "f1", "mcc"):
            low, high = snap["intervals"][name]
            first.append(
                card(
                    name.upper() if name == "mcc" else name.capitalize(),
                    f"{snap['metrics'][name]:.3f}",
                    f"95 % CI {low:.3f} – {high:.3f}",
                    "Estimated on out-of-fold risk of the labelled accounts",
                )
            )
    cuts = snap["tier_cutoffs"]
    tiers = [
        card(
            "not flagged" if tier == "none" else f"{tier} (≥ {cuts[tier]:.3f})",
            f"{snap['tiers'][tier]:,}",
        )
        for tier in ("none", "review", "remove", "suspend")
    ]
    st.html(cards(first, 5) + cards(tiers, 5))  # no Markdown parse per move: plain HTML
    if reason:
        st.info(reason)
    st.caption(labelled_sentence(snap))


def labelled_sentence(snap: dict) -> str:
    """Which numbers count only labelled accounts, said explicitly."""
    lab = snap["labelled"]
    flagged_labelled = lab["tp"] + lab["fp"]
    text = (
        f"{flagged_labelled:,} of the {snap['flagged']:,} flagged accounts are labelled "
        f"({lab['tp']:,} fake, {lab['fp']:,} genuine)."
    )
    if snap["metrics"]:
        m = snap["metrics"]
        text += (
            f" Precision, recall, F1 and MCC are estimated on the out-of-fold risk of "
            f"{snap['estimated_on']:,} labelled accounts, where this threshold flags "
            f"{m['tp'] + m['fp']:,} of them."
        )
    return text


def intro(policy: Policy) -> None:
    """Which policy the lab edits (named after a save) and how risk is computed."""
    show_saved()
    st.caption(
        f"Editing **{plain(editing_label(policy))}**. Risk = the model's calibrated probability that an account "
        "is fake, with each broken rule multiplying its odds (weights in log-odds); flagged "
        "when risk ≥ threshold. Save on this page or on Policies."
    )
    if policy.converted:
        st.info(policy.converted)


def lab_notes(lab: Lab) -> None:
    """Which scores and labels the numbers use, and any rule that had to be skipped."""
    for note in lab.notes:
        st.caption(plain(note))
    for skipped in lab.skipped:
        st.warning(f"Rule skipped: {plain(skipped)}")
