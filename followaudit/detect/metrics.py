"""Every model-quality number, one implementation each.

- confusion counts (`confusion` from rows, `at_or_above` on sorted scores) and the metrics they
  give (`metrics_from_counts`, scalars or arrays);
- the score sweep (`sweep`: counts at every distinct score as a threshold) behind curves,
  ranking metrics (`ranking_metrics`) and threshold choices (`choose_thresholds`);
- bootstrap intervals (`bootstrap_counts` at one threshold from the four cells,
  `bootstrap_rows` over resampled rows when ranking metrics need the rows);
- the model card's blocks: `cv_metrics`, `calibration_curve`, `choose_thresholds`,
  `per_kind_recall`.

`decide.thresholds` (the lab) and `detect.evaluate` (`followaudit evaluate`) call these; they
hold no metric formula of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

# scikit-learn is imported where it is used: the app's pages read thresholds and counts from this
# module, and importing scikit-learn (with SciPy) took ~1-2 s of a served app's first visit.

FPR_TARGET = 0.01
METRICS = ("precision", "recall", "f1", "mcc", "fpr", "accuracy")
RANKING = ("roc_auc", "pr_auc")
CURVE = ("precision", "recall", "fpr")  # what PR and ROC curves are drawn from
CELLS = ("tp", "fp", "fn", "tn")
BOOTSTRAP_DRAWS = 1000
CALIBRATION_BINS = 10


# --- confusion counts and the metrics they give ----------------------------------------------


def confusion(y, pred, weights: np.ndarray | None = None) -> dict[str, int | np.ndarray]:
    """tp, fp, fn, tn of 0/1 predictions; with `weights` (resamples x rows), one per resample."""
    y, pred = np.asarray(y, dtype=bool), np.asarray(pred, dtype=bool)
    cells = dict(zip(CELLS, (y & pred, ~y & pred, y & ~pred, ~y & ~pred), strict=True))
    if weights is None:
        return {name: int(cell.sum()) for name, cell in cells.items()}
    return {name: weights @ cell for name, cell in cells.items()}


def at_or_above(ascending: np.ndarray, threshold: float) -> int:
    """How many of the sorted `ascending` values are >= `threshold` (binary search)."""
    # a scalar of the array's own dtype: otherwise numpy converts (copies) the whole array
    return len(ascending) - int(np.searchsorted(ascending, ascending.dtype.type(threshold), "left"))


def metrics_from_counts(tp, fp, fn, tn, names: tuple[str, ...] = METRICS) -> dict:
    """Precision, recall, F1, MCC, FPR, accuracy (or just `names`) on scalars or arrays; 0 where
    undefined."""
    tp, fp, fn, tn = (np.asarray(v, dtype=np.float64) for v in (tp, fp, fn, tn))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        out = {"precision": precision, "recall": recall}
        if "f1" in names:
            f1 = 2 * precision * recall / (precision + recall)
            out["f1"] = np.where(precision + recall > 0, f1, 0.0)
        if "mcc" in names:
            denom = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
            out["mcc"] = np.where(denom > 0, (tp * tn - fp * fn) / denom, 0.0)
        if "fpr" in names:
            out["fpr"] = np.where(fp + tn > 0, fp / (fp + tn), 0.0)
        if "accuracy" in names:
            total = tp + fp + fn + tn
            out["accuracy"] = np.where(total > 0, (tp + tn) / total, 0.0)
    return {name: _scalar(out[name]) for name in names}


def _scalar(value: np.ndarray) -> np.ndarray | float:
    return float(value) if value.ndim == 0 else value


# --- the sweep: confusion counts at every distinct score --------------------------------------


@dataclass(frozen=True)
class Sweep:
    """Counts with each distinct score as the threshold (flag score >= threshold), highest first.

    `tp`/`fp` are cumulative; with resample weights they have one row per resample."""

    threshold: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    positives: np.ndarray | float
    negatives: np.ndarray | float

    def metrics(self, names: tuple[str, ...] = METRICS) -> dict[str, np.ndarray]:
        """`metrics_from_counts` at every threshold of the sweep."""
        positives, negatives = _column(self.positives), _column(self.negatives)
        fn, tn = positives - self.tp, negatives - self.fp
        return metrics_from_counts(self.tp, self.fp, fn, tn, names)

    @cached_property
    def curve(self) -> dict[str, np.ndarray]:
        """Precision, recall and FPR at every threshold: the PR and ROC curves (computed once)."""
        return self.metrics(CURVE)


def _column(total: np.ndarray | float) -> np.ndarray | float:
    """Per-resample totals as a column, so they broadcast against (resamples x thresholds)."""
    return total[:, None] if np.ndim(total) else total


def sweep(y, scores, weights: np.ndarray | None = None) -> Sweep:
    """The sweep of labelled `scores` (`y` 1 = fake); `weights` = row multiplicities per resample."""
    scores = np.asarray(scores, dtype=np.float64)
    truth = np.asarray(y, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    ranked, truth = scores[order], truth[order]
    w = None if weights is None else np.atleast_2d(weights)[:, order]
    positives = truth.sum() if w is None else w @ truth
    negatives = len(truth) - truth.sum() if w is None else w.sum(axis=1) - positives
    if not len(ranked):
        empty = np.zeros(0) if w is None else np.zeros((len(w), 0))
        return Sweep(ranked, empty, empty, positives, negatives)
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])  # blocks of tied scores
    fake, genuine = (truth, 1 - truth) if w is None else (w * truth, w * (1 - truth))
    tp = np.cumsum(np.add.reduceat(fake, starts, axis=-1), axis=-1)
    fp = np.cumsum(np.add.reduceat(genuine, starts, axis=-1), axis=-1)
    return Sweep(ranked[starts], tp, fp, positives, negatives)


def ranking_metrics(swept: Sweep) -> dict[str, np.ndarray | float]:
    """ROC-AUC and average precision (PR-AUC) of a sweep, ties as sklearn; NaN for one class."""
    m = swept.curve
    recall, precision, fpr = m["recall"], m["precision"], m["fpr"]
    pr_auc = np.sum(np.diff(recall, prepend=0.0, axis=-1) * precision, axis=-1)
    roc_auc = np.trapezoid(_from_origin(recall), _from_origin(fpr), axis=-1)
    one_class = (np.asarray(swept.positives) == 0) | (np.asarray(swept.negatives) == 0)
    return {
        "roc_auc": _scalar(np.where(one_class, np.nan, roc_auc)),
        "pr_auc": _scalar(np.where(one_class, np.nan, pr_auc)),
    }


def _from_origin(values: np.ndarray) -> np.ndarray:
    """`values` with a leading 0 on the last axis (curves start at the origin)."""
    return np.concatenate([np.zeros((*values.shape[:-1], 1)), values], axis=-1)


# --- bootstrap intervals ----------------------------------------------------------------------


def intervals(samples: dict[str, np.ndarray], names=None) -> dict[str, tuple[float, float]]:
    """95 % percentile interval of each metric's bootstrap samples (NaN samples left out)."""
    out = {}
    for name in names or samples:
        values = samples[name]
        # np.percentile is twice as fast; only ranking metrics can be NaN (a one-class resample)
        percentile = np.nanpercentile if np.isnan(values).any() else np.percentile
        low, high = percentile(values, [2.5, 97.5])
        out[name] = (float(low), float(high))
    return out


