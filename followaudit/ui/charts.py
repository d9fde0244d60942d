"""Pure chart builders: a small Polars frame in, an Altair chart out (no Streamlit, no SQL).

Frames arrive already aggregated or sampled in SQL (Altair refuses > 5,000 rows by default and
we keep it that way); a builder says so in the subtitle when its data is a sample.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from followaudit.ui.text import day, day_span, fmt, ids_as_text

MAX_MARKS = 5_000
VERDICT_COLORS = alt.Scale(
    domain=["suspicious", "unexplained", "explained", "annotated"],
    range=["#d62728", "#ff7f0e", "#2ca02c", "#7f7f7f"],
)
SPIKE_SELECTION = "spike"


def _data(frame: pl.DataFrame, what: str) -> pl.DataFrame:
    """A chart's data: refused over MAX_MARKS rows (fail loudly instead of shipping a chart the
    browser cannot draw), ids as text (Vega's numbers are JavaScript doubles: 19-digit ids round)."""
    if frame.height > MAX_MARKS:
        raise ValueError(
            f"{what}: {frame.height} rows; aggregate or sample to <= {MAX_MARKS} in SQL"
        )
    return ids_as_text(frame)


def _title(text: str, note: str | None = None) -> alt.TitleParams:
    return alt.TitleParams(text, subtitle=[note] if note else [], anchor="start")


def growth_chart(
    daily: pl.DataFrame,
    spikes: pl.DataFrame,
    annotations: pl.DataFrame | None = None,
    title: str = "New followers per day",
) -> alt.LayerChart:
    """Daily gains with expected band, clickable spike bands by verdict, engagement on a 2nd axis.

    `daily`: date, new_follows, expected, lower, upper, engagement. `spikes`: spike_id, start,
    end, verdict, excess. `annotations`: date, kind, note (optional). An `engagement` column
    without values (no engagement data) draws no engagement line.

    Each layer's tooltip is one text column written here (`tip`), not Vega-Lite `format` /
    `timeFormat` expressions that the browser evaluates for every item whenever it draws the
    chart or a click re-runs it; the datasets carry only the columns the chart encodes.
    """
    daily = _data(daily, "growth_chart")
    observed = daily["engagement"].null_count() < daily.height
    daily = daily.select(
        "date", "new_follows", "expected", "lower", "upper",
        *(["engagement"] if observed else []),
    ).with_columns(tip=pl.Series(_day_tips(daily, observed), dtype=pl.String))  # fmt: skip
    base = alt.Chart(daily).encode(x=alt.X("date:T", title=None))
    # aria=False: no per-item description for the lines, the area and the 180-odd day points
    # (Vega computes one per item when the chart is drawn); the spike bands keep theirs
    band = base.mark_area(opacity=0.25, color="#9ecae1", aria=False).encode(
        y=alt.Y("lower:Q", title="New followers per day"), y2="upper:Q"
    )
    expected = base.mark_line(strokeDash=[4, 3], color="#3182bd", aria=False).encode(y="expected:Q")
    gains = base.mark_line(
        color="#08306b", strokeWidth=2, aria=False, point=alt.OverlayMarkDef(size=12, aria=False)
    ).encode(y="new_follows:Q", tooltip=alt.Tooltip("tip:N", title="Day"))
    layers = [_spike_layer(spikes), band, expected, gains]
    if annotations is not None and annotations.height:
        layers.append(_annotation_layer(annotations))
    left = alt.layer(*layers)
    if not observed:
        chart = left
    else:
        engagement = base.mark_line(
            color="#fd8d3c", opacity=0.45, strokeWidth=1, aria=False
        ).encode(
            y=alt.Y(
                "engagement:Q",
                title="Likes per day (engagement)",
                axis=alt.Axis(titleColor="#fd8d3c"),
            )
        )
        chart = alt.layer(left, engagement).resolve_scale(y="independent")
    return chart.properties(
        title=_title(title, "Shaded bands are spikes (click one); blue band = expected range"),
        height=320,
    )


def _day_tips(daily: pl.DataFrame, observed: bool) -> list[str]:
    """Each day's tooltip: its gain, the expected gain and (when observed) its likes."""
    likes = daily["engagement"] if observed else [None] * daily.height
    return [
        f"{day(date)}: {fmt(gained, ',')} new followers, expected {fmt(expected, ',.0f')}"
        + (f", {fmt(liked, ',.0f')} likes" if observed else "")
        for date, gained, expected, liked in zip(
            daily["date"], daily["new_follows"], daily["expected"], likes, strict=True
        )
    ]


def _spike_layer(spikes: pl.DataFrame) -> alt.Chart:
    """Full-height bands over each spike's days; a click selects the spike (`spike_id`).

    The band's tooltip, also its aria-label (which screen-reader users and the journeys find
    it by), names the spike, its verdict, its days and its excess followers."""
    frame = _data(spikes.select("spike_id", "start", "end", "verdict", "excess"), "spikes")
    tips = [
        f"Spike {spike} ({verdict}), "
        + ("on " if start == end else "")
        + day_span(start, end)
        + f": {fmt(excess, ',.0f')} excess followers"
        for spike, start, end, verdict, excess in frame.iter_rows()
    ]
    frame = frame.select(
        "spike_id",
        "start",
        pl.col("end").cast(pl.Date).dt.offset_by("1d").alias("end_next"),
        "verdict",
        pl.Series("tip", tips, dtype=pl.String),
    )
    pick = alt.selection_point(name=SPIKE_SELECTION, fields=["spike_id"], on="click")
    return (
        alt.Chart(frame)
        .mark_rect(opacity=0.3)
        .encode(
            x="start:T",
            x2="end_next:T",
            color=alt.Color("verdict:N", scale=VERDICT_COLORS, title="Spike verdict"),
            opacity=alt.condition(pick, alt.value(0.45), alt.value(0.15)),
            tooltip=alt.Tooltip("tip:N", title="Spike"),
            description="tip:N",  # the aria-label: the tip alone, not every encoded field
        )
        .add_params(pick)
    )


def _annotation_layer(annotations: pl.DataFrame) -> alt.Chart:
    """Benign-event annotations as grey rules with their label."""
    tips = [
        f"{day(date)}, {kind}" + (f": {note}" if note else "")
        for date, kind, note in annotations.select("date", "kind", "note").iter_rows()
    ]
    frame = annotations.select("date", "kind", pl.Series("tip", tips, dtype=pl.String))
    base = alt.Chart(frame).encode(x="date:T")
    rule = base.mark_rule(color="#636363", strokeDash=[2, 2]).encode(
        tooltip=alt.Tooltip("tip:N", title="Annotation")
    )
    text = base.mark_text(align="left", dx=3, dy=-140, color="#636363").encode(text="kind:N")
    return alt.layer(rule, text)


def score_histogram(frame: pl.DataFrame) -> alt.Chart:
    """Accounts per calibrated-score bin (`start`, `stop`, `accounts`), on a log scale."""
    frame = _data(frame, "score_histogram")
    return (
        alt.Chart(frame)
        .mark_bar(color="#9ecae1")
        .encode(
            x=alt.X(
                "start:Q",
                title="calibrated P(fake)",
                bin="binned",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=".0%"),
            ),
            x2="stop:Q",
            y=alt.Y("accounts:Q", title="accounts (log scale)", scale=alt.Scale(type="symlog")),
            tooltip=[
                alt.Tooltip("start:Q", title="from", format=".0%"),
                alt.Tooltip("stop:Q", title="to", format=".0%"),
                alt.Tooltip("accounts:Q", format=","),
            ],
        )  # fmt: skip
        .properties(title=_title("Accounts by score"), height=240)
    )


