"""The Threshold lab's five tabs: curves, cost, collateral damage, creator impact, distribution.

Each reads the lab (`decide.lab.Lab`) and the snapshot of the decision layer at the threshold;
chart specs are built once per lab and only their named datasets change per move (`_chart`).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.decide.lab import Lab
from followaudit.decide.risk import risk_text
from followaudit.growth import audience
from followaudit.ui import lab_charts as charts
from followaudit.ui import vega
from followaudit.ui.tables import count_column, number_column, share_column


def _chart(where, lab: Lab, key: str, build, **datasets: pl.DataFrame) -> None:
    """Draw a chart whose spec is built once per lab; only its named datasets change per move.
    The spec's own datasets are Arrow bytes from the first draw on (what Streamlit would make of
    them on every move)."""
    spec = lab.charts.get(key)
    if spec is None:
        spec = lab.charts[key] = vega.with_arrow_datasets(build().to_dict())
    where.vega_lite_chart(spec=charts.with_data(spec, **datasets), width="stretch")


def _once(lab: Lab, key: str, compute):
    """A value computed once per lab (the lab is rebuilt when its inputs change)."""
    if key not in lab.charts:
        lab.charts[key] = compute()
    return lab.charts[key]


def confusion_table(snap: dict) -> str:
    """The confusion matrix of the estimate (out-of-fold risk of labelled accounts), as Markdown:
    one element per move, not a caption and a data grid."""
    m = snap["metrics"]
    return (
        f"Out-of-fold risk of the {snap['estimated_on']:,} labelled accounts at this threshold:\n\n"
        "| Labelled as | Flagged | Not flagged |\n|---|--:|--:|\n"
        f"| fake | {m['tp']:,} | {m['fn']:,} |\n| genuine | {m['fp']:,} | {m['tn']:,} |"
    )


def curves(lab: Lab, snap: dict) -> None:
    """Confusion matrix, zoomed PR and log-axis ROC curves with the operating point."""
    m = snap["metrics"]
    if m is None:
        st.info(lab.missing_metrics_reason())
        return
    st.markdown(confusion_table(snap))
    row = st.container(horizontal=True)  # one block for the two charts (columns: three)
    c = lab.estimate.curves
    rx, ry = _once(lab, "pr domain", lambda: charts.pr_domain(c["pr"]))
    point = charts.operating_point(m["recall"], m["precision"], rx, ry)
    title = f"Precision–recall (AP {c['pr_auc']:.4f}), zoomed"
    _chart(row, lab, "pr", lambda: charts.curve_chart(c["pr"], "recall", "precision", title, rx, ry), current=point)  # fmt: skip
    floor = charts.roc_floor(len(lab.estimate.neg))
    fx, fy = [floor, 1.0], _once(lab, "roc domain", lambda: charts.roc_tpr_domain(c["roc"], floor))
    point = charts.operating_point(max(m["fpr"], floor), m["recall"], fx, fy)
    title = f"ROC (AUC {c['roc_auc']:.4f})"
    _chart(row, lab, "roc", lambda: charts.curve_chart(charts.roc_frame(c["roc"], floor), "fpr_shown", "tpr", title, fx, fy, log_x=True), current=point)  # fmt: skip
    st.caption(_once(lab, "curves caption", lambda: _curves_caption(lab)))


def _curves_caption(lab: Lab) -> str:
    bundle = ui.model_bundle()
    return (
        auc_sentence(lab, bundle.card if bundle else None) + " Drawn for this class balance: "
        "precision–recall is zoomed on its knee, ROC puts the false-positive rate on a log axis "
        "(FPR 0 drawn at the left edge); the red dot is this threshold. Hover a curve for its "
        "thresholds."
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