def bootstrap_counts(
    counts: dict[str, int], draws: int = BOOTSTRAP_DRAWS, seed: int = 12345
) -> dict[str, tuple[float, float]]:
    """95 % intervals of the confusion metrics at one threshold, from its four cells alone."""
    # Every confusion metric depends only on the cells, and resampling n labelled rows with
    # replacement draws them from Multinomial(n, cell shares): the exact row bootstrap,
    # vectorised, without touching a million rows.
    cells = np.array([counts[name] for name in CELLS], dtype=np.float64)
    n = int(cells.sum())
    if n == 0:
        return {m: (0.0, 0.0) for m in METRICS}
    sample = np.random.default_rng(seed).multinomial(n, cells / n, size=draws)
    return intervals(metrics_from_counts(*sample.T), METRICS)


def bootstrap_rows(
    y, scores, pred, draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """95 % intervals of the confusion and ranking metrics over `draws` resamples of the rows."""
    n = len(y)
    # A resample is a vector of row multiplicities, so every count is a weighted sum.
    weights = np.random.default_rng(seed).multinomial(n, np.full(n, 1 / n), size=draws)
    weights = weights.astype(np.float64)
    samples = metrics_from_counts(**confusion(y, pred, weights))
    samples.update(ranking_metrics(sweep(y, scores, weights)))
    return intervals(samples)


# --- the model card's blocks ------------------------------------------------------------------


def cv_metrics(y: np.ndarray, scores: np.ndarray, fold_ids: np.ndarray) -> dict:
    """ROC-AUC and PR-AUC overall (out-of-fold) and per fold."""
    from sklearn.metrics import average_precision_score, roc_auc_score

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


def calibration_curve(
    y: np.ndarray, scores: np.ndarray, bins: int = CALIBRATION_BINS
) -> list[dict]:
    """Mean predicted vs observed fake share per equal-width score bin that has rows (out-of-fold)."""
    from sklearn.calibration import calibration_curve as sklearn_calibration_curve

    observed, predicted = sklearn_calibration_curve(y, scores, n_bins=bins, strategy="uniform")
    # sklearn returns the non-empty bins only; their numbers and sizes, binned as sklearn bins
    # (a score on an edge belongs to the lower bin), complete the card's points.
    ids = np.searchsorted(np.linspace(0.0, 1.0, bins + 1)[1:-1], scores)
    rows = np.bincount(ids, minlength=bins)
    return [
        {"bin": int(b), "predicted": float(p), "observed": float(o), "rows": int(rows[b])}
        for b, p, o in zip(np.flatnonzero(rows), predicted, observed, strict=True)
    ]


def choose_thresholds(y: np.ndarray, scores: np.ndarray, fpr: float = FPR_TARGET) -> dict:
    """F1-best threshold and the lowest threshold keeping FPR <= `fpr`, from out-of-fold scores."""
    swept = sweep(y, scores)
    at = swept.metrics(("recall", "f1", "fpr"))
    best = int(np.argmax(at["f1"]))
    within = np.nonzero(at["fpr"] <= fpr)[0]
    at_fpr = int(within[-1]) if len(within) else 0
    return {
        "f1": float(swept.threshold[best]),
        "f1_value": float(at["f1"][best]),
        "fpr_1pct": float(swept.threshold[at_fpr]),
        "recall_at_fpr_1pct": float(at["recall"][at_fpr]) if len(within) else 0.0,
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
