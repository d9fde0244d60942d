"""Threshold metrics at interactive speed: confusion, intervals, curves, cost, collateral, impact.

Everything expensive (sorting, curves, per-segment and per-creator arrays) is done once per
model and rule set; a threshold move is then a handful of `np.searchsorted` calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl

from followaudit.decide.policy import threshold_for_top
from followaudit.detect.metrics import (
    BOOTSTRAP_DRAWS,
    Sweep,
    at_or_above,
    bootstrap_counts,
    metrics_from_counts,
    ranking_metrics,
    sweep,
)

CURVE_POINTS = 500
HIST_BINS = 50


def _downsample(n: int, limit: int = CURVE_POINTS) -> np.ndarray:
    """At most `limit` indices spread over 0..n-1, both ends kept."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


class ScoreIndex:
    """Sorted risks of all accounts and of labelled ones: confusion counts at any threshold fast."""

    def __init__(
        self, risk: np.ndarray, eval_risk: np.ndarray, labels: np.ndarray, presorted: bool = False
    ):
        risk = np.asarray(risk, dtype=np.float64)
        self.all = risk if presorted else np.sort(risk)
        eval_risk = np.asarray(eval_risk, dtype=np.float64)
        labels = np.asarray(labels)
        self.pos = np.sort(eval_risk[labels == 1])
        self.neg = np.sort(eval_risk[labels == 0])
        self._intervals: dict[float, dict] = {}

    @property
    def has_metrics(self) -> bool:
        """Both classes are labelled, so precision/recall/MCC mean something."""
        return len(self.pos) > 0 and len(self.neg) > 0

    def flagged_count(self, threshold: float) -> int:
        """Accounts with risk >= threshold."""
        return at_or_above(self.all, threshold)

    def confusion(self, threshold: float) -> dict[str, int]:
        """tp, fp, fn, tn on the labelled accounts."""
        tp = at_or_above(self.pos, threshold)
        fp = at_or_above(self.neg, threshold)
        return {"tp": tp, "fp": fp, "fn": len(self.pos) - tp, "tn": len(self.neg) - fp}

    def metrics(self, threshold: float) -> dict[str, float]:
        """Confusion counts plus precision, recall, F1, MCC, FPR and accuracy."""
        counts = self.confusion(threshold)
        return counts | metrics_from_counts(**counts)

    def intervals(self, threshold: float, draws: int = BOOTSTRAP_DRAWS) -> dict[str, tuple]:
        """Bootstrap 95 % intervals of each metric (cached per threshold)."""
        key = float(threshold)
        if key not in self._intervals:
            if len(self._intervals) > 512:
                self._intervals.clear()
            self._intervals[key] = bootstrap_counts(self.confusion(key), draws)
        return self._intervals[key]

    def threshold_for_top(self, percent: float) -> float:
        """The risk that flags the top `percent` % of all accounts."""
        return threshold_for_top(self.all, percent)

    def top_percent(self, threshold: float) -> float:
        """The share (%) of all accounts flagged at `threshold`."""
        return 100.0 * self.flagged_count(threshold) / max(1, len(self.all))

    def tier_counts(self, tiers: dict[str, float]) -> dict[str, int]:
        """Accounts per tier for cut-offs review <= remove <= suspend."""
        at = {name: self.flagged_count(tiers[name]) for name in ("review", "remove", "suspend")}
        return {
            "none": len(self.all) - at["review"],
            "review": at["review"] - at["remove"],
            "remove": at["remove"] - at["suspend"],
            "suspend": at["suspend"],
        }

    @cached_property
    def _sweep(self) -> Sweep:
        """Counts at every distinct labelled risk, highest first (once per index)."""
        scores = np.concatenate([self.pos, self.neg])
        truth = np.concatenate([np.ones(len(self.pos)), np.zeros(len(self.neg))])
        return sweep(truth, scores)

    @cached_property
    def curves(self) -> dict[str, pl.DataFrame | float]:
        """PR and ROC curves (<= 500 points each) and their areas, once per index."""
        swept = self._sweep
        at = swept.curve
        keep = _downsample(len(swept.threshold))
        pr = pl.DataFrame(
            {
                "threshold": swept.threshold[keep],
                "recall": at["recall"][keep],
                "precision": at["precision"][keep],
            }
        )
        roc = pl.DataFrame(
            {"threshold": swept.threshold[keep], "fpr": at["fpr"][keep], "tpr": at["recall"][keep]}
        )
        areas = {name: float(np.nan_to_num(v)) for name, v in ranking_metrics(swept).items()}
        return {"pr": pr, "roc": roc, **areas}

    def optimise_cost(self, cost_fp: float, cost_fn: float) -> dict[str, float]:
        """The threshold in [0, 1] minimising cost_fp x genuine actioned + cost_fn x fakes missed."""
        swept, top = self._sweep, self.confusion(1.0)  # 1.0: the line flagging fewest accounts
        thresholds = np.r_[swept.threshold, 1.0]
        fp = np.r_[swept.fp, top["fp"]]
        fn = len(self.pos) - np.r_[swept.tp, top["tp"]]
        cost = cost_fp * fp + cost_fn * fn
        best = int(np.argmin(cost))
        return {
            "threshold": float(thresholds[best]),
            "cost": float(cost[best]),
            "fp": int(fp[best]),
            "fn": int(fn[best]),
        }

    def cost_curve(self, cost_fp: float, cost_fn: float) -> pl.DataFrame:
        """Expected cost at each threshold (<= 500 points) for a chart."""
        swept, pos = self._sweep, len(self.pos)
        cost = cost_fp * swept.fp + cost_fn * (pos - swept.tp)
        keep = _downsample(len(cost))
        return pl.DataFrame({"threshold": swept.threshold[keep], "cost": cost[keep]})

    @cached_property
    def histogram(self) -> pl.DataFrame:
        """Risk distribution of all accounts in 50 bins over [0, 1] (counts, not points)."""
        counts, edges = np.histogram(self.all, bins=HIST_BINS, range=(0.0, 1.0))
        return pl.DataFrame({"start": edges[:-1], "end": edges[1:], "accounts": counts})


