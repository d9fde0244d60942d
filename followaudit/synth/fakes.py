"""Bought followers: seller pools created together, jobs that follow buyers in lockstep, purges."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from followaudit.synth.config import DAY, END_S, HOUR, WorldConfig


@dataclass
class Job:
    """One delivery run of a pool: several buyer creators followed back to back."""

    pool: int
    kind: str  # burst | drip
    start_s: int
    end_s: int  # deliveries happen in [start_s, end_s)
    creators: np.ndarray  # creator indices, in the order the script follows them
    participation: float
    careful: bool = False  # camouflaged stock randomises its pauses between creators


@dataclass
class Pools:
    """Fake accounts grouped by the seller pool that created and operates them."""

    sizes: np.ndarray
    camouflaged: np.ndarray  # (P,) bool
    created_center_s: np.ndarray
    created_spread_s: np.ndarray
    jobs: list[Job]


def pool_sizes(rng: np.random.Generator, n_fake: int, median: float) -> np.ndarray:
    """Log-normal pool sizes summing exactly to n_fake."""
    sizes: list[int] = []
    while sum(sizes) < n_fake:
        sizes.append(max(20, int(rng.lognormal(np.log(median), 0.8))))
    sizes[-1] -= sum(sizes) - n_fake
    if sizes[-1] < 5 and len(sizes) > 1:
        sizes[-2] += sizes.pop()
    return np.array(sizes, dtype=np.int64)


def _buyers(rng, popularity: np.ndarray, size: int) -> np.ndarray:
    """Buyers are spread over all tiers: flattened popularity so small creators buy too."""
    p = popularity**0.3
    return rng.choice(len(popularity), size=min(size, len(p)), replace=False, p=p / p.sum())


def make_job(
    rng, cfg: WorldConfig, pool: int, kind: str, start_day: int, popularity, group: int
) -> Job:
    """A burst delivers within hours; a drip spreads over 2-6 weeks."""
    day_s = cfg.start_s + start_day * DAY
    if kind == "burst":
        start = day_s + int(rng.uniform(6, 18) * HOUR)
        end = start + int(rng.uniform(2, 20) * HOUR)
    else:
        start = day_s + int(rng.uniform(0, 24) * HOUR)
        end = start + int(rng.uniform(14, 42) * DAY)
    end = min(end, END_S - HOUR)
    return Job(
        pool, kind, start, end, _buyers(rng, popularity, group), float(rng.uniform(0.8, 1.0))
    )


def make_pools(
    rng: np.random.Generator, cfg: WorldConfig, n_fake: int, popularity: np.ndarray
) -> Pools:
    """Pools of fakes, each created within hours or days, running one or more jobs."""
    # Small worlds get smaller pools so that they still hold several campaigns.
    sizes = pool_sizes(rng, n_fake, min(cfg.pool_size_median, max(20.0, n_fake / 6)))
    n = len(sizes)
    camouflaged = rng.random(n) < cfg.camouflaged_share
    # The first pools are plain-burst, plain-drip and camouflaged, so every world has each kind.
    forced_kind = {0: "burst", 1: "drip"}
    camouflaged[: min(n, 3)] = [False, False, True][: min(n, 3)]
    jobs, first_start = [], np.zeros(n, dtype=np.int64)
    for pool in range(n):
        n_jobs = 1 + rng.poisson(0.6)
        days = np.sort(rng.integers(4, max(5, cfg.days - 6), n_jobs))
        for i, day in enumerate(days):
            kind = "drip" if rng.random() < cfg.drip_share else "burst"
            kind = forced_kind.get(pool, kind) if i == 0 else kind
            group = 1 + rng.binomial(3, 0.45)
            start = min(int(day), cfg.days - 20) if kind == "drip" else int(day)
            jobs.append(make_job(rng, cfg, pool, kind, start, popularity, group))
        first_start[pool] = min(j.start_s for j in jobs if j.pool == pool)
    lead_days = np.where(camouflaged, rng.uniform(45, 500, n), rng.uniform(0.3, 25, n))
    # Plain farms register a batch within hours or days; aged (camouflaged) stock took weeks.
    plain_spread = np.where(
        rng.random(n) < 0.5, rng.uniform(1, 12, n) * HOUR, rng.uniform(1, 5, n) * DAY
    )
    aged_spread = np.where(rng.random(n) < 0.4, rng.uniform(2, 7, n), rng.uniform(7, 40, n)) * DAY
    spread = np.where(camouflaged, aged_spread, plain_spread)
    center = first_start - (lead_days * DAY).astype(np.int64) - spread.astype(np.int64)
    for job in jobs:
        job.careful = bool(camouflaged[job.pool])
    return Pools(sizes, camouflaged, center, spread.astype(np.int64), jobs)


def fake_created_at(rng, pools: Pools) -> tuple[np.ndarray, np.ndarray]:
    """Creation time and pool index of every fake account, pool by pool."""
    pool_of = np.repeat(np.arange(len(pools.sizes)), pools.sizes)
    offset = rng.random(len(pool_of)) * pools.created_spread_s[pool_of]
    return pools.created_center_s[pool_of] + offset.astype(np.int64), pool_of


def job_follows(rng, job: Job, members: np.ndarray, created_s: np.ndarray):
    """Follow rows (account index, creator index, time) of one job; creators back to back in minutes."""
    n = len(members)
    if job.kind == "burst":
        span = job.end_s - job.start_s
        session = job.start_s + np.minimum(rng.exponential(span / 3, n), span)
    else:
        session = job.start_s + rng.random(n) * (job.end_s - job.start_s)
    session = np.maximum(session, created_s + 600)
    # Seconds between two creators in the seller's script; careful operators pause longer.
    step = rng.uniform(120, 1500) if job.careful else rng.uniform(20, 240)
    pause = 300 if job.careful else 25
    rows_a, rows_c, rows_t = [], [], []
    for k, creator in enumerate(job.creators):
        take = rng.random(n) < job.participation
        jitter = rng.exponential(pause, take.sum())
        rows_a.append(members[take])
        rows_c.append(np.full(take.sum(), creator, dtype=np.int64))
        rows_t.append((session[take] + k * step + jitter).astype(np.int64))
    return np.concatenate(rows_a), np.concatenate(rows_c), np.concatenate(rows_t)


def noise_follows(rng, accounts, created_s, camouflaged, popularity, start_s: int, coverage=1.0):
    """Organic-looking follows of popular creators that fakes make to blend in."""
    mean = np.where(camouflaged, 12.0, 3.0) * rng.lognormal(-0.5, 1.0, len(accounts)) * coverage
    counts = rng.poisson(mean)
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
    rng, cfg: WorldConfig, first_follow_s: np.ndarray, camouflaged: np.ndarray
) -> np.ndarray:
    """When each fake is removed by a sweep (-1 = never); sweeps catch plain fakes more often."""
    sweeps = purge_times(rng, cfg)
    rate = np.where(camouflaged, cfg.purge_rate_camouflaged, cfg.purge_rate_plain)
    hit = (rng.random((len(rate), len(sweeps))) < rate[:, None]) & (
        sweeps[None, :] > first_follow_s[:, None] + DAY
    )
    first = np.argmax(hit, axis=1)
    removed = np.where(hit.any(axis=1), sweeps[first], -1)
    return np.where(removed >= 0, removed + rng.integers(0, 3 * HOUR, len(rate)), -1)
