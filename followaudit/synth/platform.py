"""Platform-wide phenomena: sign-up waves that follow the suggested creators, regional launches."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from followaudit.synth.config import DAY, END_S, WorldConfig
from followaudit.synth.creators import CreatorWorld, Event
from followaudit.synth.genuine import time_of_day

WAVE_EVENT_DAYS = 2  # a wave's sign-ups spill into the next day
LAUNCH_DAYS = 7  # a regional launch brings its sign-ups within about a week
SUGGESTION_TAKE = 0.5  # chance a new user follows the first suggestion ...
SUGGESTION_DECAY = 10.0  # ... falling by e every this many places down the list (~5 of 30)


@dataclass
class Platform:
    """When the platform's own sign-up waves and launches happen, and whom they follow."""

    suggested: np.ndarray  # creator indices the app suggests at sign-up (the most popular)
    wave_days: np.ndarray  # day index of each onboarding wave
    wave_weight: np.ndarray  # relative size of each wave
    launch_days: np.ndarray  # first day of each regional launch
    launch_regions: list[str]
    local_creators: list[np.ndarray]  # creator indices of each launch's region


def make_platform(rng, cfg: WorldConfig, cw: CreatorWorld) -> Platform:
    """Draw wave days, launch days and launch regions."""
    c = len(cw.popularity)
    suggested = np.argsort(-cw.popularity, kind="stable")[
        : max(3, min(cfg.suggested_creators, c // 8))
    ]
    n_waves = round(cfg.onboarding_waves * cfg.scale) if cfg.onboarding_wave_share > 0 else 0
    wave_days = np.sort(rng.choice(np.arange(5, cfg.days - 5), n_waves, replace=False))
    regions, counts = np.unique(cw.region, return_counts=True)
    # Launch regions have several local creators but are not the platform's home market.
    eligible = regions[(counts >= 5) & (counts < counts.max())]
    if not len(eligible):
        eligible = regions[np.argsort(-counts)[:1]]
    n_launch = cfg.regional_launches if cfg.regional_launch_share > 0 else 0
    chosen = rng.choice(eligible, min(n_launch, len(eligible)), replace=False)
    launch_days = np.sort(rng.integers(10, cfg.days - LAUNCH_DAYS - 5, len(chosen)))
    return Platform(
        suggested,
        wave_days,
        rng.lognormal(0.0, 0.5, n_waves),
        launch_days,
        [str(r) for r in chosen],
        [np.flatnonzero(cw.region == r) for r in chosen],
    )


def wave_signups(rng, cfg: WorldConfig, platform: Platform, n: int) -> np.ndarray:
    """Sign-up times of `n` users who join in the waves (most on the day, some the day after)."""
    if not len(platform.wave_days):
        return cfg.start_s + rng.integers(0, cfg.days * DAY - DAY, n)
    p = platform.wave_weight / platform.wave_weight.sum()
    day = platform.wave_days[rng.choice(len(p), n, p=p)] + (rng.random(n) < 0.25)
    return cfg.start_s + day * DAY + time_of_day(rng, n)


def launch_signups(rng, cfg: WorldConfig, platform: Platform, n: int):
    """Sign-up times and launch index of `n` users from the launched regions (front-loaded week)."""
    launch = rng.integers(0, len(platform.launch_days), n)
    offset = np.minimum(rng.exponential(2.0, n), LAUNCH_DAYS - 0.01).astype(np.int64)
    day = platform.launch_days[launch] + offset
    return np.minimum(cfg.start_s + day * DAY + time_of_day(rng, n), END_S - DAY), launch


def suggestion_follows(rng, followers, created_s, choices: np.ndarray, popularity):
    """Each new user goes down the app's suggestion list (most popular first) within minutes of
    signing up, tapping 'follow' on some entries a few seconds apart: the same creators, in the
    same order, for everyone who signs up that day."""
    if not len(followers) or not len(choices):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    ordered = choices[np.argsort(-popularity[choices], kind="stable")]
    position = np.arange(len(ordered))
    take_p = np.clip(SUGGESTION_TAKE * np.exp(-position / SUGGESTION_DECAY), 0.05, 1.0)
    take = rng.random((len(followers), len(ordered))) < take_p[None, :]
    take[~take.any(axis=1), 0] = True  # everyone follows at least the first suggestion
    who, slot = np.nonzero(take)  # row-major: each user's picks in list order
    gaps = rng.uniform(3, 40, len(who))
    first = np.r_[True, who[1:] != who[:-1]]
    run = np.cumsum(gaps) - np.maximum.accumulate(np.where(first, np.cumsum(gaps) - gaps, 0))
    when = np.minimum(created_s[who] + 60 + run.astype(np.int64), END_S - 1)
    return followers[who], ordered[slot].astype(np.int64), when


def lift_launch_views(rng, cw: CreatorWorld, platform: Platform) -> None:
    """Newcomers watch their local creators: views rise modestly over the launch weeks."""
    d = cw.view_weight.shape[0]
    for day, local in zip(platform.launch_days, platform.local_creators, strict=True):
        days = np.arange(day, min(day + 3 * LAUNCH_DAYS, d))
        lift = 1 + rng.uniform(0.2, 0.6) * np.exp(-(days - day) / LAUNCH_DAYS)
        cw.view_weight[np.ix_(days, local)] *= lift[:, None]


def platform_events(platform: Platform, wave_targets: np.ndarray) -> list[Event]:
    """One `onboarding` row per creator a wave followed, one `regional_launch` row per local creator."""
    events = []
    for day in platform.wave_days:
        events += [Event(int(c), int(day), "onboarding", WAVE_EVENT_DAYS) for c in wave_targets]
    for day, local in zip(platform.launch_days, platform.local_creators, strict=True):
        events += [Event(int(c), int(day), "regional_launch", LAUNCH_DAYS) for c in local]
    return events
