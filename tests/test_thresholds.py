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

from followaudit.decide.decisions import PolicyRisk
from followaudit.decide.inputs import effective_labels, inputs_from_frames
from followaudit.decide.lab import build_lab, snapshot
from followaudit.decide.policy import Policy, Rule
from followaudit.decide.report import compare, report_csv, report_html
from followaudit.decide.thresholds import ScoreIndex, SegmentIndex

RNG = np.random.default_rng(3)
Y = (RNG.random(3000) < 0.3).astype(int)
# rounded so ties exist: a threshold equal to a score must flag it (>=)
S = np.round(np.clip(0.35 * Y + RNG.normal(0.35, 0.2, 3000), 0, 1), 2)
INDEX = ScoreIndex(S, S, Y)


@pytest.mark.parametrize("t", [0.0, 0.2, 0.35, 0.5, 0.71, 1.0])
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
    assert top_genuine.optimise_cost(1e6, 1.0) == {"threshold": 1.0, "cost": 1.0, "fp": 0, "fn": 1}


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


ACCOUNTS = pl.DataFrame(
    {
        "account_id": [1, 2, 3, 4],
        "score": [0.9, 0.3, 0.6, 0.2],
        "oof_score": [0.8, None, 0.5, None],
        "truth": [1, None, 0, None],
        "region": ["DE", "DE", "US", "US"],
    }
)
FEATURES = pl.DataFrame({"account_id": [1, 2, 3, 4], "video_count": [0.0, 0.0, 3.0, 0.0]})
# creator 9 has ten followers: accounts 1-3 and seven others who are never flagged
FOLLOWS = pl.DataFrame({"follower_id": [1, 2, 3] + [4] * 7, "creator_id": [9] * 10})


def _inputs(accounts=ACCOUNTS, follows=FOLLOWS):
    extra = pl.DataFrame({"account_id": [9], "score": [0.01]})
    return inputs_from_frames(pl.concat([accounts, extra], how="diagonal"), FEATURES, follows)


def test_reviewed_labels_override_and_unsure_drops_out():
    reviewed = pl.DataFrame({"account_id": [2, 3, 1], "label": ["fake", "genuine", "unsure"]})
    inputs = _inputs()
    assert effective_labels(inputs, reviewed).tolist() == [-1, 1, 0, -1, -1]
    assert inputs.eval_score.tolist() == [0.8, 0.3, 0.5, 0.2, 0.01]
    lab = build_lab(PolicyRisk(inputs, Policy("p")), reviewed)
    assert "2 labelled accounts" in lab.notes[0] and "production score" in lab.notes[1]


def test_build_lab_applies_rules_in_log_odds_and_explains_missing_metrics():
    policy = Policy(
        "p",
        rules=[Rule("video_count", "==", 0, 0.5, "No videos"), Rule("nope", ">", 0, 1, "Ghost")],
    )
    risk = PolicyRisk(_inputs(), policy)
    expected = [1 / (1 + np.exp(-(np.log(s / (1 - s)) + 0.5))) for s in (0.9, 0.3, 0.2)]
    assert risk.risk[[0, 1, 3]].tolist() == pytest.approx(expected)
    assert risk.risk[2] == 0.6  # no rule fired: the score itself
    assert risk.skipped == ("Ghost (feature nope not available)",)
    assert build_lab(risk, None).missing_metrics_reason() is None
    unlabelled = build_lab(PolicyRisk(_inputs(ACCOUNTS.drop("truth")), policy), None)
    assert "0 fake and 0 genuine" in unlabelled.missing_metrics_reason()
    assert unlabelled.decisions(policy, 0.5).flagged == 2  # 0.937 and 0.6


def _tiny_lab(threshold: float, name: str = "p"):
    policy = Policy(name, threshold=threshold, note="<script>alert(1)</script>")
    lab = build_lab(PolicyRisk(_inputs(), policy), None)
    return lab, policy, snapshot(lab, policy)


def test_compare_counts_flips_deltas_and_creator_changes():
    lab_a, pol_a, _ = _tiny_lab(0.7, "strict")
    lab_b, pol_b, _ = _tiny_lab(0.5, "loose")
    result = compare(lab_a, pol_a, lab_b, pol_b)
    assert (result.a, result.b) == ("strict", "loose")
    assert result.flip_count == 1 and result.flips["account_id"].to_list() == [3]
    deltas = dict(zip(result.deltas["measure"], result.deltas["delta"], strict=True))
    assert deltas["accounts flagged"] == 1.0 and deltas["threshold (risk)"] == pytest.approx(-0.2)
    # creator 9 loses account 1 (10 %) under A and accounts 1 and 3 (20 %) under B
    assert result.creators.select("creator_id", "change_pts").rows() == [(9, 10.0)]


def test_report_csv_names_policy_b_and_gives_its_values():
    lab_a, pol_a, snap_a = _tiny_lab(0.7, "strict")
    lab_b, pol_b, snap_b = _tiny_lab(0.5, "loose")
    rows = pl.read_csv(report_csv(pol_a, snap_a, compare(lab_a, pol_a, lab_b, pol_b)))
    flagged = rows.filter(pl.col("measure") == "accounts flagged").row(0, named=True)
    assert (flagged["value"], flagged["compared_value"], flagged["change"]) == (1, 2, 1)
    assert set(rows["compared_with"]) == {"loose"}
    assert (
        rows.filter(pl.col("measure") == "accounts flagged")["compared_value"][0]
        == (snap_b["flagged"])
    )


def test_report_csv_has_metrics_with_intervals():
    _, policy, snap = _tiny_lab(0.5)
    rows = pl.read_csv(report_csv(policy, snap))
    precision = rows.filter(pl.col("measure") == "precision (out-of-fold estimate)").row(
        0, named=True
    )
    assert precision["ci_low"] <= precision["value"] <= precision["ci_high"]
    wanted = {
        "accounts flagged",
        "tier review",
        "creators losing > 5 %",
        "followers a purge removes",
    }
    assert wanted <= set(rows["measure"])


def test_report_html_is_self_contained_escaped_and_names_b():
    lab, policy, snap = _tiny_lab(0.5)
    lab_b, pol_b, _ = _tiny_lab(0.7, "strict")
    page = report_html(policy, lab, snap, compare(lab, policy, lab_b, pol_b))
    assert page.count("<svg") == 2 and "<script" not in page and "&lt;script&gt;" in page
    assert "Compared with <b>strict</b>" in page
    assert "http" not in page  # nothing to fetch: opens offline