LABEL_NAMES = {1: "labelled fake", 0: "labelled genuine", -1: "unlabelled"}


def risk_histogram(risk: np.ndarray, labels: np.ndarray) -> pl.DataFrame:
    """Accounts per risk bin (50 over [0, 1]) and label: start, end, label, accounts."""
    parts = []
    for code, name in LABEL_NAMES.items():
        counts, edges = np.histogram(risk[labels == code], bins=HIST_BINS, range=(0.0, 1.0))
        parts.append(
            pl.DataFrame({"start": edges[:-1], "end": edges[1:], "label": name, "accounts": counts})
        )
    return pl.concat(parts)


AGE_BANDS = [(0, 7, "< 1 week"), (7, 30, "1-4 weeks"), (30, 180, "1-6 months")]
AGE_BANDS += [(180, 365, "6-12 months"), (365, float("inf"), "> 1 year")]


def age_band(days: pl.Expr) -> pl.Expr:
    """Account-age band label for a days column."""
    expr = pl.when(days.is_null()).then(pl.lit("unknown"))
    for low, high, label in AGE_BANDS:
        expr = expr.when((days >= low) & (days < high)).then(pl.lit(label))
    return expr.otherwise(pl.lit("unknown"))


@dataclass
class SegmentIndex:
    """Per segment value: sorted risks of genuine accounts and of all accounts."""

    groups: list[tuple[str, str, np.ndarray, np.ndarray]] = field(default_factory=list)

    @classmethod
    def build(cls, frame: pl.DataFrame, segments: list[str]) -> SegmentIndex:
        """`frame` has risk, eval_risk, label (1/0/null) and the segment columns."""
        groups = []
        for column in segments:
            if column not in frame.columns:
                continue
            parts = frame.select(column, "risk", "eval_risk", "label").partition_by(
                column, as_dict=True
            )
            for (value,), part in sorted(parts.items(), key=lambda kv: str(kv[0][0])):
                genuine = part.filter(pl.col("label") == 0)["eval_risk"].to_numpy()
                groups.append(
                    (column, str(value), np.sort(genuine), np.sort(part["risk"].to_numpy()))
                )
        return cls(groups)

    def at(self, threshold: float) -> pl.DataFrame:
        """Per segment: accounts, flagged, genuine labelled, genuine flagged and their FPR."""
        rows = []
        for column, value, genuine, everyone in self.groups:
            g_flag, flagged = at_or_above(genuine, threshold), at_or_above(everyone, threshold)
            rows.append(
                (column, value, len(everyone), flagged, len(genuine), g_flag)
                + (g_flag / len(genuine) if len(genuine) else None,)
            )
        schema = {"segment": pl.String, "value": pl.String, "accounts": pl.Int64}
        schema |= {"flagged": pl.Int64, "genuine": pl.Int64, "genuine_flagged": pl.Int64}
        return pl.DataFrame(rows, schema=schema | {"fpr": pl.Float64}, orient="row")
