"""Chart builders: mark types, encoded fields, selections and the 5,000-row guard."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from followaudit.ui import charts


def _daily(days: int = 10) -> pl.DataFrame:
    start = date(2024, 3, 1)
    return pl.DataFrame(
        {
            "date": [start + timedelta(days=i) for i in range(days)],
            "new_follows": [10 + i for i in range(days)],
            "expected": [10.0] * days,
            "lower": [5.0] * days,
            "upper": [15.0] * days,
            "engagement": [100.0 * i for i in range(days)],
        }
    )


def _spikes() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "spike_id": [1, 2],
            "start": [date(2024, 3, 3), date(2024, 3, 7)],
            "end": [date(2024, 3, 3), date(2024, 3, 8)],
            "verdict": ["suspicious", "explained"],
            "excess": [500.0, 80.0],
        }
    )


def _layers(spec: dict) -> list[dict]:
    """Every leaf layer of a (nested) layered Vega-Lite spec."""
    if "layer" not in spec:
        return [spec]
    return [leaf for layer in spec["layer"] for leaf in _layers(layer)]


def _mark(layer: dict) -> str:
    mark = layer["mark"]
    return mark["type"] if isinstance(mark, dict) else mark


def test_growth_chart_has_band_gains_clickable_spikes_and_second_axis():
    spec = charts.growth_chart(_daily(), _spikes()).to_dict()
    layers = _layers(spec)
    marks = [_mark(layer) for layer in layers]
    assert marks.count("rect") == 1 and "area" in marks and "line" in marks
    spike = next(layer for layer in layers if _mark(layer) == "rect")
    assert spike["encoding"]["x2"]["field"] == "end_next"
    param = spec["params"][0]  # Altair hoists layer selections to the top with their view
    assert param["name"] == charts.SPIKE_SELECTION and param["views"] == [spike["name"]]
    assert param["select"]["fields"] == ["spike_id"]
    assert spec["resolve"]["scale"]["y"] == "independent"
    fields = {
        layer["encoding"]["y"]["field"] for layer in layers if "y" in layer.get("encoding", {})
    }
    assert {"new_follows", "lower", "engagement"} <= fields


def test_growth_chart_draws_annotations_when_given():
    notes = pl.DataFrame({"date": [date(2024, 3, 5)], "kind": ["viral"], "note": ["dance video"]})
    with_notes = _layers(charts.growth_chart(_daily(), _spikes(), notes).to_dict())
    without = _layers(charts.growth_chart(_daily(), _spikes()).to_dict())
    assert [_mark(layer) for layer in with_notes].count("rule") == 1
    assert "rule" not in [_mark(layer) for layer in without]


def test_growth_chart_without_engagement_draws_no_engagement_line():
    """No engagement data is unknown, not zero likes: no second axis, no flat line at 0."""
    daily = _daily().with_columns(pl.lit(None, pl.Float64).alias("engagement"))
    spec = charts.growth_chart(daily, _spikes()).to_dict()
    fields = [
        layer["encoding"]["y"]["field"]
        for layer in _layers(spec)
        if "y" in layer.get("encoding", {})
    ]
    assert "engagement" not in fields and "resolve" not in spec
    assert "new_follows" in fields


def test_score_histogram_bins_probabilities_on_a_log_scale():
    hist = pl.DataFrame({"start": [0.0, 0.95], "stop": [0.05, 1.0], "accounts": [900, 40]})
    spec = charts.score_histogram(hist).to_dict()
    assert _mark(spec) == "bar"
    assert spec["encoding"]["x"]["field"] == "start" and spec["encoding"]["x2"]["field"] == "stop"
    assert spec["encoding"]["y"]["scale"]["type"] == "symlog"


def test_builders_refuse_more_than_5000_rows():
    edges = [i / 5001 for i in range(5002)]
    big = pl.DataFrame({"start": edges[:-1], "stop": edges[1:], "accounts": [1] * 5001})
    with pytest.raises(ValueError, match="5000"):
        charts.score_histogram(big)


@pytest.mark.parametrize(
    ("builder", "frame", "mark", "x_field"),
    [
        (
            lambda f: charts.follower_map(f, None),
            pl.DataFrame(
                {
                    "rank": [0, 1],
                    "created_at": [date(2020, 1, 1), date(2021, 1, 1)],
                    "in_cohort": [True, False],
                }
            ),
            "circle",
            "rank",
        ),
    ],
)
def test_simple_builders_encode_expected_fields(builder, frame, mark, x_field):
    spec = builder(frame).to_dict()
    assert _mark(spec) == mark
    assert spec["encoding"]["x"]["field"] == x_field


def test_calibration_curve_has_diagonal_and_points():
    frame = pl.DataFrame({"predicted": [0.1, 0.9], "observed": [0.05, 0.95], "count": [10, 10]})
    marks = [_mark(layer) for layer in _layers(charts.calibration_curve(frame).to_dict())]
    assert marks == ["line", "line"]


def test_growth_chart_tooltips_are_text_written_in_python():
    """Each layer's tooltip is one text column (no per-item format expressions in the browser);
    a spike band's aria-label is its tooltip, naming its verdict and excess followers."""
    notes = pl.DataFrame({"date": [date(2024, 3, 5)], "kind": ["viral"], "note": ["dance video"]})
    spec = charts.growth_chart(_daily(), _spikes(), notes).to_dict()
    tooltips = [
        layer["encoding"]["tooltip"]
        for layer in _layers(spec)
        if "tooltip" in layer.get("encoding", {})
    ]
    assert len(tooltips) == 3 and all(t["field"] == "tip" and "format" not in t for t in tooltips)
    tips = [row["tip"] for rows in spec["datasets"].values() for row in rows]
    assert "Spike 1 (suspicious), on Mar 3, 2024: 500 excess followers" in tips
    assert "Spike 2 (explained), Mar 7–8, 2024: 80 excess followers" in tips
    assert "Mar 2, 2024: 11 new followers, expected 10, 100 likes" in tips
    assert "Mar 5, 2024, viral: dance video" in tips
    spike = next(layer for layer in _layers(spec) if _mark(layer) == "rect")
    assert spike["encoding"]["description"]["field"] == "tip"
    unobserved = _daily().with_columns(pl.lit(None, pl.Float64).alias("engagement"))
    days = charts.growth_chart(unobserved, _spikes()).to_dict()["datasets"]
    assert "Mar 2, 2024: 11 new followers, expected 10" in [
        r["tip"] for d in days.values() for r in d
    ]
