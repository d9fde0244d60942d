"""One account's explanation: TreeSHAP contributions in log-odds (LightGBM pred_contrib, equal to
shap.TreeExplainer), the calibrated probability at the start and at the end, and reasons on both
sides ("why it looks fake", "why it looks genuine") with each value set against genuine accounts.

Units: every contribution is in log-odds of the model (SHAP's own convention); they add up from
the average account's log-odds (`base_value`) to this account's (`margin`). Probabilities appear
only at the two ends, always calibrated: `score` is exactly `account_scores.score`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from followaudit.detect import catalogue
from followaudit.detect import model as mdl
from followaudit.detect.reference import Reference

FAKE, GENUINE = "fake", "genuine"  # the two sides of an explanation
MIN_REASON = 0.05  # log-odds: smaller contributions print as +0.0 and are not reasons


@dataclass(frozen=True)
class Contribution:
    """One feature's part in a score: its value, SHAP (log-odds), meaning and context."""

    feature: str
    value: float | None
    shap: float
    description: str
    context: str | None = None  # "younger than 80% of genuine accounts"

    @property
    def sentence(self) -> str:
        """The account's value in words, e.g. "No profile picture"."""
        return catalogue.reason(self.feature, self.value)

    @property
    def reason(self) -> str:
        """The sentence, its context and its log-odds: "Account 3 days old — younger than 99% of
        genuine accounts (+2.1)"."""
        context = f" — {self.context}" if self.context else ""
        return f"{self.sentence}{context} ({self.shap:+.1f})"


@dataclass(frozen=True)
class Explanation:
    """Why one account scored as it did: base + contributions = margin -> calibrated score."""

    base_value: float  # log-odds of the average account (TreeSHAP's expected value)
    margin: float  # base_value + sum of contributions: this account's log-odds
    base_probability: float  # calibrated P(fake) at base_value
    score: float  # calibrated P(fake) at margin: the account's score
    contributions: list[Contribution] = field(default_factory=list)  # largest |shap| first

    def side(self, side: str, top: int = 5) -> list[Contribution]:
        """The strongest contributions towards `side` ("fake": positive, "genuine": negative)."""
        sign = 1.0 if side == FAKE else -1.0
        pushing = [c for c in self.contributions if c.shap * sign >= MIN_REASON]
        return sorted(pushing, key=lambda c: -c.shap * sign)[:top]

    def reasons(self, side: str = FAKE, top: int = 5) -> list[str]:
        """Reason sentences towards `side`, strongest first."""
        return [c.reason for c in self.side(side, top)]

    def frame(self) -> pl.DataFrame:
        """Contributions as a frame (feature, value, shap, description, sentence, context)."""
        return pl.DataFrame(
            [
                {
                    "feature": c.feature,
                    "value": c.value,
                    "shap": c.shap,
                    "description": c.description,
                    "sentence": c.sentence,
                    "context": c.context,
                }
                for c in self.contributions
            ],
            schema={
                "feature": pl.Utf8,
                "value": pl.Float64,
                "shap": pl.Float64,
                "description": pl.Utf8,
                "sentence": pl.Utf8,
                "context": pl.Utf8,
            },
        )


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def calibrated(bundle: mdl.ModelBundle, log_odds: float) -> float:
    """The calibrated P(fake) of an account whose model log-odds are `log_odds`."""
    return float(bundle.calibration.apply(np.array([_sigmoid(log_odds)]))[0])


def contributions(bundle: mdl.ModelBundle, x: np.ndarray) -> np.ndarray:
    """TreeSHAP values per row (last column = base value), identical to shap.TreeExplainer."""
    return bundle.booster.predict(x, pred_contrib=True, num_threads=mdl.threads(len(x), "contrib"))


def _one_row(features_row: pl.DataFrame | dict) -> pl.DataFrame:
    if isinstance(features_row, dict):
        features_row = pl.DataFrame([features_row])
    if features_row.height != 1:
        raise ValueError(f"explain_account needs exactly one row, got {features_row.height}")
    return features_row


def explain_account(
    bundle: mdl.ModelBundle, features_row: pl.DataFrame | dict, reference: Reference | None = None
) -> Explanation:
    """Explain one account from its `account_features` row (a one-row frame or a dict); features
    the model does not read (marginalised: the data lacks them) are not contributions at all."""
    x = bundle.matrix(_one_row(features_row))
    contrib = contributions(bundle, x)[0]
    shap, base = contrib[:-1], float(contrib[-1])
    used = set(bundle.used_features)
    items = []
    for i, name in enumerate(bundle.features):
        if name not in used:
            continue
        value = None if math.isnan(x[0, i]) else float(x[0, i])
        context = reference.compare(name, value) if reference is not None else None
        items.append(
            Contribution(name, value, float(shap[i]), catalogue.description(name), context)
        )
    items.sort(key=lambda c: -abs(c.shap))
    margin = base + float(shap.sum())
    return Explanation(
        base_value=base,
        margin=margin,
        base_probability=calibrated(bundle, base),
        score=calibrated(bundle, margin),
        contributions=items,
    )


def top_reasons(names: list[str], x: np.ndarray, shap: np.ndarray, top: int) -> list[str]:
    """ "; "-joined reason sentences of each row's `top` largest positive contributions."""
    order = np.argsort(-shap, axis=1)[:, :top]
    out = []
    for row, cols in enumerate(order):
        parts = [
            f"{catalogue.reason(names[c], None if math.isnan(x[row, c]) else float(x[row, c]))}"
            f" ({shap[row, c]:+.1f})"
            for c in cols
            if shap[row, c] > 0
        ]
        out.append("; ".join(parts))
    return out


def reasons_table(bundle: mdl.ModelBundle, features: pl.DataFrame, top: int = 1) -> pl.DataFrame:
    """`account_id, top_reasons` for a few accounts' feature rows, computed now (~0.4 ms each):
    the build stores no per-account reasons, tables ask for the rows they show."""
    if features.is_empty():
        return pl.DataFrame(schema={"account_id": pl.Int64, "top_reasons": pl.Utf8})
    x = bundle.matrix(features)
    shap = contributions(bundle, x)[:, :-1]
    return pl.DataFrame(
        {
            "account_id": features["account_id"].cast(pl.Int64),
            "top_reasons": top_reasons(bundle.features, x, shap, top),
        }
    )
