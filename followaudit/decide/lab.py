"""The threshold lab's data: scores, labels, segments and rules assembled once, indexed for speed.

`load_lab_data(ws)` reads the workspace once per version; `score_risk` applies a rule set once;
`build_lab` merges review labels and builds the `thresholds` indexes. A threshold move then
costs microseconds (see `report.snapshot`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from followaudit.decide.policy import rule_points
from followaudit.decide.thresholds import CreatorImpact, ScoreIndex, SegmentIndex, age_band

SEGMENTS = ["region", "age_band", "verified", "private"]
LAB_SCHEMA = {"account_id": pl.Int64, "score": pl.Float64, "oof_score": pl.Float64}


@dataclass
class LabData:
    """The workspace side of the lab (read once per workspace version)."""

    accounts: pl.DataFrame  # account_id, score, oof_score, truth, segment columns
    features: pl.DataFrame
    hist: pl.DataFrame | None


def load_lab_data(ws) -> LabData:
    """Read scores, labels, segments, features and the creator score histogram from `ws`."""
    accounts = ws.query("policy/lab_accounts")
    features = ws.query("policy/account_features")
    age = (
        features.select("account_id", "account_age_days")
        if "account_age_days" in features.columns
        else None
    )
    if age is not None:
        accounts = accounts.join(age, on="account_id", how="left")
    else:
        accounts = accounts.with_columns(pl.lit(None, pl.Float64).alias("account_age_days"))
    accounts = accounts.with_columns(age_band(pl.col("account_age_days")).alias("age_band"))
    hist = ws.query("policy/score_hist") if ws.has_table("creator_score_hist") else None
    return LabData(accounts.drop("account_age_days"), features, hist)


def merge_labels(
    accounts: pl.DataFrame, reviewed: pl.DataFrame | None
) -> tuple[pl.DataFrame, list[str]]:
    """Add `label` (1 fake / 0 genuine / null) and `eval_score`; say which labels and scores."""
    reviewed = (
        reviewed
        if reviewed is not None
        else pl.DataFrame(schema={"account_id": pl.Int64, "label": pl.String})
    )
    review = reviewed.select(
        "account_id",
        pl.col("label")
        .replace_strict({"fake": 1, "genuine": 0, "unsure": -1}, return_dtype=pl.Int8)
        .alias("_review"),
    )
    frame = accounts.join(review, on="account_id", how="left").with_columns(
        # a reviewed label overrides the workspace's; 'unsure' takes the account out of metrics
        pl.when(pl.col("_review").is_not_null())
        .then(pl.when(pl.col("_review") >= 0).then(pl.col("_review")))
        .otherwise(pl.col("truth").cast(pl.Int8))
        .alias("label"),
        pl.coalesce("oof_score", "score").alias("eval_score"),
    )
    return frame.drop("_review"), _label_notes(frame)


def _label_notes(frame: pl.DataFrame) -> list[str]:
    labelled = frame.filter(pl.col("label").is_not_null())
    n_truth = int(frame["truth"].is_not_null().sum())
    n_review = int(frame["_review"].is_not_null().sum())
    n_oof = int(labelled["oof_score"].is_not_null().sum())
    notes = [
        f"Metrics use {labelled.height:,} labelled accounts: {n_truth:,} from the workspace's "
        f"labels table and {n_review:,} reviewed in the queue (a reviewed label overrides the "
        "table's; 'unsure' leaves the account out)."
    ]
    if labelled.height and n_oof == labelled.height:
        notes.append("Scores are out-of-fold: no account is scored by a model trained on it.")
    elif labelled.height:
        notes.append(
            f"Out-of-fold scores for {n_oof:,} of them; the other {labelled.height - n_oof:,} use the "
            "model score (falling back to `score`: those accounts were not in the model's training set)."
        )
    return notes


@dataclass
class Lab:
    """One model + rule set + label set: a threshold move is then microseconds."""

    index: ScoreIndex
    segments: SegmentIndex
    impact: CreatorImpact | None
    risk: pl.DataFrame  # account_id, score, rule_points, rule_hits, risk, eval_risk, label
    skipped: list[str]
    notes: list[str]
    charts: dict = field(default_factory=dict, repr=False)  # chart specs built once per lab
    scores: np.ndarray | None = None  # sorted model scores, only when rules add points

    def impact_threshold(self, threshold: float) -> float:
        """The model-score line for creator impact: the one flagging as many accounts as `threshold`.

        `creator_score_hist` counts followers by model score, so with rules adding points the
        policy's risk line is mapped to the score line that removes the same number of accounts.
        """
        if self.scores is None:
            return threshold
        count = self.index.flagged_count(threshold)
        return 2.0 if count == 0 else float(self.scores[len(self.scores) - count])

    def impact_at(self, threshold: float) -> pl.DataFrame | None:
        """Per creator: followers, followers lost and share lost at the policy's threshold."""
        return None if self.impact is None else self.impact.at(self.impact_threshold(threshold))

    def impact_summary(self, threshold: float) -> dict[str, int] | None:
        """Creators losing more than 5 / 10 / 25 % of their followers."""
        if self.impact is None:
            return None
        return self.impact.summary(self.impact_threshold(threshold))

    def missing_metrics_reason(self) -> str | None:
        """Why precision/recall cannot be shown, or None when they can."""
        if self.index.has_metrics:
            return None
        return (
            "No metrics: they need labelled fake *and* genuine accounts, and this workspace has "
            f"{len(self.index.pos):,} fake and {len(self.index.neg):,} genuine. Label accounts in the "
            "Review queue (or build with a labels table) and they appear here at once."
        )


def score_risk(data: LabData, policy) -> tuple[pl.DataFrame, list[str]]:
    """Accounts with rule_points, rule_hits and risk (no labels: reusable across label edits)."""
    points, skipped = rule_points(policy, data.features)
    risk = (
        data.accounts.join(points, on="account_id", how="left")
        .with_columns(pl.col("rule_points").fill_null(0.0), pl.col("rule_hits").fill_null(""))
        .with_columns((pl.col("score") + pl.col("rule_points")).alias("risk"))
    )
    return risk, skipped


def build_lab(
    data: LabData, reviewed: pl.DataFrame | None, policy, risk: tuple | None = None
) -> Lab:
    """Merge labels into `score_risk`'s frame and index everything for fast threshold moves."""
    frame, skipped = risk if risk is not None else score_risk(data, policy)
    frame, notes = merge_labels(frame, reviewed)
    frame = frame.with_columns((pl.col("eval_score") + pl.col("rule_points")).alias("eval_risk"))
    labelled = frame.filter(pl.col("label").is_not_null())
    index = ScoreIndex(
        frame["risk"].to_numpy(), labelled["eval_risk"].to_numpy(), labelled["label"].to_numpy()
    )
    segments = SegmentIndex.build(frame, SEGMENTS)
    impact = CreatorImpact(data.hist) if data.hist is not None and data.hist.height else None
    scores = None
    if impact is not None and frame.height and frame["rule_points"].max() > 0:
        scores = np.sort(frame["score"].to_numpy())
        notes.append(
            "Creator impact counts followers by model score: with rule points on, it uses the "
            "model-score line that removes as many accounts as the policy's risk line."
        )
    keep = ["account_id", "score", "rule_points", "rule_hits", "risk", "eval_risk", "label"]
    return Lab(index, segments, impact, frame.select(keep), skipped, notes, scores=scores)
