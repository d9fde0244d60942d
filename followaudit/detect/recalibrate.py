"""The shipped model on a new table: the fake share before any label, then a recalibration from a
few reviewed labels and a threshold with an interval.

Before labels: the model's probabilities were calibrated on the sample world's fake share; EM on
the table's score distribution (Saerens, Latinne & Decaestecker 2002) finds the share that makes
them self-consistent there. After N reviewed labels: Platt scaling of the prior-shifted log-odds
(shrunk towards "no change", so ten labels cannot swing it far), then, when cross-validation on
the reviewed labels says it helps, a few shallow boosted trees on the table's own features that
correct the shifted log-odds (a new platform's fakes can differ from the sample world's in ways a
monotone map cannot fix). The proposed threshold maximises the F1 expected over the whole table;
its interval comes from refitting on bootstrap resamples of the reviewed labels.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # LightGBM and scikit-learn load with the first correction fit: the pages'
    import lightgbm as lgb  # prior shift (Home's fake share) needs neither, and they take 1-2 s

PLATT_STRENGTH = 1.0  # pseudo-observations pulling the Platt fit towards a = 1, b = 0
MIN_LABELS = 10  # Platt needs this many reviewed labels, at least 3 of each class
CORRECTION_MIN = 30  # the local correction needs this many, at least 5 of each class
CORRECTION_ROUNDS = (0, 10, 20, 40, 80)  # chosen by 5-fold CV log-loss on the reviewed labels
CORRECTION_PARAMS = {
    "objective": "binary",
    "learning_rate": 0.3,
    "num_leaves": 4,
    "max_depth": 2,
    "min_data_in_leaf": 5,
    "lambda_l2": 5.0,
    "verbose": -1,
    "num_threads": 1,
    "deterministic": True,
}
BOOTSTRAP = 100
# prior_shift's last results, keyed by the scores' bytes: the review queue asks again for the
# same million scores after every label (EM over them costs ~0.3 s; a digest ~10 ms)
_SHIFTS: OrderedDict[tuple, tuple[float, np.ndarray]] = OrderedDict()
_SHIFTS_LOCK = threading.Lock()
_SHIFTS_KEPT = 4


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Inverse of `logit`."""
    return 1 / (1 + np.exp(-np.clip(z, -35, 35)))


def prior_shift(
    scores: np.ndarray, train_prior: float, tol: float = 1e-9
) -> tuple[float, np.ndarray]:
    """Estimated fake share of the table and the scores re-based on it (EM, Saerens et al. 2002);
    the same scores again are answered from memory (the shifted scores are read-only)."""
    p = np.ascontiguousarray(np.clip(np.asarray(scores, dtype=np.float64), 1e-6, 1 - 1e-6))
    key = (hashlib.blake2b(p, digest_size=16).digest(), len(p), float(train_prior), tol)
    with _SHIFTS_LOCK:
        if key in _SHIFTS:
            _SHIFTS.move_to_end(key)
            return _SHIFTS[key]
    out = _em_shift(p, train_prior, tol)
    out[1].setflags(write=False)
    with _SHIFTS_LOCK:
        _SHIFTS[key] = out
        while len(_SHIFTS) > _SHIFTS_KEPT:
            _SHIFTS.popitem(last=False)
    return out


def _em_shift(p: np.ndarray, train_prior: float, tol: float) -> tuple[float, np.ndarray]:
    share, shifted = train_prior, p
    if not len(p):
        return share, p
    for _ in range(1000):
        up, down = share / train_prior, (1 - share) / (1 - train_prior)
        shifted = up * p / (up * p + down * (1 - p))
        new = float(shifted.mean())
        if abs(new - share) < tol:
            break
        share = new
    return share, shifted


