"""`followaudit evaluate`: cross-validate the detector (or score with the default) on a labelled table."""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from followaudit.detect import features as feats
from followaudit.detect import model as mdl
from followaudit.detect.metrics import metrics_from_counts

METRICS = ("accuracy", "precision", "recall", "f1", "mcc", "roc_auc", "pr_auc")
INNER_FOLDS = (
    5  # folds inside each training split: calibration and threshold never see the test fold
)
BOOTSTRAP = 1000


def threshold_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Accuracy, precision, recall, F1 and MCC of 0/1 predictions."""
    y, pred = np.asarray(y, dtype=bool), np.asarray(pred, dtype=bool)
    tp, fp = float((y & pred).sum()), float((~y & pred).sum())
    fn, tn = float((y & ~pred).sum()), float((~y & ~pred).sum())
    return _from_counts(tp, fp, fn, tn)


def _from_counts(tp, fp, fn, tn) -> dict:
    """Metrics from confusion counts (scalars or numpy arrays, for the bootstrap)."""
    metrics = metrics_from_counts(tp, fp, fn, tn)
    return {name: metrics[name] for name in ("accuracy", "precision", "recall", "f1", "mcc")}


def all_metrics(y: np.ndarray, scores: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """The seven metrics of issue 3: threshold ones from `pred`, ranking ones from `scores`."""
    out = {k: float(v) for k, v in threshold_metrics(y, pred).items()}
    both = 0 < y.sum() < len(y)
    out["roc_auc"] = float(roc_auc_score(y, scores)) if both else float("nan")
    out["pr_auc"] = float(average_precision_score(y, scores)) if both else float("nan")
    return out


def bootstrap_intervals(
    y: np.ndarray, scores: np.ndarray, pred: np.ndarray, rounds: int = BOOTSTRAP, seed: int = 0
) -> dict[str, list[float]]:
    """95 % percentile intervals of every metric over `rounds` resamples of the rows."""
    rng = np.random.default_rng(seed)
    y, pred = np.asarray(y, dtype=bool), np.asarray(pred, dtype=bool)
    # A resample is a vector of row multiplicities, so every metric is a weighted sum.
    weights = rng.multinomial(len(y), np.full(len(y), 1 / len(y)), size=rounds).astype(float)
    counts = [
        weights @ (y & pred),
        weights @ (~y & pred),
        weights @ (y & ~pred),
        weights @ (~y & ~pred),
    ]
    samples = _from_counts(*counts)
    samples.update(weighted_ranking_metrics(y, scores, weights))
    return {
        m: [float(np.nanpercentile(samples[m], 2.5)), float(np.nanpercentile(samples[m], 97.5))]
        for m in METRICS
    }


def weighted_ranking_metrics(y: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> dict:
    """ROC-AUC and average precision for each row of `weights` (rounds x rows), ties as sklearn."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    s, pos = np.asarray(scores)[order], np.asarray(y, dtype=float)[order]
    w = np.atleast_2d(weights)[:, order]
    starts = np.r_[0, np.nonzero(s[1:] != s[:-1])[0] + 1]  # blocks of tied scores, best first
    tp = np.add.reduceat(w * pos, starts, axis=1)
    fp = np.add.reduceat(w * (1 - pos), starts, axis=1)
    ctp, cfp = np.cumsum(tp, axis=1), np.cumsum(fp, axis=1)
    total_p, total_n = ctp[:, -1], cfp[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        # a positive beats every negative in later (lower) blocks and half of its own block's
        below = total_n[:, None] - cfp
        roc = (tp * (below + 0.5 * fp)).sum(1) / (total_p * total_n)
        precision = np.where(ctp + cfp > 0, ctp / (ctp + cfp), 0.0)
        ap = (tp * precision).sum(1) / total_p
    bad = (total_p == 0) | (total_n == 0)
    return {"roc_auc": np.where(bad, np.nan, roc), "pr_auc": np.where(bad, np.nan, ap)}


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
        fitted = mdl.train(x[train], y[train], names, folds=INNER_FOLDS, seed=seed).bundle
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
) -> dict:
    """The evaluation report (JSON shape of issue 3) for a canonical accounts frame + 0/1 labels."""
    y = np.asarray(labels, dtype=np.int32)
    frame = feats.profile_features(accounts)
    if pretrained:
        bundle = mdl.load_default(feats.feature_columns(frame))
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
    return {
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "folds": folds,
        "features": used,
        "threshold": threshold,
        "metrics": all_metrics(y, scores, pred),
        "intervals": bootstrap_intervals(y, scores, pred, seed=seed),
    }
