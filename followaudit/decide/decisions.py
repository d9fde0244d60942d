"""The decision layer: what a policy does to every account, computed once, read by everyone.

    risk    = sigmoid(logit(score) + sum of the log-odds of the rules the account breaks)
    flagged = risk >= threshold (a value in [0, 1], or the risk keeping the top X %)
    tier    = suspend | remove | review for flagged accounts (cut-offs >= threshold), else none

Three layers of cost, each cached by its caller on what it depends on:
- `load_inputs(ws)`: scores, labels, features, segments and the follow log, once per workspace
  version (policy-free);
- `PolicyRisk(inputs, policy)`: the rules on every account, risk, its sort order and the
  creator-loss checkpoints, once per rule set (a threshold or tier change reuses it);
- `decide(...)` / `Decisions`: a threshold, tiers and counts — searchsorted calls, microseconds.
Home, the Threshold lab, Policies, the report, exports, the review queue, the sandbox and
`followaudit decide` all read `Decisions`; none of them recomputes risk or counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl

from followaudit.decide.impact import CreatorLoss
from followaudit.decide.inputs import DecisionInputs, effective_labels, inputs_from_frames
from followaudit.decide.policy import Policy, resolve_threshold, resolved_tiers, tier_problems
from followaudit.decide.risk import combine
from followaudit.decide.rules import RuleHits, evaluate_rules, hit_sentences
from followaudit.decide.thresholds import ScoreIndex


class PolicyRisk:
    """One rule set on every account: risk, rule hits, and indexes for any threshold."""

    def __init__(self, inputs: DecisionInputs, policy: Policy):
        self.inputs = inputs
        self.hits: RuleHits = evaluate_rules(policy, inputs.features)
        self.risk = combine(inputs.score, self.hits.log_odds)
        self.eval_risk = combine(inputs.eval_score, self.hits.log_odds)
        self.order = np.argsort(-self.risk, kind="stable")  # highest risk first
        self.sorted = self.risk[self.order[::-1]]  # ascending, for searchsorted

    @property
    def skipped(self) -> tuple[str, ...]:
        """Rules left out because the workspace lacks a feature they read."""
        return self.hits.skipped

    def flagged_count(self, threshold: float) -> int:
        """Accounts with risk >= threshold."""
        cut = np.searchsorted(self.sorted, np.float64(threshold), "left")
        return len(self.sorted) - int(cut)

    @cached_property
    def impact(self) -> CreatorLoss | None:
        """Creator losses at any flag line (None without a follow log); built on first use."""
        graph = self.inputs.graph
        return None if graph is None else CreatorLoss(graph, self.order)

    def index(self, labels: np.ndarray) -> ScoreIndex:
        """Counts on the decision's own risk: flagged, tiers, and the labelled confusion."""
        known = labels >= 0
        return ScoreIndex(self.sorted, self.risk[known], labels[known], presorted=True)

    def rule_hits(self, positions: np.ndarray | None = None) -> pl.Series:
        """The rules each account breaks as sentences ("; "-joined), for some or all accounts."""
        mask = self.hits.mask if positions is None else self.hits.mask[positions]
        frame = pl.DataFrame({"mask": pl.Series(mask, dtype=pl.UInt64)})
        sentences = hit_sentences(pl.col("mask"), self.hits.rules).alias("rule_hits")
        return frame.with_columns(sentences)["rule_hits"]


