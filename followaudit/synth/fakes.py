"""Bought followers: seller pools of several kinds of stock, and the jobs they run for buyers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from followaudit.synth.config import DAY, END_S, HOUR, WorldConfig

# Stock a pool holds -> the WorldConfig knob giving its share of fake accounts (plain: the rest).
STYLE_SHARE = {
    "camouflaged": "camouflaged_share",
    "premium": "premium_share",
    "slow": "slow_share",
    "single": "single_target_share",
}
STYLE_MEDIAN = {"premium": 300.0, "slow": 200.0, "single": 80.0}  # others: pool_size_median
PROFILE_KIND = {  # profiles.py kind of the accounts in each stock
    "plain": "fake",
    "camouflaged": "camouflaged",
    "premium": "premium",
    "slow": "fake",
    "single": "single",
}
CAREFUL = ("camouflaged", "premium")  # operators who pause minutes to hours between buyers
# Job kinds of plain and camouflaged pools, forced on the first plain pools so every world shows
# each of them, as a campaign and as a `fake_kind`.
SCRIPTED_KINDS = ("burst", "drip", "bundled", "viral_cover")


@dataclass
class Job:
    """One delivery run of a pool: its buyer creators, followed back to back (or spread)."""

    pool: int
    kind: str  # burst | drip | bundled | viral_cover | premium | slow | single_target
    start_s: int
    end_s: int  # deliveries happen in [start_s, end_s)
    creators: np.ndarray  # creator indices, in the order the script follows them
    participation: float
    careful: bool = False  # camouflaged and premium stock pause longer between creators


@dataclass
class Pools:
    """Fake accounts grouped by the seller pool that created and operates them."""

    sizes: np.ndarray
    style: np.ndarray  # (P,) plain | camouflaged | premium | slow | single
    created_center_s: np.ndarray
    created_spread_s: np.ndarray
    jobs: list[Job]

    @property
    def careful(self) -> np.ndarray:
        """(P,) bool: pools whose stock is rarely caught by platform sweeps."""
        return np.isin(self.style, CAREFUL)


def pool_sizes(rng: np.random.Generator, n_fake: int, median: float) -> np.ndarray:
    """Log-normal pool sizes summing exactly to n_fake."""
    sizes: list[int] = []
    while sum(sizes) < n_fake:
        sizes.append(max(20, int(rng.lognormal(np.log(median), 0.8))))
    sizes[-1] -= sum(sizes) - n_fake
    if sizes[-1] < 5 and len(sizes) > 1:
        last = sizes.pop()
        sizes[-1] += last
    return np.array(sizes, dtype=np.int64)


def _buyers(rng, popularity: np.ndarray, size: int) -> np.ndarray:
    """Buyers are spread over all tiers: flattened popularity so small creators buy too."""
    p = popularity**0.3
    return rng.choice(len(popularity), size=min(size, len(p)), replace=False, p=p / p.sum())


def _window(rng, cfg: WorldConfig, kind: str, day_s: int) -> tuple[int, int]:
    """Delivery start and end of a job starting on the day beginning at `day_s`."""
    if kind in ("burst", "bundled"):
        start = day_s + int(rng.uniform(6, 18) * HOUR)
        end = start + int(rng.uniform(2, 20) * HOUR)
    elif kind == "single_target":
        start = day_s + int(rng.uniform(6, 18) * HOUR)
        end = start + int(rng.uniform(1, 8) * HOUR)
    elif kind == "viral_cover":  # during the first two days of the buyer's viral moment
        start = day_s + int(rng.uniform(8, 30) * HOUR)
        end = start + int(rng.uniform(4, 24) * HOUR)
    elif kind == "premium":  # a big batch over one to three days, accounts at their own pace
        start = day_s + int(rng.uniform(0, 12) * HOUR)
        end = start + int(rng.uniform(1, 3) * DAY)
    elif kind == "slow":  # a few accounts a day for two to five months
        start = day_s + int(rng.uniform(0, 24) * HOUR)
        end = start + int(min(rng.uniform(60, 150), cfg.days - 15) * DAY)
    else:  # drip
        start = day_s + int(rng.uniform(0, 24) * HOUR)
        end = start + int(rng.uniform(14, 42) * DAY)
    return start, min(end, END_S - HOUR)


def make_job(rng, cfg, pool, kind, start_day, popularity, group, buyers=None) -> Job:
    """A job of `kind` for `group` buyers (or the given `buyers`) starting on `start_day`."""
    start, end = _window(rng, cfg, kind, cfg.start_s + start_day * DAY)
    creators = _buyers(rng, popularity, group) if buyers is None else np.asarray(buyers)
    return Job(pool, kind, start, end, creators, float(rng.uniform(0.8, 1.0)))


def _start_day(rng, cfg: WorldConfig, kind: str) -> int:
    latest = {"drip": cfg.days - 20, "slow": cfg.days - 60}.get(kind, cfg.days - 6)
    return int(rng.integers(4, max(5, min(latest, cfg.days - 6))))


def _scripted_kind(rng, cfg: WorldConfig) -> str:
    draw = rng.random()
    for kind, share in (
        ("drip", cfg.drip_share),
        ("bundled", cfg.bundled_share),
        ("viral_cover", cfg.viral_cover_share),
    ):
        if draw < share:
            return kind
        draw -= share
    return "burst"


def _pool_jobs(rng, cfg, pool, style, popularity, viral, forced=()) -> list[Job]:
    """The jobs one pool runs in the window."""
    if style == "single":
        return [
            make_job(rng, cfg, pool, "single_target", _start_day(rng, cfg, "burst"), popularity, 1)
        ]
    if style == "slow":
        group = 1 + rng.binomial(2, 0.4)
        return [make_job(rng, cfg, pool, "slow", _start_day(rng, cfg, "slow"), popularity, group)]
    n_jobs = max(1 + rng.poisson(1.0 if style == "premium" else 0.6), len(forced))
    jobs = []
    for i in range(n_jobs):
        kind = "premium" if style == "premium" else _scripted_kind(rng, cfg)
        kind = forced[i] if i < len(forced) else kind
        if kind == "viral_cover" and len(viral):
            creator, day = viral[rng.integers(len(viral))]
            jobs.append(make_job(rng, cfg, pool, kind, int(day), popularity, 1, [creator]))
            continue
        kind = "burst" if kind == "viral_cover" else kind
        group = 1 + rng.binomial(2 if style == "premium" else 3, 0.45)
        jobs.append(make_job(rng, cfg, pool, kind, _start_day(rng, cfg, kind), popularity, group))
    return jobs


def _styles(rng, cfg: WorldConfig, n_fake: int) -> tuple[np.ndarray, np.ndarray]:
    """Pool sizes and stock style: each style gets its share of the fake accounts."""
    counts = {s: round(n_fake * getattr(cfg, knob)) for s, knob in STYLE_SHARE.items()}
    counts = {"plain": n_fake - sum(counts.values()), **counts}
    sizes, styles = [], []
    for style, n in counts.items():
        if n <= 0:
            continue
        median = STYLE_MEDIAN.get(style, cfg.pool_size_median)
        # Small worlds get smaller pools so that they still hold several campaigns.
        got = pool_sizes(rng, n, min(median, max(20.0, n / (8 if style == "plain" else 3))))
        sizes.append(got)
        styles += [style] * len(got)
    return np.concatenate(sizes), np.array(styles)


def make_pools(rng, cfg: WorldConfig, n_fake: int, popularity, events) -> Pools:
    """Pools of fakes of every stock, each created in a batch, running one or more jobs."""
    sizes, style = _styles(rng, cfg, n_fake)
    viral = np.array([(e.creator, e.day) for e in events if e.kind == "viral"], dtype=np.int64)
    plain = np.flatnonzero(style == "plain")
    forced: dict[int, list[str]] = {}
    for k, kind in enumerate(SCRIPTED_KINDS if len(plain) else ()):
        forced.setdefault(int(plain[k % len(plain)]), []).append(kind)
    jobs: list[Job] = []
    first_start = np.zeros(len(sizes), dtype=np.int64)
    for pool in range(len(sizes)):
        own = _pool_jobs(rng, cfg, pool, style[pool], popularity, viral, forced.get(pool, ()))
        for job in own:
            job.careful = style[pool] in CAREFUL
        first_start[pool] = min(j.start_s for j in own)
        jobs += own
    center, spread = _creation(rng, style, first_start)
    return Pools(sizes, style, center, spread, jobs)


def _creation(rng, style: np.ndarray, first_start: np.ndarray):
    """Earliest creation time and creation spread of each pool's accounts."""
    n = len(style)
    # Plain farms register a batch within hours or days; aged stock took weeks (premium: months).
    lead = np.select(
        [style == "camouflaged", style == "premium", style == "single"],
        [rng.uniform(45, 500, n), rng.uniform(365, 1460, n), rng.uniform(0.04, 1.0, n)],
        rng.uniform(0.3, 25, n),
    )
    spread = np.select(
        [style == "camouflaged", style == "premium", style == "single"],
        [
            np.where(rng.random(n) < 0.4, rng.uniform(2, 7, n), rng.uniform(7, 40, n)) * DAY,
            rng.uniform(3, 60, n) * DAY,
            rng.uniform(1, 6, n) * HOUR,
        ],
        np.where(rng.random(n) < 0.5, rng.uniform(1, 12, n) * HOUR, rng.uniform(1, 5, n) * DAY),
    ).astype(np.int64)
    center = first_start - (lead * DAY).astype(np.int64) - spread
    return center, spread


def fake_created_at(rng, pools: Pools) -> tuple[np.ndarray, np.ndarray]:
    """Creation time and pool index of every fake account, pool by pool.

    A low-and-slow farm registers its accounts a few a day along the whole job instead."""
    pool_of = np.repeat(np.arange(len(pools.sizes)), pools.sizes)
    offset = rng.random(len(pool_of)) * pools.created_spread_s[pool_of]
    created = pools.created_center_s[pool_of] + offset.astype(np.int64)
    for job in pools.jobs:
        if job.kind == "slow":
            members = pool_of == job.pool
            span = job.end_s - job.start_s
            created[members] = (
                job.start_s - DAY + (rng.random(members.sum()) * span).astype(np.int64)
            )
    return created, pool_of


def bought_engagement(rng, cfg: WorldConfig, pools: Pools, bought: np.ndarray) -> None:
    """Bundled packages add bought views and likes to the buyer's delivery days (in place)."""
    for job in pools.jobs:
        if job.kind != "bundled":
            continue
        first = (job.start_s - cfg.start_s) // DAY
        last = min((job.end_s - cfg.start_s) // DAY, cfg.days - 1)
        for creator in job.creators:
            bought[first : last + 1, creator] *= rng.uniform(3, 8)