def fit_platt(
    margin: np.ndarray, y: np.ndarray, strength: float = PLATT_STRENGTH
) -> tuple[float, float]:
    """a, b of P(fake) = sigmoid(a * margin + b), with a Gaussian prior at a = 1, b = 0
    (Newton's method on the penalised log-likelihood, step-halving keeps it monotone)."""
    margin, y = np.asarray(margin, dtype=np.float64), np.asarray(y, dtype=np.float64)
    features = np.c_[margin, np.ones(len(margin))]
    w, centre = np.array([1.0, 0.0]), np.array([1.0, 0.0])

    def loss(w):
        m = features @ w
        return np.logaddexp(0, m).sum() - (y * m).sum() + 0.5 * strength * ((w - centre) ** 2).sum()

    current = loss(w)
    for _ in range(100):
        p = sigmoid(features @ w)
        grad = features.T @ (p - y) + strength * (w - centre)
        hess = (features * (p * (1 - p))[:, None]).T @ features + strength * np.eye(2)
        step = np.linalg.solve(hess, grad)
        for _ in range(30):  # halve the step until the loss does not rise
            trial = loss(w - step)
            if trial <= current + 1e-12:
                break
            step = step / 2
        w, converged = w - step, np.abs(step).max() < 1e-10
        current = loss(w)
        if converged:
            break
    return float(w[0]), float(w[1])


def _enough(y: np.ndarray, total: int, per_class: int) -> bool:
    return len(y) >= total and min(int(y.sum()), len(y) - int(y.sum())) >= per_class


