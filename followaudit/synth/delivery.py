"""How pools deliver: scripted lockstep follows, blend-in follows, and platform sweeps."""

from __future__ import annotations

import numpy as np

from followaudit.synth.config import DAY, END_S, HOUR, WorldConfig
from followaudit.synth.fakes import Job

# Mean blend-in follows of popular creators per account, by stock style.
BLEND_IN = {"plain": 5.0, "camouflaged": 12.0, "premium": 15.0, "slow": 3.0, "single": 0.0}


def _sessions(rng, job: Job, n: int, created_s: np.ndarray) -> np.ndarray:
    """When each member starts following the job's buyers."""
    span = job.end_s - job.start_s
    if job.kind in ("drip", "premium"):
        session = job.start_s + rng.random(n) * span
    elif job.kind == "slow":  # each account works right after the farm registers it
        session = np.clip(created_s + rng.uniform(2, 48, n) * HOUR, job.start_s, job.end_s)
    else:
        session = job.start_s + np.minimum(rng.exponential(span / 3, n), span)
    return np.maximum(session, created_s + 600)


def job_follows(rng, job: Job, members: np.ndarray, created_s: np.ndarray):
    """Follow rows (account index, creator index, time) of one job; creators back to back in minutes
    (premium stock: each buyer at its own time within the delivery window, no shared script)."""
    n = len(members)
    session = _sessions(rng, job, n, created_s)
    # Seconds between two creators in the seller's script; careful operators pause longer.
    step = rng.uniform(120, 1500) if job.careful else rng.uniform(20, 240)
    pause = 300 if job.careful else 25
    rows_a, rows_c, rows_t = [], [], []
    for k, creator in enumerate(job.creators):
        take = rng.random(n) < job.participation
        if job.kind == "premium":
            at = np.maximum(
                job.start_s + rng.random(take.sum()) * (job.end_s - job.start_s),
                created_s[take] + 600,
            )
        else:
            at = session[take] + k * step + rng.exponential(pause, take.sum())
        rows_a.append(members[take])
        rows_c.append(np.full(take.sum(), creator, dtype=np.int64))
        rows_t.append(at.astype(np.int64))
    return np.concatenate(rows_a), np.concatenate(rows_c), np.concatenate(rows_t)


def noise_follows(rng, accounts, created_s, mean, popularity, start_s: int, coverage=1.0):
    """Organic-looking follows of popular creators that fakes make to blend in (`mean` per account)."""
    counts = rng.poisson(np.asarray(mean) * rng.lognormal(-0.5, 1.0, len(accounts)) * coverage)
    acc = np.repeat(accounts, counts)
    born = np.maximum(np.repeat(created_s, counts), start_s)
    p = popularity / popularity.sum()
    creators = rng.choice(len(p), len(acc), p=p)
    times = born + (rng.random(len(acc)) * np.maximum(END_S - born - HOUR, 1)).astype(np.int64)
    return acc, creators.astype(np.int64), times


def purge_times(rng, cfg: WorldConfig) -> np.ndarray:
    """Platform clean-up sweeps: a few days in the window, during working hours."""
    days = np.sort(rng.choice(np.arange(20, cfg.days - 1), cfg.purge_days, replace=False))
    return cfg.start_s + days * DAY + (rng.uniform(2, 10, cfg.purge_days) * HOUR).astype(np.int64)


def removal_times(
    rng, cfg: WorldConfig, first_follow_s: np.ndarray, careful: np.ndarray
) -> np.ndarray:
    """When each fake is removed by a sweep (-1 = never); sweeps catch crude fakes more often."""
    sweeps = purge_times(rng, cfg)
    rate = np.where(careful, cfg.purge_rate_camouflaged, cfg.purge_rate_plain)
    hit = (rng.random((len(rate), len(sweeps))) < rate[:, None]) & (
        sweeps[None, :] > first_follow_s[:, None] + DAY
    )
    first = np.argmax(hit, axis=1)
    removed = np.where(hit.any(axis=1), sweeps[first], -1)
    return np.where(removed >= 0, removed + rng.integers(0, 3 * HOUR, len(rate)), -1)
