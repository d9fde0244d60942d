"""Detection figures per kind of account (generator ground truth), and leave-one-kind-out.

A model can learn the generator instead of fake followers. Two guards: figures per `fake_kind`
and `genuine_kind` rather than one average, and leave-one-kind-out: train without kind K (an
attack or a benign kind), then score K, so a kind that is only caught once it was seen in
training shows as such.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from followaudit.detect import training

FPR = 0.01
NOT_FEATURES = ("account_id", "y", "fake_kind", "genuine_kind", "kind", "label", "source")


def with_kind(frame: pl.DataFrame) -> pl.DataFrame:
    """`kind` = the fake kind of a fake, the genuine kind of a genuine account."""
    columns = [c for c in ("fake_kind", "genuine_kind") if c in frame.columns]
    return frame.with_columns(pl.coalesce(*columns, pl.lit("unknown")).alias("kind"))


def cut_at_fpr(genuine_scores: np.ndarray, fpr: float = FPR) -> float:
    """The score above which at most `fpr` of these genuine accounts lie."""
    ranked = np.sort(np.asarray(genuine_scores))[::-1]
    k = int(np.floor(fpr * len(ranked)))
    return float(ranked[k]) if k < len(ranked) else float("-inf")


def per_kind(frame: pl.DataFrame, scores: np.ndarray, flagged: np.ndarray | None = None) -> dict:
    """ROC-AUC, PR-AUC and recall at 1 % FPR overall; per fake kind the recall, per genuine kind
    the share above that cut (and at the operating threshold, when `flagged` is given)."""
    frame = with_kind(frame).with_columns(pl.Series("score", scores))
    y = frame["y"].to_numpy()
    cut = cut_at_fpr(scores[y == 0])
    frame = frame.with_columns((pl.col("score") > cut).alias("above"))
    if flagged is not None:
        frame = frame.with_columns(pl.Series("flagged", flagged))
    out = {
        "accounts": frame.height,
        "roc_auc": float(roc_auc_score(y, scores)),
        "pr_auc": float(average_precision_score(y, scores)),
        "recall_at_1pct_fpr": float(frame.filter(pl.col("y") == 1)["above"].mean()),
        "kinds": {},
    }
    aggs = [pl.len().alias("accounts"), pl.col("above").mean().alias("above_cut")]
    if flagged is not None:
        aggs.append(pl.col("flagged").mean().alias("flagged"))
    for row in frame.group_by("y", "kind").agg(aggs).sort("y", "kind").iter_rows(named=True):
        out["kinds"][row.pop("kind")] = {**row, "fake": bool(row.pop("y"))}
    return out


def leave_one_kind_out(
    frame: pl.DataFrame, kinds: list[str], folds: int = 5, seed: int = training.SEED
) -> dict:
    """For each kind K: train without K (K-fold CV), score K out-of-fold; the cut is at 1 % FPR
    of the other genuine accounts' out-of-fold scores. Also the same with K seen in training.
    Returns {K: {"unseen": share above the cut, "seen": ..., "fake": bool, "accounts": n}}."""
    frame = with_kind(frame)
    names = [c for c in frame.columns if c not in NOT_FEATURES]
    x = frame.select([pl.col(n).cast(pl.Float64) for n in names]).to_numpy()
    y, kind = frame["y"].to_numpy(), frame["kind"].to_numpy()
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y))
    seen = _out_of_fold(x, y, names, splits, np.ones(len(y), dtype=bool))
    out = {}
    for k in kinds:
        unseen = _out_of_fold(x, y, names, splits, kind != k)
        others = (y == 0) & (kind != k)
        out[k] = {
            "fake": bool(y[kind == k].mean() > 0.5),
            "accounts": int((kind == k).sum()),
            "unseen": float((unseen[kind == k] > cut_at_fpr(unseen[others])).mean()),
            "seen": float((seen[kind == k] > cut_at_fpr(seen[others])).mean()),
        }
    return out


def _out_of_fold(x, y, names, splits, usable: np.ndarray) -> np.ndarray:
    """Out-of-fold raw scores; only `usable` rows are ever trained on."""
    oof = np.zeros(len(y))
    for train, test in splits:
        train = train[usable[train]]
        oof[test] = training.fit_booster(x[train], y[train], names).predict(x[test])
    return oof
