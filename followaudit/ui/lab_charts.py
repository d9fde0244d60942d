"""The Threshold lab's charts: built once per lab, with the moving parts in named datasets."""

from __future__ import annotations

import altair as alt
import polars as pl

from followaudit.ui.text import ids_as_text

# Altair spends ~50-300 ms building and serialising one chart here, too slow per slider move, so
# each chart is built once per lab and what moves with the threshold is a *named* dataset
# (`current`, `segments`) that `with_data` swaps into the cached spec dict.


def curve_chart(frame: pl.DataFrame, x: str, y: str, title: str):
    """A PR or ROC curve (<= 500 points, computed once per model); `current` holds the point."""
    scale = alt.Scale(domain=[0, 1])
    line = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X(f"{x}:Q", scale=scale),
            y=alt.Y(f"{y}:Q", scale=scale),
            tooltip=[alt.Tooltip("threshold:Q", format=".3f"), f"{x}:Q", f"{y}:Q"],
        )
    )
    dot = (
        alt.Chart(alt.NamedData("current"))
        .mark_point(size=120, filled=True, color="#d62728")
        .encode(x=f"{x}:Q", y=f"{y}:Q")
    )
    return (line + dot).properties(title=title, height=260)


def risk_chart(hist: pl.DataFrame):
    """Accounts per risk bin (50 bins, counted in numpy); `current` holds the threshold `t`."""
    bars = (
        alt.Chart(hist)
        .mark_bar(color="#9ecae1")
        .encode(
            x=alt.X("start:Q", title="risk (model score + rule points)", bin="binned"),
            x2="end:Q",
            y=alt.Y("accounts:Q", scale=alt.Scale(type="symlog")),
            tooltip=[alt.Tooltip("start:Q", format=".2f"), alt.Tooltip("accounts:Q", format=",")],
        )
    )
    rule = alt.Chart(alt.NamedData("current")).mark_rule(color="#d62728", size=2).encode(x="t:Q")
    return (bars + rule).properties(title="Accounts by risk (log scale)", height=220)


def cost_chart(curve: pl.DataFrame):
    """Expected cost by threshold; `current` holds rules `t` named by `what`."""
    line = alt.Chart(curve).mark_line().encode(x="threshold:Q", y=alt.Y("cost:Q", title="cost"))
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
    """Per-segment FPR among labelled genuine accounts, from the named dataset `segments`."""
    return (
        alt.Chart(alt.NamedData("segments"))
        .mark_bar()
        .encode(
            y=alt.Y("value:N", title=None, sort="-x"),
            x=alt.X("fpr:Q", title="genuine accounts flagged (FPR)", axis=alt.Axis(format="%")),
            row=alt.Row("segment:N", title=None),
            tooltip=[
                "segment:N",
                "value:N",
                "genuine:Q",
                "genuine_flagged:Q",
                alt.Tooltip("fpr:Q", format=".2%"),
            ],
        )
        .resolve_scale(y="independent")
        .properties(height=alt.Step(14), width=320)
    )


def with_data(spec: dict, **datasets: pl.DataFrame) -> dict:
    """A copy of a chart spec dict with named datasets replaced (the cached spec is untouched);
    id columns as text, since Vega's numbers are JavaScript doubles."""
    shown = {name: ids_as_text(frame) for name, frame in datasets.items()}
    return {**spec, "datasets": {**spec.get("datasets", {}), **shown}}
