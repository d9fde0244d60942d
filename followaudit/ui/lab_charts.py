"""The Threshold lab's charts: built once per lab, with the moving parts in named datasets.

Altair spends ~50-300 ms building and serialising one chart here, too slow per slider move, so
each chart is built once per lab and what moves with the threshold is a *named* dataset
(`current`, `segments`) that `with_data` swaps into the cached spec dict.

At this class balance (a few % fake, ROC-AUC ~0.99) both curves hug their corner on linear
axes, so the PR curve is zoomed to where precision and recall are both >= 0.5 and the ROC curve
puts the false-positive rate on a log axis; the operating point is a labelled red dot, kept
inside the plot (`operating_point`).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import polars as pl

from followaudit.ui.text import ids_as_text

LABEL_COLORS = alt.Scale(
    domain=["labelled fake", "labelled genuine", "unlabelled"],
    range=["#d62728", "#2ca02c", "#9e9e9e"],
)
ZOOM_FLOOR = 0.5  # the PR view shows precision and recall from about here up


def pr_domain(curve: pl.DataFrame) -> tuple[list[float], list[float]]:
    """Zoomed recall and precision domains around the curve's knee: where both are at least
    1 - 3 x (1 - best F1), and never below ZOOM_FLOOR (a good model gets a tight view)."""
    p, r = pl.col("precision"), pl.col("recall")
    best = curve.select((2 * p * r / (p + r).clip(lower_bound=1e-12)).max()).item() or 0.0
    floor = max(ZOOM_FLOOR, 1.0 - 3.0 * (1.0 - best))
    good = curve.filter((r >= floor) & (p >= floor))
    if good.is_empty():
        return [0.0, 1.0], [0.0, 1.0]
    return _padded(good["recall"].min()), _padded(good["precision"].min())


def _padded(low: float) -> list[float]:
    return [max(0.0, float(low) - 0.05 * (1.0 - float(low)) - 0.005), 1.0]


def roc_floor(negatives: int) -> float:
    """The smallest false-positive rate the log axis shows: half of one genuine account."""
    return 0.5 / max(negatives, 1)


def roc_tpr_domain(curve: pl.DataFrame, floor: float) -> list[float]:
    """The true-positive rates worth showing: from just below the rate at the axis floor."""
    shown = curve.filter(pl.col("fpr") >= floor)
    return _padded(shown["tpr"].min()) if shown.height else [0.0, 1.0]


def roc_frame(curve: pl.DataFrame, floor: float) -> pl.DataFrame:
    """ROC points with FPR 0 drawn at the axis floor (a log axis has no zero)."""
    return curve.with_columns(pl.col("fpr").clip(lower_bound=floor).alias("fpr_shown"))


def operating_point(x: float, y: float, x_domain, y_domain, log_x: bool = False) -> pl.DataFrame:
    """The current point, kept inside the plotted domain, with its label."""
    shown_x = float(np.clip(x, *x_domain))
    shown_y = float(np.clip(y, *y_domain))
    inside = shown_x == x and shown_y == y
    return pl.DataFrame(
        {
            "x": [shown_x],
            "y": [shown_y],
            "label": ["this threshold" if inside else "this threshold (off the zoomed view)"],
        }
    )


def curve_chart(
    frame: pl.DataFrame, x: str, y: str, title: str, x_domain, y_domain, log_x: bool = False
):
    """A PR or ROC curve (<= 500 points, once per model); `current` holds the labelled point."""
    x_scale = alt.Scale(domain=list(x_domain), type="log" if log_x else "linear")
    y_scale = alt.Scale(domain=list(y_domain))
    x_title = "false-positive rate (log scale)" if log_x else x
    y_title = "true-positive rate (recall)" if y == "tpr" else y
    line = (
        alt.Chart(frame)
        .mark_line(clip=True, point=alt.OverlayMarkDef(size=8))
        .encode(
            x=alt.X(f"{x}:Q", scale=x_scale, title=x_title),
            y=alt.Y(f"{y}:Q", scale=y_scale, title=y_title),
            tooltip=[alt.Tooltip("threshold:Q", format=".4f"), f"{x}:Q", f"{y}:Q"],
        )
    )
    current = alt.Chart(alt.NamedData("current")).encode(x="x:Q", y="y:Q")
    dot = current.mark_point(size=140, filled=True, color="#d62728")
    text = current.mark_text(align="left", dx=8, dy=-8, color="#d62728").encode(text="label:N")
    return (line + dot + text).properties(title=title, height=280)


def risk_chart(hist: pl.DataFrame):
    """Accounts per risk bin, one row per label (log counts); `current` holds the threshold `t`."""
    top = max(1, int(hist["accounts"].max() or 1))
    ticks = [10**k for k in range(len(str(top)) + 1)]
    rows = []
    for label in LABEL_COLORS.domain:
        part = hist.filter(pl.col("label") == label)
        if part.is_empty() or not part["accounts"].sum():
            continue
        bars = (
            alt.Chart(part)
            .mark_bar(color=LABEL_COLORS.range[LABEL_COLORS.domain.index(label)])
            .encode(
                x=alt.X("start:Q", title="risk", bin="binned", scale=alt.Scale(domain=[0, 1])),
                x2="end:Q",
                y=alt.Y(
                    "accounts:Q",
                    title=label,
                    scale=alt.Scale(type="symlog", domain=[0, top]),
                    axis=alt.Axis(values=ticks, format=","),
                ),
                tooltip=[
                    alt.Tooltip("start:Q", format=".2f", title="risk from"),
                    alt.Tooltip("end:Q", format=".2f", title="risk to"),
                    alt.Tooltip("accounts:Q", format=","),
                ],
            )
        )
        rule = alt.Chart(alt.NamedData("current")).mark_rule(color="#000", size=2).encode(x="t:Q")
        rows.append((bars + rule).properties(height=90))
    return alt.vconcat(*rows).properties(
        title="Accounts by risk, split by label (log scale; black: the threshold)"
    )


def cost_chart(curve: pl.DataFrame):
    """Expected cost by threshold; `current` holds rules `t` named by `what`."""
    line = (
        alt.Chart(curve)
        .mark_line()
        .encode(
            x=alt.X("threshold:Q", title="threshold (risk)", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("cost:Q", title="expected cost"),
        )
    )
    domain = ["lowest cost", "current"]
    rules = (
        alt.Chart(alt.NamedData("current"))
        .mark_rule(size=2)
        .encode(
            x="t:Q",
            color=alt.Color("what:N", scale=alt.Scale(range=["#2ca02c", "#d62728"], domain=domain)),
        )
    )
    return (line + rules).properties(title="Expected cost by threshold", height=220)


def collateral_chart():
    """Per-segment FPR among labelled genuine accounts, from the named dataset `segments`.

    One bar per segment value, its label on the y axis in full (no overlap culling, no
    truncation), segments stacked as rows with their own y scale."""
    return (
        alt.Chart(alt.NamedData("segments"))
        .mark_bar()
        .encode(
            y=alt.Y(
                "value:N",
                title=None,
                sort="-x",
                axis=alt.Axis(labelOverlap=False, labelLimit=400, labelFontSize=11),
            ),
            x=alt.X("fpr:Q", title="genuine accounts flagged (FPR)", axis=alt.Axis(format="%")),
            row=alt.Row(
                "segment:N",
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold"),
            ),
            tooltip=[
                "segment:N",
                "value:N",
                alt.Tooltip("genuine:Q", title="labelled genuine", format=","),
                alt.Tooltip("genuine_flagged:Q", title="genuine flagged", format=","),
                alt.Tooltip("fpr:Q", format=".2%"),
            ],
        )
        .resolve_scale(y="independent")
        .properties(height=alt.Step(20), width=360)
    )


def with_data(spec: dict, **datasets: pl.DataFrame) -> dict:
    """A copy of a chart spec dict with named datasets replaced (the cached spec is untouched);
    id columns as text, since Vega's numbers are JavaScript doubles."""
    shown = {name: ids_as_text(frame) for name, frame in datasets.items()}
    return {**spec, "datasets": {**spec.get("datasets", {}), **shown}}
