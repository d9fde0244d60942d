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
from followaudit.growth import audience
from followaudit.ui import lab_charts as charts
from followaudit.ui.policies import editing_label, show_saved
from followaudit.ui.tables import count_column, number_column, share_column
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
    left, right = st.columns([1, 2])
    # widget values live in session state (set here once, or by "Use this threshold")
    st.session_state.setdefault("lab_mode", "top X %" if policy.top_percent else "risk value")
    st.session_state.setdefault("lab_threshold", float(policy.threshold))
    mode = left.radio("Threshold as", ["risk value", "top X %"], horizontal=True, key="lab_mode")
    if mode == "risk value":
        t = right.slider(
            "Threshold (risk)", 0.0, 1.0, step=0.001, key="lab_threshold", format="%.3f",
            help="Risk is a probability: flag accounts at or above this value.",
        )  # fmt: skip
        if risk_text(t) != f"{t:.3f}":  # a line set elsewhere, finer than the slider shows
            right.caption(f"= risk threshold {risk_text(t)}")
        return policy.with_changes(threshold=t, top_percent=None), t
    start = policy.top_percent or max(0.01, round(lab.decision.top_percent(policy.threshold), 2))
    top = right.number_input(
        "Flag the top X % of accounts", 0.01, 100.0, float(start), key="lab_top"
    )
    t = lab.decision.threshold_for_top(top)
    right.caption(f"= risk threshold {risk_text(t)}")
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
    shares = {}
    for col, tier, ceiling in ((left, "remove", top), (right, "suspend", None)):
        ceiling = shares.get("remove", top) if ceiling is None else ceiling
        key = f"lab_tier_{tier}_pct"
        current = st.session_state.get(key, index.top_percent(float(policy.tiers[tier])))
        st.session_state[key] = round(min(max(current, 0.0), ceiling), 2)
        shares[tier] = col.number_input(
            f"{tier.capitalize()} the top … % of accounts", 0.0, ceiling, key=key, step=0.1,
            help=f"At most the {ceiling:g} % above it: tiers never start below the flag line.",
        )  # fmt: skip
    cuts = {t: max(index.threshold_for_top(p), threshold) if p else 1.0 for t, p in shares.items()}
    st.caption(
        f"= remove at risk ≥ {risk_text(cuts['remove'])}, suspend at ≥ {risk_text(cuts['suspend'])}"
    )
    return policy.with_changes(tiers={"review": threshold, **cuts})


# --- showing a snapshot ---------------------------------------------------------------------


def metrics_row(lab: Lab, snap: dict) -> None:
    """What the decisions do (flagged, labelled) and the out-of-fold estimates of quality."""
    cols = st.columns(5)
    cols[0].metric(
        "Flagged", f"{snap['flagged']:,}", help=f"{snap['top_percent']:.2f} % of all accounts"
    )
    reason = lab.missing_metrics_reason()
    if reason:
        cols[1].info(reason)
    else:
        for col, name in zip(cols[1:], ("precision", "recall", "f1", "mcc"), strict=True):
            low, high = snap["intervals"][name]
            col.metric(
                name.upper() if name == "mcc" else name.capitalize(),
                f"{snap['metrics'][name]:.3f}",
                help="Estimated on out-of-fold risk of the labelled accounts",
            )
            col.caption(f"95 % CI {low:.3f} – {high:.3f}")
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


def tiers_row(snap: dict) -> None:
    """Accounts per tier (the three flagged tiers add up to Flagged)."""
    cols = st.columns(4)
    cuts = snap["tier_cutoffs"]
    for col, tier in zip(cols, ("none", "review", "remove", "suspend"), strict=True):
        label = "not flagged" if tier == "none" else f"{tier} (≥ {cuts[tier]:.3f})"
        col.metric(label, f"{snap['tiers'][tier]:,}")


def _chart(where, lab: Lab, key: str, build, **datasets: pl.DataFrame) -> None:
    """Draw a chart whose spec is built once per lab; only its named datasets change per move."""
    spec = lab.charts.get(key)
    if spec is None:
        spec = lab.charts[key] = build().to_dict()
    where.vega_lite_chart(spec=charts.with_data(spec, **datasets), width="stretch")


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


