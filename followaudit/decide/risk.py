"""The one risk scale: a probability, the model's score moved by rules in log-odds.

    risk = sigmoid(logit(score) + sum of the weights of the rules an account breaks)

A rule's weight multiplies the odds that the account is fake by e^weight: +0.69 doubles them,
-0.69 halves them. An account that breaks no rule keeps its calibrated score exactly, so with
no rules risk *is* the calibrated P(fake), and thresholds, tiers and "top X %" all live in
[0, 1] and map onto each other.
"""

from __future__ import annotations

import numpy as np

# Beyond this, a weight flags (or clears) an account whatever its score: calibrated scores are
# >= 1e-12 here, logit -27.6, and 40 more log-odds reach risk 0.999997.
MAX_WEIGHT = 40.0


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)); 0 -> -inf and 1 -> +inf, never NaN."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), exact at +-inf."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def combine(score: np.ndarray, log_odds: np.ndarray) -> np.ndarray:
    """Risk from scores and summed rule weights; accounts without rule weight keep their score."""
    score = np.asarray(score, dtype=np.float64)
    log_odds = np.asarray(log_odds, dtype=np.float64)
    moved = log_odds != 0.0
    risk = score.copy()
    if moved.any():
        risk[moved] = sigmoid(logit(score[moved]) + log_odds[moved])
    return risk


def odds_factor(weight: float) -> str:
    """How a weight reads aloud: 'x2.0 odds'."""
    return f"×{np.exp(weight):.2g} odds"


def risk_text(value: float, digits: int = 3) -> str:
    """A risk with enough decimals that a line just below 1 (or above 0) never reads as 1 (0)."""
    value = float(value)
    while digits < 12 and (
        (value < 1.0 and round(value, digits) >= 1.0) or (value > 0.0 and round(value, digits) == 0)
    ):
        digits += 1
    return f"{value:.{digits}f}"