@dataclass
class Decisions:
    """A policy at one threshold: per-account decisions and every count a page shows."""

    policy: Policy
    risk: PolicyRisk
    index: ScoreIndex  # decision risk with the labels in force
    threshold: float
    tiers: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def accounts(self) -> int:
        """Accounts decided on."""
        return len(self.risk.sorted)

    @cached_property
    def flagged(self) -> int:
        """Accounts flagged."""
        return self.index.flagged_count(self.threshold)

    @property
    def top_percent(self) -> float:
        """The share of accounts flagged, in %."""
        return 100.0 * self.flagged / max(1, self.accounts)

    @cached_property
    def tier_counts(self) -> dict[str, int]:
        """Accounts per tier (none, review, remove, suspend); the last three partition flagged."""
        return self.index.tier_counts(self.tiers)

    @cached_property
    def labelled(self) -> dict[str, int]:
        """tp, fp, fn, tn of these decisions on the labelled accounts."""
        return self.index.confusion(self.threshold)

    @property
    def labelled_flagged(self) -> int:
        """Flagged accounts that carry a label."""
        return self.labelled["tp"] + self.labelled["fp"]

    @cached_property
    def creators_losing(self) -> dict[str, int]:
        """Creators losing more than 5 / 10 / 25 % of their current followers."""
        impact = self.risk.impact
        return {"5": 0, "10": 0, "25": 0} if impact is None else impact.losing(self.flagged)

    @cached_property
    def purge_followers(self) -> int:
        """Current follows made by flagged accounts (what a purge removes)."""
        impact = self.risk.impact
        return 0 if impact is None else impact.purge_followers(self.flagged)

    def creator_losses(self) -> pl.DataFrame | None:
        """Per creator: followers, followers lost, share lost (%); None without a follow log."""
        impact = self.risk.impact
        return None if impact is None else impact.frame(self.flagged)

    def summary(self) -> dict:
        """The counts `followaudit decide --json` prints, and every page shows."""
        return {
            "policy": self.policy.name,
            "version": self.policy.version,
            "threshold": self.threshold,
            "accounts": self.accounts,
            "flagged": self.flagged,
            "tiers": {k: v for k, v in self.tier_counts.items() if k != "none"},
            "labelled": dict(self.labelled),
            "creators_losing": dict(self.creators_losing),
            "purge_followers": self.purge_followers,
        }

    def frame(self, details: bool = False) -> pl.DataFrame:
        """Per account: account_id, risk, flagged, tier (+ score and rule_hits with `details`)."""
        frame = pl.DataFrame(
            {"account_id": self.risk.inputs.account_ids, "risk": self.risk.risk}
        ).with_columns(
            (pl.col("risk") >= self.threshold).alias("flagged"),
            tier_expr(pl.col("risk"), self.tiers).alias("tier"),
        )
        if details:
            frame = frame.with_columns(
                pl.Series("score", self.risk.inputs.score), self.risk.rule_hits().alias("rule_hits")
            )
        return frame

    def risk_frame(self) -> pl.DataFrame:
        """Per account: account_id, score, risk (no strings: cheap at a million rows)."""
        inputs = self.risk.inputs
        return pl.DataFrame(
            {"account_id": inputs.account_ids, "score": inputs.score, "risk": self.risk.risk}
        )

    def rule_hits_of(self, account_ids) -> pl.Series:
        """The rules each of `account_ids` breaks, as sentences (ids must be in the workspace)."""
        positions = np.searchsorted(self.risk.inputs.account_ids, np.asarray(account_ids))
        return self.risk.rule_hits(positions)

    def flagged_frame(self) -> pl.DataFrame:
        """The flagged accounts, riskiest first: account_id, score, risk, tier, rule_hits."""
        top = self.risk.order[: self.flagged]
        risk = self.risk.risk[top]
        return pl.DataFrame(
            {
                "account_id": self.risk.inputs.account_ids[top],
                "score": self.risk.inputs.score[top],
                "risk": risk,
            }
        ).with_columns(
            tier_expr(pl.col("risk"), self.tiers).alias("tier"),
            self.risk.rule_hits(top).alias("rule_hits"),
        )

    def account(self, account_id: int) -> dict | None:
        """One account's score, risk, flagged, tier and rule hits (None when unknown)."""
        ids = self.risk.inputs.account_ids
        pos = int(np.searchsorted(ids, account_id))
        if pos >= len(ids) or ids[pos] != account_id:
            return None
        risk = float(self.risk.risk[pos])
        return {
            "account_id": int(account_id),
            "score": float(self.risk.inputs.score[pos]),
            "risk": risk,
            "flagged": risk >= self.threshold,
            "tier": tier_of(risk, self.tiers),
            "rule_hits": self.risk.rule_hits(np.array([pos]))[0],
        }

    def at(self, threshold: float) -> Decisions:
        """The same policy with its flag line moved to `threshold` (a fixed value)."""
        policy = self.policy.with_changes(threshold=float(threshold), top_percent=None)
        return decide_on(self.risk, self.index, policy)


def decide_on(risk: PolicyRisk, index: ScoreIndex, policy: Policy) -> Decisions:
    """A policy's threshold and tiers resolved on an indexed rule set: the cheap, per-move step."""
    threshold = resolve_threshold(policy, risk.sorted)
    notes = [f"Rule skipped: {s}" for s in risk.skipped]
    if policy.converted:
        notes.append(policy.converted)
    if policy.top_percent is not None and tier_problems(policy, threshold):
        notes.append(
            f"The top {policy.top_percent:g} % line ({threshold:.4f}) lies above this policy's "
            "tiers here, so they start at the line."
        )
    return Decisions(policy, risk, index, threshold, resolved_tiers(policy, threshold), notes)


def decide(
    inputs: DecisionInputs,
    policy: Policy,
    reviewed: pl.DataFrame | None = None,
    risk: PolicyRisk | None = None,
) -> Decisions:
    """What `policy` does to every account of `inputs` (review labels override the table's)."""
    risk = risk if risk is not None else PolicyRisk(inputs, policy)
    return decide_on(risk, risk.index(effective_labels(inputs, reviewed)), policy)


def tier_expr(risk: pl.Expr, tiers: dict[str, float]) -> pl.Expr:
    """The tier name for a risk column."""
    return (
        pl.when(risk >= tiers["suspend"])
        .then(pl.lit("suspend"))
        .when(risk >= tiers["remove"])
        .then(pl.lit("remove"))
        .when(risk >= tiers["review"])
        .then(pl.lit("review"))
        .otherwise(pl.lit("none"))
    )


def tier_of(risk: float, tiers: dict[str, float]) -> str:
    """The tier name for one risk."""
    for name in ("suspend", "remove", "review"):
        if risk >= tiers[name]:
            return name
    return "none"


def score_frame_decisions(
    policy: Policy, scores: pl.DataFrame, features: pl.DataFrame, threshold: float | None = None
) -> tuple[pl.DataFrame, float]:
    """Decisions for accounts outside a workspace (the sandbox's scratch world): `scores`
    (account_id, score) and their `features` -> the decision frame and the line it used."""
    if threshold is not None:
        policy = policy.with_changes(threshold=float(threshold), top_percent=None)
    decisions = decide(inputs_from_frames(scores, features), policy)
    return decisions.frame(details=True), decisions.threshold
