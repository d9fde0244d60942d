"""Recalibrating the shipped model on a new table: prevalence, Platt, local correction, threshold."""

from __future__ import annotations

import json

import numpy as np
import pytest

from followaudit.cli import main
from followaudit.detect import recalibrate as rc
from followaudit.detect import teaching


def _table(n=2000, share=0.3, train_prior=0.1, seed=0):
    """Labels with fake share `share`; scores calibrated for a world whose fake share was
    `train_prior` (what the shipped model outputs on a platform with more fakes)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < share).astype(int)
    x = rng.normal(np.where(y == 1, 1.5, -1.5), 1.0)
    true_logit = 3 * x + np.log(share / (1 - share))  # 3x: the log-likelihood ratio of x
    shifted = true_logit - np.log(share / (1 - share)) + np.log(train_prior / (1 - train_prior))
    return y, rc.sigmoid(shifted), rc.sigmoid(true_logit)


def test_prior_shift_finds_the_tables_fake_share_without_labels():
    y, scores, truth = _table()
    share, shifted = rc.prior_shift(scores, train_prior=0.1)
    assert share == pytest.approx(y.mean(), abs=0.02)
    assert np.abs(shifted - truth).max() < 0.05  # re-based probabilities are the true ones
    assert rc.prior_shift(truth, train_prior=0.3)[0] == pytest.approx(0.3, abs=0.015)  # stays put


def test_platt_recovers_a_miscalibration_and_shrinks_with_few_labels():
    rng = np.random.default_rng(1)
    margin = rng.normal(0, 2, 5000)
    y = (rng.random(5000) < rc.sigmoid(0.5 * margin - 1.0)).astype(int)
    a, b = rc.fit_platt(margin, y)
    assert a == pytest.approx(0.5, abs=0.06) and b == pytest.approx(-1.0, abs=0.1)
    a_few, b_few = rc.fit_platt(margin[:6], y[:6], strength=50.0)
    assert abs(a_few - 1) < 0.2 and abs(b_few) < 0.2  # strong prior: barely moved


def test_local_correction_is_chosen_only_when_cross_validation_says_it_helps():
    rng = np.random.default_rng(2)
    n = 1500
    y = (rng.random(n) < 0.4).astype(int)
    weak = rc.sigmoid(rng.normal(np.where(y == 1, 0.5, -0.5), 1.0))  # the shipped model: weak
    telling = np.where(y == 1, rng.random(n) < 0.9, rng.random(n) < 0.1).astype(float)
    noise = rng.random(n)
    reviewed = np.arange(200)
    with_signal = rc.adapt(weak, reviewed, y[:200], 0.4, np.c_[telling, noise])
    without = rc.adapt(weak, reviewed, y[:200], 0.4, np.c_[noise, rng.random(n)])
    assert with_signal.rounds > 0 and without.rounds == 0
    p = with_signal.probability(weak, np.c_[telling, noise])
    rest = slice(200, None)
    accuracy = ((p[rest] >= 0.5) == y[rest]).mean()
    assert accuracy > 0.85  # the weak score alone gets about 0.69


def test_too_few_labels_leave_the_prior_shift_alone():
    y, scores, _ = _table()
    adapted = rc.adapt(scores, np.arange(5), y[:5], 0.1)
    assert (adapted.a, adapted.b, adapted.correction) == (1.0, 0.0, None)
    assert adapted.prevalence_before == pytest.approx(y.mean(), abs=0.02)


def test_proposed_threshold_comes_with_an_interval_that_narrows_with_labels():
    y, scores, _ = _table()
    widths = []
    for n in (30, 300):
        reviewed = np.arange(n)
        adapted = rc.adapt(scores, reviewed, y[:n], 0.1)
        proposal = rc.propose(adapted, scores, reviewed, y[:n], rounds=30)
        lo, hi = proposal.intervals["f1"]
        assert lo <= proposal.expected["f1"] + 1e-9 <= hi + 2e-9
        assert proposal.score_threshold is not None and 0 < proposal.cut < 1
        widths.append(proposal.intervals["prevalence"][1] - proposal.intervals["prevalence"][0])
    assert widths[1] < widths[0]


def test_teaching_order_alternates_doubt_and_unreviewed_score_bands():
    scores = np.r_[np.linspace(0.001, 0.999, 1000)]
    picks = teaching.teaching_order(scores, np.zeros(0, dtype=int), np.zeros(0), 10, 0.5)
    assert len(set(picks)) == 10
    assert abs(scores[picks[0]] - 0.5) < 0.002  # most uncertain first
    bands = {
        int(b) for b in np.minimum((rc.logit(scores[picks]) - rc.logit(scores).min()) // 1.38, 9)
    }
    assert len(bands) >= 5  # the other half spreads over the score range
    again = teaching.teaching_order(scores, np.zeros(0, dtype=int), np.zeros(0), 10, 0.5)
    assert (picks == again).all()  # pure and deterministic


def _teaching_order_on_every_row(scores, reviewed, y, k, prior):
    """The reference: every pick scans every row (what teaching_order did before candidates)."""
    probs = rc.adapt(scores, reviewed, y, prior).probability(scores)
    doubt = probs * (1 - probs)
    doubt[reviewed] = -1.0
    z = rc.logit(scores)
    band = np.minimum(((z - z.min()) / max(z.max() - z.min(), 1e-12) * 10).astype(int), 9)
    counts = np.bincount(band[reviewed], minlength=10).astype(float)
    picks = []
    for i in range(min(k, int((doubt >= 0).sum()))):
        if i % 2 == 0:
            pick = int(np.argmax(doubt))
        else:
            open_bands = np.bincount(band[doubt >= 0], minlength=10) > 0
            target = int(np.argmin(np.where(open_bands, counts, np.inf)))
            pick = int(np.argmax(np.where(band == target, doubt, -2.0)))
        picks.append(pick)
        doubt[pick] = -1.0
        counts[band[pick]] += 1
    return np.array(picks, dtype=np.int64)


@pytest.mark.parametrize(("n", "k", "decimals", "seed"), [(3000, 200, 2, 0), (3000, 40, 6, 1), (500, 600, 1, 2), (50, 200, 3, 3), (1000, 300, 2, 4), (1000, 150, 3, 5), (400, 120, 2, 6)])  # fmt: skip
def test_teaching_order_on_candidates_equals_every_row(n, k, decimals, seed):
    rng = np.random.default_rng(seed)
    scores = np.clip(np.round(rng.beta(0.6, 2.0, n), decimals), 1e-4, 1 - 1e-4)  # many ties
    if seed >= 4:  # nearly every row in one band: its picks reach its k-th row and the ties there
        scores = np.r_[
            np.round(rng.uniform(0.3, 0.5, n - 10), decimals), np.linspace(1e-3, 0.999, 10)
        ]
    if seed == 6:  # one score: one band, every doubt tied, every pick by position
        scores = np.full(n, 0.3)
    reviewed = rng.choice(n, size=n // 10, replace=False)
    y = (rng.random(len(reviewed)) < scores[reviewed]).astype(int)
    fast = teaching.teaching_order(scores, reviewed, y, k, 0.1)
    np.testing.assert_array_equal(fast, _teaching_order_on_every_row(scores, reviewed, y, k, 0.1))


def test_simulated_review_never_picks_a_row_twice():
    y, scores, _ = _table(n=600)
    reviewed = teaching.simulate_review(scores, y, 57, 0.1, batch=10)
    assert len(reviewed) == 57 and len(set(reviewed.tolist())) == 57


def test_evaluate_with_a_label_budget_scores_the_other_rows(tmp_path, capsys):
    from test_evaluate import MAPPING, labelled_csv  # noqa: F401 - the shared fixture's data

    rng = np.random.default_rng(3)
    n = 400
    fake = rng.random(n) < 0.4
    rows = ["screen_name,#followers,#follows,posts,pic,listed,is_fake"]
    for f in fake:
        rows.append(
            f"{'bot' if f else 'user'}{rng.integers(0, 10**6)},{rng.integers(0, 60) if f else rng.integers(20, 2000)},"
            f"{rng.integers(200, 3000) if f else rng.integers(10, 800)},{rng.integers(0, 3) if f else rng.integers(0, 80)},"
            f"{int(rng.random() < (0.3 if f else 0.9))},{rng.integers(0, 5)},{'yes' if f else 'no'}"
        )
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "m.toml").write_text(MAPPING)
    args = [
        "evaluate",
        "--accounts",
        str(tmp_path / "a.csv"),
        "--mapping",
        str(tmp_path / "m.toml"),
    ]
    assert main([*args, "--pretrained", "--label-budget", "100", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == 300 and report["label_budget"]["reviewed"] == 100
    assert list(report)[:7] == [
        "rows",
        "positives",
        "folds",
        "features",
        "threshold",
        "metrics",
        "intervals",
    ]
    assert main([*args, "--label-budget", "100"]) == 2
    assert "add --pretrained" in capsys.readouterr().err
    assert main([*args, "--pretrained", "--label-budget", "400"]) == 2