@dataclass
class Adapted:
    """The shipped model adapted to one table (see the module docstring)."""

    train_prior: float
    prevalence_before: float  # EM estimate from the scores alone
    a: float = 1.0
    b: float = 0.0
    correction: lgb.Booster | None = None
    rounds: int = 0
    labels: int = 0
    fakes: int = 0
    cv_log_loss: dict[int, float] = field(default_factory=dict)

    def base_margin(self, scores: np.ndarray) -> np.ndarray:
        """Log-odds of the scores re-based on the estimated fake share."""
        return logit(prior_shift(scores, self.train_prior)[1])

    def margin(self, scores: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
        """Adapted log-odds of each row."""
        margin = self.a * self.base_margin(scores) + self.b
        if self.correction is not None and x is not None:
            margin = margin + self.correction.predict(x, raw_score=True)
        return margin

    def probability(self, scores: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
        """Adapted P(fake) of each row."""
        return sigmoid(self.margin(scores, x))


def adapt(
    scores: np.ndarray,
    reviewed: np.ndarray,
    y: np.ndarray,
    train_prior: float,
    x: np.ndarray | None = None,
    seed: int = 0,
) -> Adapted:
    """Fit the adaptation on the reviewed rows (`reviewed`: positions into `scores`, `y`: 0/1)."""
    scores, reviewed, y = np.asarray(scores), np.asarray(reviewed, dtype=np.int64), np.asarray(y)
    share, shifted = prior_shift(scores, train_prior)
    out = Adapted(train_prior, share, labels=len(y), fakes=int(y.sum()))
    if not _enough(y, MIN_LABELS, 3):
        return out
    base = logit(shifted)[reviewed]
    out.a, out.b = fit_platt(base, y)
    if x is None or not _enough(y, CORRECTION_MIN, 5):
        return out
    out.cv_log_loss = _correction_cv(base, x[reviewed], y, seed)
    out.rounds = min(out.cv_log_loss, key=lambda r: (out.cv_log_loss[r], r))
    if out.rounds:
        import lightgbm as lgb  # see the note at the imports

        init = out.a * base + out.b
        data = lgb.Dataset(x[reviewed], y, init_score=init, free_raw_data=True)
        out.correction = lgb.train({**CORRECTION_PARAMS, "seed": seed}, data, out.rounds)
    return out


def _correction_cv(base: np.ndarray, x: np.ndarray, y: np.ndarray, seed: int) -> dict[int, float]:
    """5-fold CV log-loss on the reviewed rows of Platt plus 0, 10, 20, ... correction trees."""
    import lightgbm as lgb  # see the note at the imports
    from sklearn.model_selection import StratifiedKFold

    losses = {r: 0.0 for r in CORRECTION_ROUNDS}
    folds = StratifiedKFold(
        min(5, int(min(y.sum(), len(y) - y.sum()))), shuffle=True, random_state=seed
    )
    for train, test in folds.split(x, y):
        a, b = fit_platt(base[train], y[train])
        init, margin = a * base[train] + b, a * base[test] + b
        data = lgb.Dataset(x[train], y[train], init_score=init, free_raw_data=True)
        booster = lgb.train({**CORRECTION_PARAMS, "seed": seed}, data, max(CORRECTION_ROUNDS))
        for rounds in CORRECTION_ROUNDS:
            extra = booster.predict(x[test], raw_score=True, num_iteration=rounds) if rounds else 0
            p = np.clip(sigmoid(margin + extra), 1e-6, 1 - 1e-6)
            losses[rounds] -= float(np.sum(y[test] * np.log(p) + (1 - y[test]) * np.log(1 - p)))
    return {r: v / len(y) for r, v in losses.items()}


def expected_f1_cut(probs: np.ndarray) -> float:
    """The probability cut that maximises the F1 the probabilities themselves expect."""
    p = np.sort(np.asarray(probs, dtype=np.float64))[::-1]
    tp = np.cumsum(p)
    f1 = 2 * tp / (tp + np.arange(1, len(p) + 1) + p.sum())  # 2TP / (2TP + FP + FN)
    return float(p[int(np.argmax(f1))])


@dataclass
class Proposal:
    """A threshold proposed from reviewed labels, with 95 % bootstrap intervals."""

    cut: float  # flag rows with adapted P(fake) >= cut
    score_threshold: float | None  # the same cut as a model score (no correction trees only)
    flagged: int
    prevalence: float  # fake share the adapted probabilities expect
    expected: dict[str, float]  # precision, recall, f1 the adapted probabilities expect
    intervals: dict[str, list[float]]  # cut, flagged, prevalence, precision, recall, f1


def _expected_at(probs: np.ndarray, cut: float) -> dict[str, float]:
    flag = probs >= cut
    tp, fp = probs[flag].sum(), (1 - probs[flag]).sum()
    fn = probs[~flag].sum()
    return {
        "precision": float(tp / max(tp + fp, 1e-12)),
        "recall": float(tp / max(tp + fn, 1e-12)),
        "f1": float(2 * tp / max(2 * tp + fp + fn, 1e-12)),
    }


def propose(
    adapted: Adapted,
    scores: np.ndarray,
    reviewed: np.ndarray,
    y: np.ndarray,
    x: np.ndarray | None = None,
    rounds: int = BOOTSTRAP,
    seed: int = 0,
) -> Proposal:
    """The expected-F1 threshold of the adapted probabilities and how sure it is (bootstrap)."""
    known = np.asarray(reviewed, dtype=np.int64)
    margin_fixed = adapted.margin(scores, x) - (adapted.a * adapted.base_margin(scores) + adapted.b)
    base = adapted.base_margin(scores)
    probs = adapted.probability(scores, x)
    point = _summary(probs, known, y)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(rounds if adapted.labels >= MIN_LABELS else 0):
        pick = rng.integers(0, len(known), len(known))
        if not _enough(np.asarray(y)[pick], 2, 1):
            continue
        a, b = fit_platt(base[known[pick]] + 0, np.asarray(y)[pick])
        draws.append(_summary(sigmoid(a * base + b + margin_fixed), known, y))
    intervals = {
        k: [
            float(np.percentile([d[k] for d in draws], 2.5)),
            float(np.percentile([d[k] for d in draws], 97.5)),
        ]
        if draws
        else [float("nan"), float("nan")]
        for k in point
    }
    score_threshold = None
    if adapted.correction is None:
        flagged_scores = np.asarray(scores)[probs >= point["cut"]]
        score_threshold = float(flagged_scores.min()) if len(flagged_scores) else None
    return Proposal(
        point["cut"],
        score_threshold,
        int(point["flagged"]),
        point["prevalence"],
        {k: point[k] for k in ("precision", "recall", "f1")},
        intervals,
    )


def _summary(probs: np.ndarray, known: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Cut, flagged count, prevalence and expected metrics, reviewed rows counted as labelled."""
    p = probs.copy()
    p[known] = y
    cut = expected_f1_cut(p)
    return {
        "cut": cut,
        "flagged": float((p >= cut).sum()),
        "prevalence": float(p.mean()),
        **_expected_at(p, cut),
    }
