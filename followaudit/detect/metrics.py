"""Model-quality numbers for the card: CV metrics, calibration curve, thresholds, per-kind recall."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, roc_auc_score

FPR_TARGET = 0.01
METRICS = ("precision", "recall", "f1", "mcc", "fpr", "accuracy")


def cv_metrics(y: np.ndarray, scores: np.ndarray, fold_ids: np.ndarray) -> dict:
    """ROC-AUC and PR-AUC overall (out-of-fold) and per fold."""
    per_fold = []
    for fold in np.unique(fold_ids):
        mask = fold_ids == fold
        per_fold.append(
            {
                "fold": int(fold),
                "rows": int(mask.sum()),
                "roc_auc": float(roc_auc_score(y[mask], scores[mask])),
                "pr_auc": float(average_precision_score(y[mask], scores[mask])),
            }
        )
    return {
        "roc_auc": float(roc_auc_score(y, scores)),
        "pr_auc": float(average_precision_score(y, scores)),
        "per_fold": per_fold,
    }


def calibration_curve(y: np.ndarray, scores: np.ndarray, bins: int = 10) -> list[dict]:
    """Mean predicted vs observed fake share per score decile bin (out-of-fold)."""
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    points = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            points.append(
                {
                    "bin": b,
                    "predicted": float(scores[mask].mean()),
                    "observed": float(y[mask].mean()),
                    "rows": int(mask.sum()),
                }
            )
    return points


def choose_thresholds(y: np.ndarray, scores: np.ndarray, fpr: float = FPR_TARGET) -> dict:
    """F1-best threshold and the lowest threshold keeping FPR <= `fpr`, from out-of-fold scores."""
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], y[order]
    tp, fp = np.cumsum(t), np.cumsum(1 - t)
    last = np.r_[s[1:] != s[:-1], True]  # only cut between distinct scores
    tp, fp, s = tp[last], fp[last], s[last]
    precision = tp / (tp + fp)
    recall = tp / max(t.sum(), 1)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.argmax(f1))
    within = np.nonzero(fp / max((1 - t).sum(), 1) <= fpr)[0]
    at_fpr = int(within[-1]) if len(within) else 0
    return {
        "f1": float(s[best]),
        "f1_value": float(f1[best]),
        "fpr_1pct": float(s[at_fpr]),
        "recall_at_fpr_1pct": float(recall[at_fpr]) if len(within) else 0.0,
    }


def per_kind_recall(labelled: pl.DataFrame, oof: np.ndarray, threshold: float) -> dict:
    """Out-of-fold recall of each `fake_kind` at `threshold` (empty when kinds are unknown)."""
    frame = labelled.select("y", "fake_kind").with_columns(pl.Series("oof", oof))
    fakes = frame.filter((pl.col("y") == 1) & pl.col("fake_kind").is_not_null())
    return {
        row["fake_kind"]: {"accounts": row["n"], "recall": row["recall"]}
        for row in fakes.group_by("fake_kind")
        .agg(pl.len().alias("n"), (pl.col("oof") >= threshold).mean().alias("recall"))
        .sort("fake_kind")
        .iter_rows(named=True)
    }


def fingerprint(x: np.ndarray, y: np.ndarray) -> str:
    """A short hash of the training matrix and labels."""
    digest = hashlib.sha256(np.ascontiguousarray(x).tobytes())
    digest.update(np.asarray(y, dtype=np.int8).tobytes())
    return digest.hexdigest()[:16]


def metrics_from_counts(tp, fp, fn, tn) -> dict[str, np.ndarray | float]:
    """Precision, recall, F1, MCC, FPR, accuracy; works on scalars or arrays (0 where undefined)."""
    tp, fp, fn, tn = (np.asarray(v, dtype=np.float64) for v in (tp, fp, fn, tn))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
        denom = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
        mcc = np.where(denom > 0, (tp * tn - fp * fn) / denom, 0.0)
        fpr = np.where(fp + tn > 0, fp / (fp + tn), 0.0)
        total = tp + fp + fn + tn
        accuracy = np.where(total > 0, (tp + tn) / total, 0.0)
    out = dict(zip(METRICS, (precision, recall, f1, mcc, fpr, accuracy), strict=True))
    return {k: (float(v) if v.ndim == 0 else v) for k, v in out.items()}
