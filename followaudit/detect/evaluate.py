"""`followaudit evaluate`: cross-validate the detector (or score with the default) on a labelled table."""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from followaudit.detect import features as feats
from followaudit.detect import metrics, recalibrate, teaching, training
from followaudit.detect import model as mdl

METRICS = ("accuracy", "precision", "recall", "f1", "mcc", "roc_auc", "pr_auc")
INNER_FOLDS = (
    5  # folds inside each training split: calibration and threshold never see the test fold
)


def all_metrics(y: np.ndarray, scores: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """The seven metrics of issue 3: threshold ones from `pred`, ranking ones from `scores`."""
    counts = metrics.metrics_from_counts(**metrics.confusion(y, pred))
    out = {name: float(counts[name]) for name in METRICS if name in counts}
    both = 0 < y.sum() < len(y)
    out["roc_auc"] = float(roc_auc_score(y, scores)) if both else float("nan")
    out["pr_auc"] = float(average_precision_score(y, scores)) if both else float("nan")
    return out


def cross_validate(
    frame: pl.DataFrame, y: np.ndarray, folds: int = 10, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Out-of-fold calibrated scores and 0/1 predictions; each fold's threshold comes from
    inner cross-validation on its training rows only."""
    names = feats.feature_columns(frame)
    x = frame.select([pl.col(n).cast(pl.Float64) for n in names]).to_numpy()
    scores, pred, thresholds = np.zeros(len(y)), np.zeros(len(y), dtype=bool), []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(x, y):
        fitted = training.train(x[train], y[train], names, folds=INNER_FOLDS, seed=seed).bundle
        threshold = fitted.card["thresholds"]["f1"]
        scores[test] = fitted.predict(x[test])
        pred[test] = scores[test] >= threshold
        thresholds.append(threshold)
    return scores, pred, thresholds


def evaluate_table(
    accounts: pl.DataFrame,
    labels: np.ndarray,
    folds: int = 10,
    seed: int = 0,
    pretrained: bool = False,
    label_budget: int = 0,
) -> dict:
    """The evaluation report (JSON shape of issue 3) for a canonical accounts frame + 0/1 labels."""
    y = np.asarray(labels, dtype=np.int32)
    frame = feats.profile_features(accounts)
    if label_budget:
        return evaluate_with_budget(frame, y, label_budget, seed)
    if pretrained:
        bundle = mdl.load_default(feats.feature_columns(frame)).adapted_to(frame)
        threshold = float(bundle.card["thresholds"]["f1"])
        scores = bundle.predict(frame)
        pred, used, folds = (
            scores >= threshold,
            [f for f in bundle.features if f in frame.columns],
            0,
        )
    else:
        if min(y.sum(), len(y) - y.sum()) < folds:
            raise mdl.ModelError(f"--folds {folds} needs at least {folds} rows of each class")
        scores, pred, thresholds = cross_validate(frame, y, folds, seed)
        threshold, used = float(np.median(thresholds)), feats.feature_columns(frame)
    intervals = metrics.bootstrap_rows(y, scores, pred, seed=seed)
    return {
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "folds": folds,
        "features": used,
        "threshold": threshold,
        "metrics": all_metrics(y, scores, pred),
        "intervals": {name: list(intervals[name]) for name in METRICS},
    }


def evaluate_with_budget(frame: pl.DataFrame, y: np.ndarray, budget: int, seed: int = 0) -> dict:
    """The analyst's situation simulated: the review queue picks `budget` rows, their true labels
    stand in for the reviewer, the default model is recalibrated and its threshold chosen on them
    (detect/recalibrate.py); metrics are computed on the other rows only."""
    if not 0 < budget < len(y):
        raise mdl.ModelError(f"--label-budget must be between 1 and {len(y) - 1} (got {budget})")
    bundle = mdl.load_default(feats.feature_columns(frame))
    prior = bundle.card["positives"] / bundle.card["rows"]
    scores, x = bundle.predict(frame), bundle.matrix(frame)
    reviewed = teaching.simulate_review(scores, y, budget, prior)
    adapted = recalibrate.adapt(scores, reviewed, y[reviewed], prior, x, seed)
    proposal = recalibrate.propose(adapted, scores, reviewed, y[reviewed], x, seed=seed)
    probs = adapted.probability(scores, x)
    rest = np.setdiff1d(np.arange(len(y)), reviewed)
    pred = probs[rest] >= proposal.cut
    intervals = metrics.bootstrap_rows(y[rest], probs[rest], pred, seed=seed)
    return {
        "rows": int(len(rest)),
        "positives": int(y[rest].sum()),
        "folds": 0,
        "features": [f for f in bundle.features if f in frame.columns],
        "threshold": proposal.cut,
        "metrics": all_metrics(y[rest], probs[rest], pred),
        "intervals": {name: list(intervals[name]) for name in METRICS},
        "label_budget": {
            "reviewed": int(len(reviewed)),
            "reviewed_fakes": int(y[reviewed].sum()),
            "fake_share_before_labels": adapted.prevalence_before,
            "fake_share_after_labels": proposal.prevalence,
            "fake_share_interval": proposal.intervals["prevalence"],
            "threshold_interval": proposal.intervals["cut"],
            "correction_trees": adapted.rounds,
        },
    }
