"""The threshold lab: a rule set's decisions plus out-of-fold estimates of how good they are.

Two populations, always named on the page:
- **decisions** (`Decisions`, the decision layer): what the policy does with the production
  scores — flagged, tiers, creators losing followers, the purge, and the confusion of those very
  decisions on the labelled accounts. Identical to `followaudit decide`.
- **estimates**: precision, recall, intervals, curves, cost and collateral on *out-of-fold* risk
  (the score a model gives an account it never trained on, moved by the same rules), because the
  production score of a training account is optimistic.
`build_lab(risk, reviewed)` indexes both once per rule set and label set; `snapshot` is then a
handful of `np.searchsorted` calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl

from followaudit.decide.decisions import Decisions, PolicyRisk, decide_on
from followaudit.decide.inputs import effective_labels
from followaudit.decide.policy import Policy
from followaudit.decide.thresholds import ScoreIndex, SegmentIndex, risk_histogram

SEGMENTS = ["region", "age_band", "verified", "private"]


@dataclass
class Lab:
    """One rule set + label set, indexed: a threshold move is then microseconds."""

    risk: PolicyRisk
    labels: np.ndarray  # int8 per account: 1 fake, 0 genuine, -1 unlabelled or unsure
    decision: ScoreIndex  # the decisions' own risk (what `decide` counts)
    estimate: ScoreIndex  # out-of-fold risk of the labelled accounts (metrics, curves, cost)
    notes: list[str]
    charts: dict = field(default_factory=dict, repr=False)  # chart specs built once per lab

    @property
    def index(self) -> ScoreIndex:
        """The estimate index (metrics, curves, cost on out-of-fold risk)."""
        return self.estimate

    @property
    def skipped(self) -> tuple[str, ...]:
        """Rules left out because a feature they read is absent."""
        return self.risk.skipped

    @property
    def labelled(self) -> int:
        """Accounts whose label counts (reviewed 'unsure' ones left out)."""
        return len(self.estimate.pos) + len(self.estimate.neg)

    def decisions(self, policy: Policy, threshold: float | None = None) -> Decisions:
        """The decision layer's answer for `policy` (optionally at a fixed `threshold`)."""
        if threshold is not None:
            policy = policy.with_changes(threshold=float(threshold), top_percent=None)
        return decide_on(self.risk, self.decision, policy)

    @cached_property
    def segments(self) -> SegmentIndex:
        """Per segment: every account's decision risk and labelled genuine accounts' out-of-fold
        risk (collateral), built on first use."""
        known = self.labels >= 0
        frame = self.risk.inputs.segments.with_columns(
            pl.Series("risk", self.risk.risk),
            pl.Series("eval_risk", self.risk.eval_risk),
            pl.Series("label", np.where(known, self.labels, -1)).replace(-1, None),
        )
        return SegmentIndex.build(frame, SEGMENTS)

    @cached_property
    def histogram(self) -> pl.DataFrame:
        """Accounts per risk bin, split by label (computed once per lab)."""
        return risk_histogram(self.risk.risk, self.labels)

    @cached_property
    def model_auc(self) -> float | None:
        """ROC-AUC of the model score alone (no rules) on the same labelled accounts."""
        if not self.estimate.has_metrics:
            return None
        known = self.labels >= 0
        alone = ScoreIndex(np.zeros(0), self.risk.inputs.eval_score[known], self.labels[known])
        return float(alone.curves["roc_auc"])

    def missing_metrics_reason(self) -> str | None:
        """Why precision/recall cannot be shown, or None when they can."""
        if self.estimate.has_metrics:
            return None
        return (
            "No metrics: they need labelled fake *and* genuine accounts, and this workspace has "
            f"{len(self.estimate.pos):,} fake and {len(self.estimate.neg):,} genuine. Label "
            "accounts in the Review queue (or build with a labels table) and they appear here at once."
        )


def build_lab(risk: PolicyRisk, reviewed: pl.DataFrame | None) -> Lab:
    """Index a rule set's decisions and estimates under the labels in force."""
    inputs = risk.inputs
    labels = effective_labels(inputs, reviewed)
    known = labels >= 0
    # all-account counts (flagged, top X %) stay on the decisions' own risk
    estimate = ScoreIndex(risk.sorted, risk.eval_risk[known], labels[known], presorted=True)
    notes = _label_notes(inputs, labels, reviewed)
    return Lab(risk, labels, risk.index(labels), estimate, notes)


def _label_notes(inputs, labels: np.ndarray, reviewed: pl.DataFrame | None) -> list[str]:
    labelled = int((labels >= 0).sum())
    n_truth = int((inputs.truth >= 0).sum())
    n_review = 0 if reviewed is None else reviewed.height
    notes = [
        f"Estimates use {labelled:,} labelled accounts: {n_truth:,} from the workspace's labels "
        f"table and {n_review:,} reviewed in the queue (a reviewed label overrides the table's; "
        "'unsure' leaves the account out)."
    ]
    if labelled and inputs.oof_count >= n_truth and n_truth:
        notes.append(
            "Estimates use out-of-fold scores: no account is scored by a model trained on it. "
            "Decision counts use the production scores, as a purge would."
        )
    elif labelled:
        notes.append(
            f"Out-of-fold scores for {inputs.oof_count:,} labelled accounts; the others use the "
            "production score (they were not in the model's training set)."
        )
    return notes


def snapshot(lab: Lab, policy: Policy, threshold: float | None = None) -> dict:
    """Everything the lab shows at one threshold: the decisions' counts and the estimates."""
    d = lab.decisions(policy, threshold)
    estimate = lab.estimate
    return {
        "decisions": d,
        "threshold": d.threshold,
        "top_percent": d.top_percent,
        "flagged": d.flagged,
        "tiers": d.tier_counts,
        "tier_cutoffs": d.tiers,
        "labelled": d.labelled,
        "creators_losing": d.creators_losing,
        "purge_followers": d.purge_followers,
        "has_follows": d.risk.inputs.graph is not None,
        "estimated_on": lab.labelled,
        "metrics": estimate.metrics(d.threshold) if estimate.has_metrics else None,
        "intervals": estimate.intervals(d.threshold) if estimate.has_metrics else None,
    }
