"""Streamlit's floor on this machine: tiny pages the browser benchmark times like the app's own.

Served by benchmarks/browser_floors.py (through the same launcher, config and Chromium as the
app). Widgets carry the labels the app's journeys look for ("Threshold", spike bands whose
tooltip says "excess followers"), so the same journey code drives both.
"""

import polars as pl
import streamlit as st

BANDS = pl.DataFrame(
    {
        "spike_id": [1, 2],
        "start": ["2024-02-01", "2024-04-01"],
        "end_next": ["2024-02-04", "2024-04-04"],
        "verdict": ["suspicious", "suspicious"],
        "excess followers": [900, 700],
    }
)
DAYS = pl.DataFrame(
    {"date": pl.date_range(pl.date(2024, 1, 1), pl.date(2024, 6, 30), eager=True)}
).with_row_index("n")


def minimal() -> None:
    st.write("A one-line page.")


def slider() -> None:
    value = st.slider("Threshold (risk)", 0.0, 1.0, 0.5, step=0.001, key="floor_threshold")
    st.write(f"threshold {value:.3f}")


def elements() -> None:
    """A slider and `n` (URL parameter, default 60) metrics and captions redrawn per move."""
    n = int(st.query_params.get("n", 60))
    value = st.slider("Threshold (risk)", 0.0, 1.0, 0.5, step=0.001, key="floor_threshold")
    cols = st.columns(5)
    for i in range(n // 2):
        cols[i % 5].metric(f"metric {i}", f"{value * i:,.3f}")
        cols[i % 5].caption(f"caption {i} at {value:.3f}")


def chart() -> None:
    """Clickable bands over a 182-day line, a click selection that reruns (as the growth chart)."""
    days = DAYS.with_columns((pl.col("n") % 17 * 10).alias("follows"))
    spec = {
        "height": 320,
        "layer": [
            {
                "data": {"values": BANDS.to_dicts()},
                "mark": {"type": "rect", "opacity": 0.3},
                "params": [{"name": "spike", "select": {"type": "point", "fields": ["spike_id"]}}],
                "encoding": {
                    "x": {"field": "start", "type": "temporal"},
                    "x2": {"field": "end_next"},
                    "color": {"field": "verdict", "type": "nominal"},
                    "tooltip": [{"field": "excess followers", "type": "quantitative"}],
                },
            },
            {
                "data": {"values": days.with_columns(pl.col("date").cast(pl.String)).to_dicts()},
                "mark": "line",
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {"field": "follows", "type": "quantitative"},
                },
            },
        ],
    }
    event = st.vega_lite_chart(spec, on_select="rerun", key="floor_chart", width="stretch")
    st.write(f"selected: {event.selection.get('spike', [])}")


st.navigation(
    [
        st.Page(minimal, title="Minimal", url_path="Minimal", default=True),
        st.Page(slider, title="Slider", url_path="Slider"),
        st.Page(elements, title="Elements", url_path="Elements"),
        st.Page(chart, title="Chart", url_path="Chart"),
    ]
).run()
