"""Threshold metrics: confusion via searchsorted, intervals, curves, cost, collateral, impact."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
)

from followaudit.decide.lab import LabData, build_lab, merge_labels
from followaudit.decide.policy import Policy, Rule
from followaudit.decide.thresholds import CreatorImpact, ScoreIndex, SegmentIndex

RNG = np.random.default_rng(3)
Y = (RNG.random(3000) < 0.3).astype(int)
# rounded so ties exist: a threshold equal to a score must flag it (>=)
S = np.round(np.clip(0.35 * Y + RNG.normal(0.35, 0.2, 3000), 0, 1), 2)
INDEX = ScoreIndex(S, S, Y)


@pytest.mark.parametrize("t", [0.0, 0.2, 0.35, 0.5, 0.71, 1.0, 1.5])
def test_confusion_matches_brute_force_and_sklearn(t):
    pred = np.greater_equal(S, t).astype(int)
    m = INDEX.metrics(t)
    assert (m["tp"], m["fp"]) == (int((pred & Y).sum()), int((pred & (1 - Y)).sum()))
    assert INDEX.flagged_count(t) == int(pred.sum())
    assert m["precision"] == pytest.approx(precision_score(Y, pred, zero_division=0))
    assert m["recall"] == pytest.approx(recall_score(Y, pred, zero_division=0))
    assert m["f1"] == pytest.approx(f1_score(Y, pred, zero_division=0))
    assert m["mcc"] == pytest.approx(matthews_corrcoef(Y, pred), abs=1e-9)


def test_bootstrap_intervals_bracket_the_estimate_and_are_cached():
    m, ci = INDEX.metrics(0.5), INDEX.intervals(0.5)
    for name in ("precision", "recall", "f1", "mcc"):
        low, high = ci[name]
        assert low <= m[name] <= high and high - low < 0.2
    assert INDEX.intervals(0.5) is ci


def test_curves_are_downsampled_and_areas_match_sklearn():
    big = np.round(RNG.random(20000), 5)
    truth = (RNG.random(20000) < big).astype(int)
    index = ScoreIndex(big, big, truth)
    curves = index.curves
    assert curves["pr"].height <= 500 and curves["roc"].height <= 500
    assert curves["roc_auc"] == pytest.approx(roc_auc_score(truth, big), abs=1e-6)
    assert curves["pr_auc"] == pytest.approx(average_precision_score(truth, big), abs=1e-6)


def test_top_percent_and_threshold_convert_both_ways():
    t = INDEX.threshold_for_top(10.0)
    assert INDEX.top_percent(t) == pytest.approx(10.0, abs=1.5)
    assert INDEX.flagged_count(INDEX.threshold_for_top(100.0)) == len(S)


def test_cost_optimiser_on_a_hand_made_case():
    index = ScoreIndex(
        np.array([0.9, 0.8, 0.6, 0.4, 0.2]),
        np.array([0.9, 0.8, 0.6, 0.4, 0.2]),
        np.array([1, 1, 0, 1, 0]),
    )
    # missing a fake costs 1, actioning a genuine costs 10 -> flag only the two sure fakes
    assert index.optimise_cost(10.0, 1.0) == {"threshold": 0.8, "cost": 1.0, "fp": 0.0, "fn": 1.0}
    # genuine mistakes are cheap -> flag down to the last fake
    assert index.optimise_cost(0.1, 10.0)["threshold"] == 0.4
    # never flag anyone when the riskiest account is genuine and actions are ruinous
    top_genuine = ScoreIndex(np.array([0.9, 0.8]), np.array([0.9, 0.8]), np.array([0, 1]))
    assert top_genuine.optimise_cost(1e6, 1.0) == {"threshold": 10.0, "cost": 1.0, "fp": 0, "fn": 1}


def test_tier_counts_partition_accounts():
    counts = INDEX.tier_counts({"review": 0.5, "remove": 0.7, "suspend": 0.9})
    assert sum(counts.values()) == len(S)
    assert counts["suspend"] == int((S >= 0.9).sum())
    assert counts["review"] == int(((S >= 0.5) & (S < 0.7)).sum())


def test_no_labels_means_no_metrics():
    index = ScoreIndex(S, np.array([]), np.array([]))
    assert not index.has_metrics
    assert index.flagged_count(0.5) == int((S >= 0.5).sum())
    assert index.histogram["accounts"].sum() == len(S)


def test_segment_index_gives_per_segment_fpr():
    frame = pl.DataFrame(
        {
            "region": ["DE", "DE", "DE", "US", "US"],
            "risk": [0.9, 0.2, 0.8, 0.95, 0.1],
            "eval_risk": [0.9, 0.2, 0.8, 0.95, 0.1],
            "label": [0, 0, 1, 0, None],
        }
    )
    out = SegmentIndex.build(frame, ["region", "absent"]).at(0.5)
    assert out.rows() == [
        ("region", "DE", 3, 2, 2, 1, 0.5),
        ("region", "US", 2, 1, 1, 1, 1.0),
    ]


def test_creator_impact_from_score_histogram():
    hist = pl.DataFrame(
        {"creator_id": [1, 1, 1, 2], "bin": [100, 800, 950, 100], "followers": [90, 6, 4, 50]}
    )
    impact = CreatorImpact(hist)
    at = impact.at(0.8).sort("creator_id")
    assert at["followers_lost"].to_list() == [10, 0]
    assert at["lost_pct"].to_list() == pytest.approx([10.0, 0.0])
    assert impact.summary(0.8) == {"> 5 %": 1, "> 10 %": 0, "> 25 %": 0}
    assert impact.summary(0.1)["> 25 %"] == 2


ACCOUNTS = pl.DataFrame(
    {
        "account_id": [1, 2, 3, 4],
        "score": [0.9, 0.3, 0.6, 0.2],
        "oof_score": [0.8, None, 0.5, None],
        "truth": [1, None, 0, None],
        "region": ["DE", "DE", "US", "US"],
        "verified": ["not verified"] * 4,
        "private": ["public"] * 4,
        "age_band": ["< 1 week"] * 4,
    }
)


def test_reviewed_labels_override_and_unsure_drops_out():
    reviewed = pl.DataFrame({"account_id": [2, 3, 1], "label": ["fake", "genuine", "unsure"]})
    frame, notes = merge_labels(ACCOUNTS, reviewed)
    assert frame.sort("account_id")["label"].to_list() == [None, 1, 0, None]
    assert frame.sort("account_id")["eval_score"].to_list() == [0.8, 0.3, 0.5, 0.2]
    assert "2 labelled accounts" in notes[0] and "falling back to `score`" in notes[1]


def test_build_lab_applies_rules_and_explains_missing_metrics():
    features = pl.DataFrame({"account_id": [1, 2, 3, 4], "video_count": [0.0, 0.0, 3.0, 0.0]})
    policy = Policy(
        "p",
        rules=[Rule("video_count", "==", 0, 0.5, "No videos"), Rule("nope", ">", 0, 1, "Ghost")],
    )
    lab = build_lab(LabData(ACCOUNTS, features, None), None, policy)
    assert lab.risk.sort("account_id")["risk"].to_list() == pytest.approx([1.4, 0.8, 0.6, 0.7])
    assert lab.skipped == ["Ghost (feature nope not available)"]
    assert lab.missing_metrics_reason() is None
    unlabelled = build_lab(
        LabData(ACCOUNTS.with_columns(pl.lit(None).alias("truth")), features, None), None, policy
    )
    assert "0 fake and 0 genuine" in unlabelled.missing_metrics_reason()
    assert unlabelled.index.flagged_count(0.75) == 2


def _tiny_lab(threshold: float):
    from followaudit.decide.report import snapshot

    features = pl.DataFrame({"account_id": [1, 2, 3, 4], "video_count": [0.0, 0.0, 3.0, 0.0]})
    hist = pl.DataFrame({"creator_id": [9, 9], "bin": [100, 850], "followers": [80, 20]})
    policy = Policy("p", threshold=threshold, note="<script>alert(1)</script>")
    lab = build_lab(LabData(ACCOUNTS, features, hist), None, policy)
    return lab, policy, snapshot(lab, policy)


def test_compare_counts_flips_deltas_and_creator_changes():
    from followaudit.decide.report import compare

    lab_a, pol_a, _ = _tiny_lab(0.9)
    lab_b, pol_b, _ = _tiny_lab(0.5)
    result = compare(lab_a, pol_a, lab_b, pol_b)
    assert result.flip_count == 1 and result.flips["account_id"].to_list() == [3]
    deltas = dict(zip(result.deltas["measure"], result.deltas["delta"], strict=True))
    assert deltas["flagged"] == 1.0 and deltas["threshold"] == pytest.approx(-0.4)
    # creator 9's 20 followers scored 0.85 are removed at 0.5 but not at 0.9
    assert result.creators.select("creator_id", "change_pts").rows() == [(9, 20.0)]


def test_report_csv_has_metrics_with_intervals():
    from followaudit.decide.report import report_csv

    _, policy, snap = _tiny_lab(0.5)
    rows = pl.read_csv(report_csv(policy, snap))
    precision = rows.filter(pl.col("measure") == "precision").row(0, named=True)
    assert precision["ci_low"] <= precision["value"] <= precision["ci_high"]
    assert {"flagged", "tier review", "creators losing > 5 %"} <= set(rows["measure"])


def test_report_html_is_self_contained_and_escaped():
    from followaudit.decide.report import report_html

    lab, policy, snap = _tiny_lab(0.5)
    page = report_html(policy, lab, snap)
    assert page.count("<svg") == 2 and "<script" not in page and "&lt;script&gt;" in page
    assert "http" not in page  # nothing to fetch: opens offline


def test_impact_with_rule_points_uses_the_score_line_removing_as_many_accounts():
    features = pl.DataFrame({"account_id": [1, 2, 3, 4], "video_count": [0.0, 0.0, 3.0, 0.0]})
    hist = pl.DataFrame({"creator_id": [9, 9], "bin": [100, 650], "followers": [80, 20]})
    policy = Policy("p", rules=[Rule("video_count", "==", 0, 0.5, "No videos")])
    lab = build_lab(LabData(ACCOUNTS, features, hist), None, policy)
    # risk 1.4, 0.8, 0.6, 0.7: two accounts at >= 0.75, and the 2nd highest model score is 0.6
    assert lab.impact_threshold(0.75) == 0.6
    assert lab.impact_summary(0.75) == {"> 5 %": 1, "> 10 %": 1, "> 25 %": 0}
    assert lab.impact_at(5.0)["followers_lost"].to_list() == [0]
    plain = build_lab(LabData(ACCOUNTS, features, hist), None, Policy("q"))
    assert plain.impact_threshold(0.75) == 0.75
