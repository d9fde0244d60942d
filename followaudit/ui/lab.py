"""The Threshold lab page area: the lab for a rule set and what it shows at a threshold.

Caching (the rule is in `ui/session.py`): the workspace side of the lab (1M rows) is read once
per workspace version; the risk under a rule set and the lab (rule points, sorted indexes,
curves) once per version + rule set (+ label events for the lab). A threshold move then only
calls `report.snapshot`, which is a few `np.searchsorted` calls.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.decide.lab import Lab, build_lab, load_lab_data, score_risk
from followaudit.decide.policy import Policy, from_toml, to_toml
from followaudit.ui import session
from followaudit.ui.lab_charts import (
    collateral_chart,
    cost_chart,
    curve_chart,
    risk_chart,
    with_data,
)
from followaudit.ui.text import plain

# --- the lab, cached --------------------------------------------------------------------------


@st.cache_resource(show_spinner="Reading scores and labels…", max_entries=4)
def _lab_data(path: str, version: str):
    return load_lab_data(session.workspace_at(path))


@st.cache_resource(show_spinner="Applying the rules…", max_entries=8)
def _risk(path: str, version: str, rules_toml: str):
    return score_risk(_lab_data(path, version), from_toml(rules_toml))


@st.cache_resource(show_spinner="Indexing scores for this rule set…", max_entries=16)
def _lab(path: str, version: str, label_events: int, rules_toml: str) -> Lab:
    data = _lab_data(path, version)
    reviewed = session.store_at(path).current_labels()
    policy = from_toml(rules_toml)
    return build_lab(data, reviewed, policy, _risk(path, version, rules_toml))


def lab_data_at(path: str, version: str):
    """The workspace side of the lab (scores, labels, segments, features) of the workspace at
    `path` / `version`, read once (what other caches read)."""
    return _lab_data(path, version)


def _rules_key(policy: Policy) -> str:
    return to_toml(Policy("rules", rules=policy.rules))  # thresholds do not change the index


def risk_for(policy: Policy) -> pl.DataFrame:
    """Every account's score, rule points, rule hits and risk under the policy's rules."""
    ws = ui.current_workspace()
    return risk_at(str(ws.path), ws.version, policy)


def risk_at(path: str, version: str, policy: Policy) -> pl.DataFrame:
    """`risk_for` in the workspace at `path` / `version` (what other caches read)."""
    return _risk(path, version, _rules_key(policy))[0]


def lab_for(policy: Policy) -> Lab:
    """The lab for this workspace, the policy's rules and the current review labels."""
    ws = ui.current_workspace()
    events = ui.store().progress()["events"]
    return _lab(str(ws.path), ws.version, events, _rules_key(policy))


def slider_top(lab: Lab) -> float:
    """The threshold sliders' upper end: 1, or the highest risk when rules lift it above 1."""
    highest = float(lab.index.all[-1]) if len(lab.index.all) else 1.0
    return max(1.0, round(highest + 0.005, 2))


# --- the rule set -------------------------------------------------------------------------------


def rules_editor(policy: Policy) -> Policy:
    """Rule toggles, thresholds and weights in a table; returns the edited policy."""
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


# --- showing a snapshot ---------------------------------------------------------------------


def metrics_row(lab: Lab, snap: dict) -> None:
    """Flagged count, then precision/recall/F1/MCC with 95 % intervals, or why they are missing."""
    cols = st.columns(5)
    cols[0].metric(
        "Flagged", f"{snap['flagged']:,}", help=f"top {snap['top_percent']:.2f} % of accounts"
    )
    reason = lab.missing_metrics_reason()
    if reason:
        cols[1].info(reason)
        return
    for col, name in zip(cols[1:], ("precision", "recall", "f1", "mcc"), strict=True):
        low, high = snap["intervals"][name]
        col.metric(
            name.upper() if name == "mcc" else name.capitalize(), f"{snap['metrics'][name]:.3f}"
        )
        col.caption(f"95 % CI {low:.3f} – {high:.3f}")


def confusion_table(snap: dict) -> None:
    """The confusion matrix on labelled accounts."""
    m = snap["metrics"]
    ui.table(
        pl.DataFrame(
            {
                "": ["labelled fake", "labelled genuine"],
                "flagged": [m["tp"], m["fp"]],
                "not flagged": [m["fn"], m["tn"]],
            }
        ),
        hide_index=True,
    )


def tiers_row(snap: dict) -> None:
    """Accounts per tier."""
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
    where.vega_lite_chart(spec=with_data(spec, **datasets), width="stretch")


