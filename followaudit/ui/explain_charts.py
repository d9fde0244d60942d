"""Pure chart builders for explanations, all in one unit: SHAP log-odds.

The waterfall runs in the model's log-odds from the average account to this one; probabilities
appear only where they are exact: at its two ends and on a ruler of calibrated P(fake) values.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from followaudit.ui.charts import _data, _title
from followaudit.ui.text import probability

RAISES, LOWERS = "#d62728", "#1f77b4"
LOG_ODDS = "log-odds (SHAP; right = more likely fake)"


def waterfall_steps(contribs: pl.DataFrame, base_value: float, top: int = 10) -> pl.DataFrame:
    """Waterfall rows in log-odds from SHAP values (`label`, `shap`) and the base value.

    The `top` largest |SHAP| contributors keep their own bar, the rest are one bar; each bar runs
    from the log-odds before the contribution (`start`) to the log-odds after it (`end`).
    """
    ordered = contribs.sort(pl.col("shap").abs(), descending=True)
    head, rest = ordered.head(top), ordered.slice(top)
    rows = list(zip(head["label"].to_list(), head["shap"].to_list(), strict=True))
    if rest.height:
        rows.append((f"{rest.height} other features", float(rest["shap"].sum())))
    out, level = [], base_value
    for order, (label, shap) in enumerate(rows):
        out.append((order, label, float(shap), level, level + shap))
        level += shap
    return pl.DataFrame(out, schema=["order", "label", "shap", "start", "end"], orient="row")


def _ends(base_value: float, base_p: float, margin: float, score: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "log_odds": [base_value, margin],
            "what": ["average account", "this account"],
            "text": [
                f"start {base_value:+.1f} · P(fake) {probability(base_p)}",
                f"end {margin:+.1f} · P(fake) {probability(score)}",
            ],
        }
    )


def shap_waterfall(
    steps: pl.DataFrame,
    ends: tuple[float, float, float, float],
    ruler: pl.DataFrame | None = None,
    title: str = "Why this score",
) -> alt.LayerChart:
    """Horizontal waterfall in log-odds. `ends` = (base log-odds, calibrated P at base, this
    account's log-odds, its calibrated P); `ruler` = log_odds, label: calibrated P(fake) marks."""
    steps = _data(steps, "shap_waterfall")
    base_value, base_p, margin, score = ends
    frame = steps.with_columns(
        pl.when(pl.col("shap") >= 0)
        .then(pl.lit("raises"))
        .otherwise(pl.lit("lowers"))
        .alias("effect"),
        pl.col("shap").map_elements(lambda v: f"{v:+.1f}", return_dtype=pl.Utf8).alias("text"),
        pl.max_horizontal("start", "end").alias("right"),
    )
    y = alt.Y("label:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=420))
    x = alt.X("start:Q", title=LOG_ODDS)
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=y,
            x=x,
            x2="end:Q",
            color=alt.Color(
                "effect:N",
                scale=alt.Scale(domain=["raises", "lowers"], range=[RAISES, LOWERS]),
                title=None,
            ),
            tooltip=["label:N", alt.Tooltip("shap:Q", format="+.2f", title="SHAP (log-odds)")],
        )
    )
    labels = alt.Chart(frame).mark_text(align="left", dx=4).encode(y=y, x="right:Q", text="text:N")
    marks = alt.Chart(_ends(base_value, base_p, margin, score))
    rules = marks.mark_rule(strokeDash=[4, 3], color="#444").encode(
        x="log_odds:Q", tooltip=["what:N", "text:N"]
    )
    layers = [bars, labels, rules]
    if ruler is not None and ruler.height:
        layers.append(_ruler(ruler))
    subtitle = (
        f"From the average account's log-odds ({base_value:+.1f}, calibrated P(fake) "
        f"{probability(base_p)}) to this account's ({margin:+.1f}, calibrated P(fake) "
        f"{probability(score)}). Bars are SHAP values in log-odds: +0.7 doubles the odds of fake."
    )
    return alt.layer(*layers).properties(title=_title(title, subtitle), height=alt.Step(28))


