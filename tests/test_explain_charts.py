"""Explanation charts: one unit (SHAP log-odds) everywhere, probabilities only at the ends."""

from __future__ import annotations

import polars as pl
import pytest

from followaudit.ui import explain_charts
from followaudit.ui.text import probability


def _layers(spec: dict) -> list[dict]:
    if "layer" not in spec:
        return [spec]
    return [leaf for layer in spec["layer"] for leaf in _layers(layer)]


def _mark(layer: dict) -> str:
    mark = layer["mark"]
    return mark["type"] if isinstance(mark, dict) else mark


def test_waterfall_steps_are_log_odds_from_base_to_margin():
    contribs = pl.DataFrame({"label": list("abcdefghij"), "shap": [1.0, -0.5, 0.25] + [0.1] * 7})
    steps = explain_charts.waterfall_steps(contribs, base_value=-2.0, top=3)
    assert steps["label"].to_list() == ["a", "b", "c", "7 other features"]
    assert steps["start"][0] == -2.0
    assert steps["end"][-1] == pytest.approx(-2.0 + 1.0 - 0.5 + 0.25 + 0.7)
    assert steps["start"][1:].to_list() == pytest.approx(steps["end"][:-1].to_list())
    assert (steps["end"] - steps["start"]).to_list() == pytest.approx(steps["shap"].to_list())


def test_waterfall_is_in_log_odds_with_calibrated_probability_at_both_ends():
    contribs = pl.DataFrame({"label": ["No profile picture", "Young account"], "shap": [1.3, 0.9]})
    steps = explain_charts.waterfall_steps(contribs, base_value=-1.0)
    ruler = pl.DataFrame({"log_odds": [0.0], "label": ["P 50%"]})
    spec = explain_charts.shap_waterfall(steps, (-1.0, 0.2, 1.2, 0.967), ruler).to_dict()
    subtitle = spec["title"]["subtitle"][0]
    assert "log-odds" in subtitle and "20.0%" in subtitle and "96.7%" in subtitle
    assert "pts" not in str(spec)  # no probability points anywhere
    layers = _layers(spec)
    assert [_mark(layer) for layer in layers] == ["bar", "text", "rule", "rule", "text"]
    assert "log-odds" in layers[0]["encoding"]["x"]["title"]
    texts = spec["datasets"]
    assert any("+1.3" in str(rows) for rows in texts.values())


def test_probability_is_formatted_one_way():
    assert probability(0.9674) == "96.7%"
    assert probability(0.99999) == ">99.9%" and probability(1e-9) == "<0.1%"
    assert probability(None) == "n/a"


@pytest.mark.parametrize(
    ("builder", "frame", "mark", "x_field"),
    [
        (
            lambda f: explain_charts.beeswarm(f, "sample of 3 accounts"),
            pl.DataFrame(
                {
                    "label": ["a"] * 3,
                    "rank": [1] * 3,
                    "shap": [0.1, 0.2, -0.1],
                    "value": [1.0, 2.0, 3.0],
                    "value_pct": [0.0, 0.5, 1.0],
                }
            ),
            "circle",
            "shap",
        ),
        (
            explain_charts.importance_bar,
            pl.DataFrame(
                {"label": ["a", "b"], "mean_abs_shap": [0.5, 0.2], "description": ["x", "y"]}
            ),
            "bar",
            "mean_abs_shap",
        ),
        (
            lambda f: explain_charts.dependence(f, "age", "pic", "sample"),
            pl.DataFrame({"value": [1.0, 2.0], "shap": [0.1, -0.1], "color_value": [0.0, 1.0]}),
            "circle",
            "value",
        ),
        (
            lambda f: explain_charts.interaction_bar(f, "sample"),
            pl.DataFrame({"feature_a": ["a"], "feature_b": ["b"], "strength": [0.3]}),
            "bar",
            "strength",
        ),
    ],
)
def test_explanation_builders_encode_expected_fields(builder, frame, mark, x_field):
    spec = builder(frame).to_dict()
    assert _mark(spec) == mark
    assert spec["encoding"]["x"]["field"] == x_field


def test_every_global_plot_says_log_odds():
    swarm = explain_charts.beeswarm(
        pl.DataFrame(
            {"label": ["a"], "rank": [1], "shap": [0.1], "value": [1.0], "value_pct": [0.5]}
        ),
        "n",
    ).to_dict()
    dep = explain_charts.dependence(
        pl.DataFrame({"value": [1.0], "shap": [0.1], "color_value": [0.0]}), "age", "pic", "n"
    ).to_dict()
    assert "log-odds" in swarm["encoding"]["x"]["title"]
    assert "log-odds" in dep["encoding"]["y"]["title"]
