"""detect/metrics.py is the one confusion/bootstrap/curve module: the lab, `followaudit evaluate`
and the model card must give the same number for the same scores."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve as sklearn_calibration_curve
from sklearn.metrics import average_precision_score, roc_auc_score

from followaudit.decide.thresholds import ScoreIndex
from followaudit.detect import evaluate, metrics

RNG = np.random.default_rng(11)
Y = (RNG.random(2000) < 0.3).astype(int)
# coarse scores: many ties, so every path must cut between blocks of equal scores the same way
S = np.round(np.clip(0.3 * Y + RNG.normal(0.35, 0.2, 2000), 0, 1), 2)
CONFUSION = ("precision", "recall", "f1", "mcc", "accuracy")


def test_lab_evaluate_and_sweep_agree_exactly_at_every_threshold():
    index, swept = ScoreIndex(S, S, Y), metrics.sweep(Y, S)
    along = swept.metrics()
    for i, t in enumerate(swept.threshold):
        lab = index.metrics(t)
        cli = evaluate.all_metrics(Y, S, t <= S)
        for name in CONFUSION:
            assert lab[name] == cli[name] == along[name][i], (t, name)
        assert (lab["tp"], lab["fp"]) == (swept.tp[i], swept.fp[i])


def test_card_thresholds_are_the_lab_numbers_at_those_thresholds():
    chosen = metrics.choose_thresholds(Y, S)
    index = ScoreIndex(S, S, Y)
    assert chosen["f1_value"] == index.metrics(chosen["f1"])["f1"]
    assert chosen["recall_at_fpr_1pct"] == index.metrics(chosen["fpr_1pct"])["recall"]
    assert index.metrics(chosen["fpr_1pct"])["fpr"] <= metrics.FPR_TARGET


def test_curve_areas_have_one_implementation_and_match_sklearn():
    index = ScoreIndex(S, S, Y)
    unweighted = metrics.ranking_metrics(metrics.sweep(Y, S))
    weighted = metrics.ranking_metrics(metrics.sweep(Y, S, np.ones((1, len(Y)))))
    assert index.curves["pr_auc"] == unweighted["pr_auc"]
    assert index.curves["roc_auc"] == unweighted["roc_auc"]
    assert weighted["pr_auc"][0] == pytest.approx(unweighted["pr_auc"], abs=1e-12)
    assert unweighted["roc_auc"] == pytest.approx(roc_auc_score(Y, S), abs=1e-12)
    assert unweighted["pr_auc"] == pytest.approx(average_precision_score(Y, S), abs=1e-12)


def test_cell_bootstrap_equals_the_row_bootstrap_in_distribution():
    """The lab resamples the four cells, `evaluate` the rows: the same bootstrap, two speeds."""
    t = 0.5
    cells = metrics.bootstrap_counts(metrics.confusion(Y, t <= S), draws=4000)
    rows = metrics.bootstrap_rows(Y, S, t <= S, draws=4000)
    for name in CONFUSION:
        assert cells[name] == pytest.approx(rows[name], abs=0.01), name
    assert ScoreIndex(S, S, Y).intervals(t) == metrics.bootstrap_counts(
        metrics.confusion(Y, t <= S)
    )


def test_calibration_curve_is_sklearns_with_bin_numbers_and_sizes():
    scores = np.r_[RNG.random(500) * 0.6, [0.1, 0.2, 0.5, 0.5]]  # edges; nothing above 0.6
    y = (RNG.random(len(scores)) < scores).astype(int)
    points = metrics.calibration_curve(y, scores)
    observed, predicted = sklearn_calibration_curve(y, scores, n_bins=10)
    assert [p["observed"] for p in points] == pytest.approx(observed, abs=1e-12)
    assert [p["predicted"] for p in points] == pytest.approx(predicted, abs=1e-12)
    assert [p["bin"] for p in points] == [0, 1, 2, 3, 4, 5]  # empty bins left out
    assert sum(p["rows"] for p in points) == len(scores)
    # a score on an edge belongs to the lower bin, as sklearn bins it
    assert points[0]["rows"] == int((scores <= 0.1).sum())
    assert set(points[0]) == {"bin", "predicted", "observed", "rows"}  # the card's JSON shape


def test_the_model_card_page_reads_the_cards_bin_sizes():
    from followaudit.ui.global_view import calibration_points

    card = {"calibration_curve": metrics.calibration_curve(Y, S)}
    frame = calibration_points(card)
    assert frame.columns == ["predicted", "observed", "count"]
    assert frame["count"].to_list() == [p["rows"] for p in card["calibration_curve"]]
    assert frame["count"].null_count() == 0