def _ruler(ruler: pl.DataFrame) -> alt.LayerChart:
    """Faint vertical marks where the calibrated P(fake) reaches 1 %, 10 %, 50 %, ..."""
    base = alt.Chart(ruler).encode(x="log_odds:Q")
    rule = base.mark_rule(color="#bbb", strokeWidth=1)
    text = base.mark_text(align="left", dx=2, dy=-6, color="#888", fontSize=10, y=0).encode(
        text="label:N"
    )
    return alt.layer(rule, text)


def beeswarm(sample: pl.DataFrame, note: str) -> alt.Chart:
    """SHAP summary: one dot per (account, feature), x = SHAP, colour = feature value percentile."""
    sample = _data(sample, "beeswarm")
    return (
        alt.Chart(sample)
        .transform_calculate(jitter="(random() - 0.5) * 0.8")
        .mark_circle(size=14, opacity=0.6)
        .encode(
            y=alt.Y(
                "label:N", sort=alt.SortField("rank"), title=None, axis=alt.Axis(labelLimit=220)
            ),
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1, 1])),
            x=alt.X("shap:Q", title=LOG_ODDS),
            color=alt.Color(
                "value_pct:Q",
                scale=alt.Scale(scheme="redblue", reverse=True),
                title="Feature value (percentile)",
            ),
            tooltip=[
                "label:N",
                alt.Tooltip("value:Q", format=",.3g"),
                alt.Tooltip("shap:Q", format="+.2f"),
            ],
        )
        .properties(title=_title("SHAP summary", note), height=alt.Step(26))
    )


def importance_bar(frame: pl.DataFrame) -> alt.Chart:
    """Mean |SHAP| per feature, largest first."""
    frame = _data(frame, "importance_bar")
    return (
        alt.Chart(frame)
        .mark_bar(color="#6a51a3")
        .encode(
            y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("mean_abs_shap:Q", title="Mean |SHAP| (log-odds)"),
            tooltip=["label:N", alt.Tooltip("mean_abs_shap:Q", format=".3f"), "description:N"],
        )
        .properties(title=_title("Feature importance"))
    )


def interaction_bar(pairs: pl.DataFrame, note: str) -> alt.Chart:
    """The strongest feature pairs: mean |2·Φ_ab| (log-odds made only jointly)."""
    pairs = _data(pairs, "interaction_bar")
    frame = pairs.with_columns((pl.col("feature_a") + " × " + pl.col("feature_b")).alias("pair"))
    return (
        alt.Chart(frame)
        .mark_bar(color="#8c6d31")
        .encode(
            y=alt.Y("pair:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("strength:Q", title="Mean |interaction| (log-odds)"),
            tooltip=["pair:N", alt.Tooltip("strength:Q", format=".3f")],
        )
        .properties(title=_title("Features that act together", note))
    )


def dependence(frame: pl.DataFrame, feature: str, color_feature: str, note: str) -> alt.Chart:
    """SHAP of `feature` against its value (`value`, `shap`), coloured by `color_value`."""
    frame = _data(frame, "dependence")
    return (
        alt.Chart(frame)
        .mark_circle(size=18, opacity=0.6)
        .encode(
            x=alt.X("value:Q", title=feature),
            y=alt.Y("shap:Q", title=f"SHAP of {feature} (log-odds)"),
            color=alt.Color(
                "color_value:Q", title=color_feature, scale=alt.Scale(scheme="viridis")
            ),
            tooltip=[
                alt.Tooltip("value:Q", format=",.3g"),
                alt.Tooltip("shap:Q", format="+.2f"),
                alt.Tooltip("color_value:Q", format=",.3g", title=color_feature),
            ],
        )
        .properties(title=_title(f"Dependence: {feature}", note), height=300)
    )
