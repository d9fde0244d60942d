"""`followaudit evaluate` on a generated labelled CSV, and its metric helpers."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from followaudit.cli import main
from followaudit.detect import evaluate, metrics

MAPPING = """
[source]
format = "csv"
[columns]
username = "screen_name"
follower_count = "#followers"
following_count = "#follows"
video_count = "posts"
has_profile_pic = "pic"
[label]
column = "is_fake"
fake_values = ["yes"]
[extra]
columns = ["listed"]
"""


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory):
    """300 accounts: fakes have no picture, few posts and followers, many follows (noisy)."""
    rng = np.random.default_rng(3)
    n = 300
    fake = rng.random(n) < 0.4
    frame = pl.DataFrame(
        {
            "screen_name": [f"{'bot' if f else 'user'}{rng.integers(0, 10**6)}" for f in fake],
            "#followers": np.where(fake, rng.integers(0, 60, n), rng.integers(20, 2000, n)),
            "#follows": np.where(fake, rng.integers(200, 3000, n), rng.integers(10, 800, n)),
            "posts": np.where(fake, rng.integers(0, 3, n), rng.integers(0, 80, n)),
            "pic": np.where(fake, rng.random(n) < 0.3, rng.random(n) < 0.9).astype(int),
            "listed": rng.integers(0, 5, n),
            "is_fake": np.where(fake, "yes", "no"),
        }
    )
    folder = tmp_path_factory.mktemp("evaluate")
    frame.write_csv(folder / "accounts.csv")
    (folder / "map.toml").write_text(MAPPING)
    return folder


def test_evaluate_json_has_the_issue_shape(labelled_csv, capsys):
    code = main(
        [
            "evaluate",
            "--accounts",
            str(labelled_csv / "accounts.csv"),
            "--mapping",
            str(labelled_csv / "map.toml"),
            "--folds",
            "3",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == [
        "rows",
        "positives",
        "folds",
        "features",
        "threshold",
        "metrics",
        "intervals",
    ]
    assert report["rows"] == 300 and report["folds"] == 3
    assert "extra_listed" in report["features"] and "username_digit_ratio" in report["features"]
    assert set(report["metrics"]) == set(evaluate.METRICS) == set(report["intervals"])
    assert report["metrics"]["roc_auc"] > 0.9
    for name, (lo, hi) in report["intervals"].items():
        assert lo <= report["metrics"][name] + 1e-9 and report["metrics"][name] <= hi + 1e-9


def test_evaluate_pretrained_scores_without_training(labelled_csv, capsys):
    code = main(
        [
            "evaluate",
            "--accounts",
            str(labelled_csv / "accounts.csv"),
            "--mapping",
            str(labelled_csv / "map.toml"),
            "--pretrained",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "default model (no training)" in out and "roc_auc" in out


def test_mapping_error_names_the_missing_column(labelled_csv, tmp_path, capsys):
    (tmp_path / "bad.toml").write_text(MAPPING.replace('"#followers"', '"followers_typo"'))
    code = main(
        [
            "evaluate",
            "--accounts",
            str(labelled_csv / "accounts.csv"),
            "--mapping",
            str(tmp_path / "bad.toml"),
        ]
    )
    assert code == 2
    assert "followers_typo" in capsys.readouterr().err


def test_too_many_folds_is_a_clear_error(labelled_csv, capsys):
    code = main(
        [
            "evaluate",
            "--accounts",
            str(labelled_csv / "accounts.csv"),
            "--mapping",
            str(labelled_csv / "map.toml"),
            "--folds",
            "1000",
        ]
    )
    assert code == 2
    assert "--folds 1000 needs at least 1000 rows of each class" in capsys.readouterr().err


def test_threshold_metrics_on_hand_counts():
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    pred = np.array([1, 1, 0, 1, 0, 0, 0, 0])  # tp 2, fn 1, fp 1, tn 4
    got = metrics.metrics_from_counts(**metrics.confusion(y, pred))
    assert got["accuracy"] == 0.75 and got["precision"] == pytest.approx(2 / 3)
    assert got["recall"] == pytest.approx(2 / 3) and got["f1"] == pytest.approx(2 / 3)
    assert got["mcc"] == pytest.approx((2 * 4 - 1 * 1) / np.sqrt(3 * 3 * 5 * 5))


def test_fold_thresholds_never_see_the_test_fold(monkeypatch):
    """Each fold's model and threshold are fitted on exactly the other folds' rows."""
    seen = []
    real_train = evaluate.training.train

    def spy(x, y, names, **kwargs):
        seen.append(x[:, 0].copy())
        return real_train(x, y, names, **kwargs)

    monkeypatch.setattr(evaluate.training, "train", spy)
    rng = np.random.default_rng(0)
    frame = pl.DataFrame(
        {"account_id": np.arange(100), "f": np.arange(100.0), "g": rng.normal(size=100)}
    )
    y = (np.arange(100) % 2).astype(int)
    evaluate.cross_validate(frame, y, folds=4, seed=0)
    assert len(seen) == 4
    for rows in seen:
        assert len(rows) == 75  # three folds of 25, never the held-out fold
    held_out = [set(range(100)) - set(rows.astype(int)) for rows in seen]
    assert set().union(*held_out) == set(range(100)) and sum(map(len, held_out)) == 100


def test_weighted_ranking_metrics_match_sklearn_with_ties():
    from sklearn.metrics import average_precision_score, roc_auc_score

    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 400)
    scores = np.round(rng.random(400) * 0.5 + y * 0.3, 1)  # coarse: many ties
    got = metrics.ranking_metrics(metrics.sweep(y, scores, np.ones((1, 400))))
    assert got["roc_auc"][0] == pytest.approx(roc_auc_score(y, scores))
    assert got["pr_auc"][0] == pytest.approx(average_precision_score(y, scores))
    counts = rng.integers(0, 3, 400)  # a resample = row multiplicities
    again = metrics.ranking_metrics(metrics.sweep(y, scores, counts[None, :].astype(float)))
    rows = np.repeat(np.arange(400), counts)
    assert again["roc_auc"][0] == pytest.approx(roc_auc_score(y[rows], scores[rows]))
    assert again["pr_auc"][0] == pytest.approx(average_precision_score(y[rows], scores[rows]))