def confusion_table(snap: dict) -> None:
    """The confusion matrix of the estimate (out-of-fold risk of labelled accounts)."""
    m = snap["metrics"]
    st.caption(
        f"Out-of-fold risk of the {snap['estimated_on']:,} labelled accounts at this threshold:"
    )
    ui.table(
        pl.DataFrame(
            {
                "labelled as": ["fake", "genuine"],
                "flagged": [m["tp"], m["fp"]],
                "not flagged": [m["fn"], m["tn"]],
            }
        ),
        hide_index=True,
        column_config={
            "labelled as": "Labelled as",
            "flagged": count_column("Flagged"),
            "not flagged": count_column("Not flagged"),
        },
    )


def curves(lab: Lab, snap: dict, card: dict | None) -> None:
    """Confusion matrix, zoomed PR and log-axis ROC curves with the operating point."""
    m = snap["metrics"]
    if m is None:
        st.info(lab.missing_metrics_reason())
        return
    confusion_table(snap)
    st.caption(auc_sentence(lab, card))
    left, right = st.columns(2)
    c = lab.estimate.curves
    rx, ry = charts.pr_domain(c["pr"])
    point = charts.operating_point(m["recall"], m["precision"], rx, ry)
    title = f"Precision–recall (AP {c['pr_auc']:.4f}), zoomed"
    _chart(left, lab, "pr", lambda: charts.curve_chart(c["pr"], "recall", "precision", title, rx, ry), current=point)  # fmt: skip
    floor = charts.roc_floor(len(lab.estimate.neg))
    fx, fy = [floor, 1.0], charts.roc_tpr_domain(c["roc"], floor)
    point = charts.operating_point(max(m["fpr"], floor), m["recall"], fx, fy)
    roc = charts.roc_frame(c["roc"], floor)
    title = f"ROC (AUC {c['roc_auc']:.4f})"
    _chart(right, lab, "roc", lambda: charts.curve_chart(roc, "fpr_shown", "tpr", title, fx, fy, log_x=True), current=point)  # fmt: skip
    st.caption(
        "Drawn for this class balance: precision–recall is zoomed on its knee, ROC puts the "
        "false-positive rate on a log axis (FPR 0 drawn at the left edge); the red dot is this "
        "threshold. Hover a curve for its thresholds."
    )


def auc_sentence(lab: Lab, card: dict | None) -> str:
    """Every AUC on the page with the population it was measured on."""
    text = (
        f"ROC-AUC {lab.estimate.curves['roc_auc']:.4f}: this policy's risk (model score and "
        f"rules), out-of-fold, on {lab.labelled:,} labelled accounts. The model score alone on "
        f"the same accounts: {lab.model_auc:.4f}."
    )
    cv = (card or {}).get("cv", {})
    if "roc_auc" in cv:
        rows = card.get("labelled_accounts") or card.get("rows")
        text += (
            f" The model card's {cv['roc_auc']:.4f} is the model score alone, out-of-fold, on "
            f"its {int(rows or 0):,} training rows ({card.get('trained_on', 'its training data')})."
        )
    return text


def use_threshold(value: float) -> None:
    """Button callback: put the suggested threshold on the slider."""
    st.session_state["lab_mode"] = "risk value"
    st.session_state["lab_threshold"] = float(value)  # exact: rounding could move the line


def cost_section(lab: Lab, threshold: float) -> float | None:
    """Cost inputs, the suggested threshold with a button to use it, and its chart."""
    if not lab.estimate.has_metrics:
        st.info(lab.missing_metrics_reason())
        return None
    a, b = st.columns(2)
    cost_fp = a.number_input(
        "Cost of actioning a genuine account", 0.0, 1e6, 10.0, key="lab_cost_fp"
    )
    cost_fn = b.number_input("Cost of missing a fake", 0.0, 1e6, 1.0, key="lab_cost_fn")
    best = lab.estimate.optimise_cost(cost_fp, cost_fn)
    st.caption(
        f"Lowest expected cost at threshold **{risk_text(best['threshold'])}**: {best['fp']:,} genuine "
        f"actioned and {best['fn']:,} fakes missed among labelled accounts (out-of-fold; cost "
        f"{best['cost']:,.1f})."
    )
    st.button(
        f"Use this threshold ({risk_text(best['threshold'])})",
        key="lab_use_cost",
        on_click=use_threshold,
        args=(best["threshold"],),
        icon=":material/check:",
    )
    marks = pl.DataFrame({"t": [best["threshold"], threshold], "what": ["lowest cost", "current"]})
    curve = lambda: charts.cost_chart(lab.estimate.cost_curve(cost_fp, cost_fn))  # noqa: E731
    _chart(st, lab, f"cost {cost_fp} {cost_fn}", curve, current=marks)
    return best["threshold"]


