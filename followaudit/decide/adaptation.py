"""The workspace's model adapted to the analyst's reviewed labels (detect/recalibrate.py): the fake
share before any label, then a proposed threshold and how sure it is."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from followaudit.detect import recalibrate

NOT_FEATURES = ("account_id",)


def training_prior(card: dict) -> float:
    """The fake share of the labels the model was trained on (its calibration's prior)."""
    return float(card["positives"]) / float(card["rows"])


def fake_share_before_labels(scores: np.ndarray, card: dict) -> float:
    """Estimated fake share of the accounts from the model's scores alone (prior-shift EM)."""
    if not len(scores):
        return float("nan")
    return recalibrate.prior_shift(np.asarray(scores), training_prior(card))[0]


@dataclass
class Adaptation:
    """Reviewed labels, the fitted adaptation and its proposal (None until labels allow)."""

    reviewed: int
    reviewed_fakes: int
    fake_share_before: float
    adapted: recalibrate.Adapted | None
    proposal: recalibrate.Proposal | None

    @property
    def ready(self) -> bool:
        """Whether there are enough labels for a proposal."""
        return self.proposal is not None


def adapt_to_reviews(
    accounts: pl.DataFrame,
    features: pl.DataFrame | None,
    reviewed: pl.DataFrame,
    card: dict,
    seed: int = 0,
) -> Adaptation:
    """Adapt to the `reviewed` labels (account_id, label fake|genuine|unsure).

    `accounts` has account_id and score (the model's calibrated P(fake)); `features` the
    model's feature columns (for the local correction; None: Platt only)."""
    accounts = accounts.select("account_id", "score").sort("account_id")
    scores = accounts["score"].to_numpy()
    labels = reviewed.filter(pl.col("label").is_in(["fake", "genuine"])).select(
        "account_id", (pl.col("label") == "fake").cast(pl.Int8).alias("y")
    )
    positions = accounts.with_row_index("position").join(labels, on="account_id")
    where, y = positions["position"].to_numpy().astype(np.int64), positions["y"].to_numpy()
    prior = training_prior(card)
    x = _matrix(accounts, features, card) if features is not None else None
    adapted = recalibrate.adapt(scores, where, y, prior, x, seed)
    share = adapted.prevalence_before
    if adapted.labels < recalibrate.MIN_LABELS or min(y.sum(), len(y) - y.sum()) < 3:
        return Adaptation(len(y), int(y.sum()), share, None, None)
    proposal = recalibrate.propose(adapted, scores, where, y, x, seed=seed)
    return Adaptation(len(y), int(y.sum()), share, adapted, proposal)


def _matrix(accounts: pl.DataFrame, features: pl.DataFrame, card: dict) -> np.ndarray:
    """The model's features in card order for `accounts` (absent ones NaN)."""
    frame = accounts.select("account_id").join(features, on="account_id", how="left")
    return frame.select(
        pl.col(n).cast(pl.Float64) if n in frame.columns else pl.lit(None, pl.Float64).alias(n)
        for n in card["features"]
    ).to_numpy()