def follower_map(frame: pl.DataFrame, note: str | None = None) -> alt.Chart:
    """Ordered follower list: rank x account creation date, anomalous cohorts highlighted."""
    frame = _data(frame, "follower_map")
    return (
        alt.Chart(frame)
        .mark_circle(size=10, opacity=0.6)
        .encode(
            x=alt.X("rank:Q", title="Follower rank (0 = oldest follower)"),
            y=alt.Y("created_at:T", title="Account created"),
            color=alt.Color(
                "in_cohort:N",
                scale=alt.Scale(domain=[True, False], range=["#d62728", "#9e9e9e"]),
                title="Anomalous cohort",
            ),
            tooltip=["rank:Q", "created_at:T", "in_cohort:N"],
        )
        .properties(title=_title("Follower map", note), height=300)
    )


def calibration_curve(frame: pl.DataFrame) -> alt.LayerChart:
    """Mean predicted vs observed fake rate per bin (`predicted`, `observed`, `count`), with the diagonal."""
    frame = _data(frame, "calibration_curve")
    diagonal = (
        alt.Chart(pl.DataFrame({"p": [0.0, 1.0]}))
        .mark_line(strokeDash=[4, 3], color="#999")
        .encode(x="p:Q", y="p:Q")
    )
    points = (
        alt.Chart(frame)
        .mark_line(point=True, color="#d62728")
        .encode(
            x=alt.X("predicted:Q", title="Predicted P(fake)", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("observed:Q", title="Observed share fake", scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("predicted:Q", format=".2f"),
                alt.Tooltip("observed:Q", format=".2f"),
                alt.Tooltip("count:Q", format=","),
            ],
        )
    )
    return alt.layer(diagonal, points).properties(
        title=_title("Calibration (out-of-fold)"), height=260
    )


def ranked_bars(
    frame: pl.DataFrame, label: str, value: str, title: str, value_title: str
) -> alt.Chart:
    """Horizontal bars of `value` by `label`, largest first (e.g. worst creators)."""
    frame = _data(frame, "ranked_bars")
    return (
        alt.Chart(frame)
        .mark_bar(color="#d62728")
        .encode(
            y=alt.Y(f"{label}:N", sort="-x", title=None),
            x=alt.X(f"{value}:Q", title=value_title),
            tooltip=[f"{label}:N", alt.Tooltip(f"{value}:Q", format=",.3g")],
        )
        .properties(title=_title(title))
    )