SEGMENT_COLUMNS = {
    "segment": "Segment",
    "value": "Value",
    "accounts": count_column("Accounts"),
    "flagged": count_column("Flagged"),
    "genuine": count_column("Labelled genuine"),
    "genuine_flagged": count_column(
        "Genuine flagged", help="Labelled genuine accounts flagged (out-of-fold estimate)"
    ),
    "fpr": share_column("False-positive rate"),
}


SEGMENT_NAMES = {"region": "region", "age_band": "account age", "verified": "verified"}
SEGMENT_NAMES |= {"private": "private"}


def collateral_section(lab: Lab, threshold: float) -> None:
    """Genuine accounts flagged by segment, with per-segment FPR."""
    frame = lab.segments.at(threshold).with_columns(pl.col("segment").replace(SEGMENT_NAMES))
    if frame.filter(pl.col("genuine") > 0).is_empty():
        st.info(
            "No labelled genuine accounts yet, so collateral damage cannot be measured; flagged counts per segment:"
        )
    else:
        data = frame.filter(pl.col("genuine") > 0)
        _chart(st, lab, "collateral", charts.collateral_chart, segments=data)
    ui.table(frame, hide_index=True, column_config=SEGMENT_COLUMNS)


def impact_section(snap: dict, limit: int = 25) -> None:
    """Creators losing > 5/10/25 % of followers, the purge, and the most affected creators with
    their engagement rate before and after (the purge simulation of these decisions)."""
    d = snap["decisions"]
    losses = d.creator_losses()
    if losses is None:
        st.info(ui.capabilities().needs("audience") or "Creator impact was not computed.")
        return
    cols = st.columns(4)
    for col, (level, count) in zip(cols, snap["creators_losing"].items(), strict=False):
        col.metric(f"Creators losing > {level} %", f"{count:,}")
    cols[3].metric("Followers a purge removes", f"{snap['purge_followers']:,}")
    top = losses.sort(["followers_lost", "creator_id"], descending=[True, False])
    top = top.sort("lost_pct", descending=True, maintain_order=True).head(limit)
    sim = audience.purge_simulation(ui.cached(audience.purge_base), top)
    names = ui.run("policy/usernames", ids=sim["creator_id"].to_list())
    sim = sim.drop("username").join(
        names, left_on="creator_id", right_on="account_id", how="left", maintain_order="left"
    )
    sim = sim.with_columns(
        pl.col("creator_id").map_elements(ui.creator_url, return_dtype=pl.String).alias("link")
    )
    shown = ["username", "creator_id", "followers_before", "removed", "loss_share"]
    shown += ["engagement_rate_before", "engagement_rate_after", "link"]
    ui.table(sim.select(shown), hide_index=True, column_config=IMPACT_COLUMNS)
    st.caption(
        "A purge removes the current follows made by flagged accounts; engagement rate = recent "
        "daily likes, comments and shares per follower, before and after."
    )


IMPACT_COLUMNS = {
    "username": "Creator",
    "creator_id": "Creator id",
    "followers_before": count_column("Current followers"),
    "removed": count_column("Followers lost"),
    "loss_share": share_column("Share lost"),
    "engagement_rate_before": number_column("Engagement rate before", 4),
    "engagement_rate_after": number_column("Engagement rate after", 4),
    "link": st.column_config.LinkColumn("Open", display_text="growth"),
}


def distribution(lab: Lab, threshold: float) -> None:
    """Accounts by risk, split by label, with the threshold line."""
    current = pl.DataFrame({"t": [threshold]})
    _chart(st, lab, "risk", lambda: charts.risk_chart(lab.histogram), current=current)