def intro(policy: Policy) -> None:
    """Which policy the lab edits and how risk is computed."""
    version = f" v{policy.version}" if policy.version else " (preset or unsaved)"
    st.caption(
        f"Editing **{plain(policy.name)}**{version}. Risk = calibrated model score + points of the rules "
        "an account breaks; flagged when risk ≥ threshold. Save on this page or on Policies."
    )


def lab_notes(lab: Lab) -> None:
    """Which scores and labels the metrics use, and any rule that had to be skipped."""
    for note in lab.notes:
        st.caption(plain(note))
    for skipped in lab.skipped:
        st.warning(f"Rule skipped: {plain(skipped)}")


def curves(lab: Lab, snap: dict) -> None:
    """Confusion matrix, PR and ROC curves with the current point (or why they are missing)."""
    c, m = lab.index.curves, snap["metrics"]
    if m is None:
        st.info(lab.missing_metrics_reason())
        return
    confusion_table(snap)
    left, right = st.columns(2)
    pr_title = f"Precision–recall (AP {c['pr_auc']:.3f})"
    pr_point = pl.DataFrame({"recall": [m["recall"]], "precision": [m["precision"]]})
    _chart(
        left,
        lab,
        "pr",
        lambda: curve_chart(c["pr"], "recall", "precision", pr_title),
        current=pr_point,
    )
    roc_point = pl.DataFrame({"fpr": [m["fpr"]], "tpr": [m["recall"]]})
    roc_title = f"ROC (AUC {c['roc_auc']:.3f})"
    _chart(
        right, lab, "roc", lambda: curve_chart(c["roc"], "fpr", "tpr", roc_title), current=roc_point
    )


def cost_section(lab: Lab, threshold: float) -> float | None:
    """Cost inputs, the suggested threshold and its chart; returns the suggestion."""
    if not lab.index.has_metrics:
        st.info(lab.missing_metrics_reason())
        return None
    a, b = st.columns(2)
    cost_fp = a.number_input(
        "Cost of actioning a genuine account", 0.0, 1e6, 10.0, key="lab_cost_fp"
    )
    cost_fn = b.number_input("Cost of missing a fake", 0.0, 1e6, 1.0, key="lab_cost_fn")
    best = lab.index.optimise_cost(cost_fp, cost_fn)
    st.caption(
        f"Lowest expected cost at threshold **{best['threshold']:.3f}**: {best['fp']:,} genuine "
        f"actioned and {best['fn']:,} fakes missed among labelled accounts (cost {best['cost']:,.1f})."
    )
    marks = pl.DataFrame({"t": [best["threshold"], threshold], "what": ["lowest cost", "current"]})
    curve = lambda: cost_chart(lab.index.cost_curve(cost_fp, cost_fn))  # noqa: E731
    _chart(st, lab, f"cost {cost_fp} {cost_fn}", curve, current=marks)
    return best["threshold"]


def collateral_section(lab: Lab, threshold: float) -> None:
    """Genuine accounts flagged by segment, with per-segment FPR."""
    frame = lab.segments.at(threshold)
    if frame.filter(pl.col("genuine") > 0).is_empty():
        st.info(
            "No labelled genuine accounts yet, so collateral damage cannot be measured; flagged counts per segment:"
        )
    else:
        data = frame.filter(pl.col("genuine") > 0)
        _chart(st, lab, "collateral", collateral_chart, segments=data)
    ui.table(
        frame,
        hide_index=True,
        column_config={"fpr": st.column_config.NumberColumn(format="percent")},
    )


def impact_section(lab: Lab, threshold: float, limit: int = 25) -> None:
    """How many creators lose > 5/10/25 % of followers, and the most affected."""
    if lab.impact is None:
        st.info(ui.capabilities().needs("audience") or "Creator impact was not computed.")
        return
    cols = st.columns(3)
    for col, (label, count) in zip(cols, lab.impact_summary(threshold).items(), strict=True):
        col.metric(f"Creators losing {label}", f"{count:,}")
    top = lab.impact_at(threshold).sort("lost_pct", descending=True).head(limit)
    names = ui.run("policy/creator_names") if ui.has_table("creator_quality") else None
    if names is not None:
        top = top.join(names, on="creator_id", how="left")
    top = top.with_columns(
        pl.col("creator_id").map_elements(ui.creator_url, return_dtype=pl.String).alias("link")
    )
    ui.table(
        top,
        hide_index=True,
        column_config={"link": st.column_config.LinkColumn("open", display_text="growth")},
    )


def distribution(lab: Lab, threshold: float) -> None:
    """Accounts by risk with the threshold line (shown with or without labels)."""
    current = pl.DataFrame({"t": [threshold]})
    _chart(st, lab, "risk", lambda: risk_chart(lab.index.histogram), current=current)
