"""Which accounts to review next so that their labels teach the recalibration the most."""

from __future__ import annotations

import numpy as np

from followaudit.detect.recalibrate import adapt, logit

STRATA = 10  # equal-width bands of the model's log-odds


def teaching_order(
    scores: np.ndarray, reviewed: np.ndarray, y: np.ndarray, k: int, train_prior: float
) -> np.ndarray:
    """Positions of the next `k` rows to review.

    Picks alternate between the row the current adaptation is least sure of (P(fake) nearest
    0.5) and the least sure row of the score band with the fewest reviews, so the labels both
    sharpen the boundary and span the whole score range that the recalibration must map. Pure
    and deterministic (ties go to the lower position)."""
    scores = np.asarray(scores, dtype=np.float64)
    reviewed = np.asarray(reviewed, dtype=np.int64)
    if not len(scores):
        return np.zeros(0, dtype=np.int64)
    probs = adapt(scores, reviewed, np.asarray(y), train_prior).probability(scores)
    doubt = probs * (1 - probs)
    doubt[reviewed] = -1.0
    z = logit(scores)
    span = max(float(z.max() - z.min()), 1e-12)
    band = np.minimum(((z - z.min()) / span * STRATA).astype(np.int64), STRATA - 1)
    counts = np.bincount(band[reviewed], minlength=STRATA).astype(np.float64)
    picks = min(k, int((doubt >= 0).sum()))
    keep = _candidates(doubt, band, picks)
    return keep[_pick(doubt[keep], band[keep], counts, picks)]


def _candidates(doubt: np.ndarray, band: np.ndarray, k: int) -> np.ndarray:
    """Positions (ascending) that `k` picks can reach: in every band, its first `k` open rows by
    doubt (highest first), then position. A pick takes the first open row in that order of all
    rows or of one band, so a band's picks are a prefix of its order, never longer than k: the
    picks on the candidates equal the picks on all rows, at a million rows in milliseconds
    instead of k passes over every row."""
    keep = []
    for b in range(STRATA):
        rows = np.flatnonzero((band == b) & (doubt >= 0))
        if len(rows) > k:
            kth = np.partition(doubt[rows], len(rows) - k)[len(rows) - k]
            above = rows[doubt[rows] > kth]
            rows = np.r_[above, rows[doubt[rows] == kth][: k - len(above)]]
        keep.append(rows)
    return np.sort(np.concatenate(keep))


def _pick(doubt: np.ndarray, band: np.ndarray, counts: np.ndarray, k: int) -> np.ndarray:
    """The first `k` picks: alternately the most doubtful row and the most doubtful row of the
    least reviewed open band (ties go to the lower position)."""
    doubt, counts = doubt.copy(), counts.copy()
    picks: list[int] = []
    for i in range(k):
        if i % 2 == 0:
            pick = int(np.argmax(doubt))
        else:
            open_bands = np.bincount(band[doubt >= 0], minlength=STRATA) > 0
            target = int(np.argmin(np.where(open_bands, counts, np.inf)))
            pick = int(np.argmax(np.where(band == target, doubt, -2.0)))
        picks.append(pick)
        doubt[pick] = -1.0
        counts[band[pick]] += 1
    return np.array(picks, dtype=np.int64)


def simulate_review(
    scores: np.ndarray, truth: np.ndarray, budget: int, train_prior: float, batch: int = 10
) -> np.ndarray:
    """The rows an analyst following the queue would have labelled after `budget` reviews,
    `truth` standing in for the analyst (the adaptation is refitted after every `batch`)."""
    truth = np.asarray(truth)
    reviewed = np.zeros(0, dtype=np.int64)
    while len(reviewed) < min(budget, len(truth)):
        step = min(batch, budget - len(reviewed))
        reviewed = np.r_[
            reviewed, teaching_order(scores, reviewed, truth[reviewed], step, train_prior)
        ]
    return reviewed
