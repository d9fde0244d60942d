"""Creators: heavy-tailed popularity, daily views with weekly rhythm, events and engagement."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from followaudit.synth.config import DAY, WorldConfig

# Events drawn per creator (rate knob, length in days); platform-wide ones are added later.
CREATOR_EVENTS = {
    "viral": ("viral_rate", 5),
    "giveaway": ("giveaway_rate", 5),
    "shoutout": ("shoutout_rate", 5),
    "featured": ("featured_rate", 0),  # 3-7 days, drawn per event
    "acceleration": ("acceleration_rate", 30),
}
EVENT_KINDS = (*CREATOR_EVENTS, "onboarding", "regional_launch")


@dataclass
class Event:
    """A genuine growth event: ground truth for the `events` table."""

    creator: int
    day: int
    kind: str
    days: int  # how long it lifts follows (the event row's `days`)


@dataclass
class CreatorWorld:
    """Per-creator-day follow weights (day-major) and the engagement behind them."""

    popularity: np.ndarray  # (C,) relative audience size
    follow_weight: np.ndarray  # (D, C) expected organic follows per day, relative
    view_weight: np.ndarray  # (D, C) expected views per day, relative to follows
    churn: np.ndarray  # (D, C) chance that a follow made that day is later undone
    events: list[Event]
    conversion: np.ndarray  # (C,) follows per view
    region: np.ndarray  # (C,) home region of each creator
    # (D, C) bought engagement: views and likes sold with follower packages, as a multiplier
    bought: np.ndarray = field(default_factory=lambda: np.ones((0, 0)))


def _trend(rng: np.random.Generator, c: int, d: int) -> np.ndarray:
    """Slow growth or decline per creator plus a random walk in log space."""
    slope = rng.normal(0.0, 0.004, c)
    walk = np.cumsum(rng.normal(0.0, 0.03, (d, c)), axis=0)
    walk -= walk.mean(axis=0)
    return np.exp(np.arange(d)[:, None] * slope[None, :] + walk)


def _weekly(cfg: WorldConfig) -> np.ndarray:
    """Weekend lift on views (and so on follows), by day index in the window."""
    weekday = ((cfg.start_s // DAY) + np.arange(cfg.days) + 3) % 7  # 1970-01-01 was a Thursday
    return np.where(weekday >= 5, cfg.weekend_lift, 1.0)


def _events(rng: np.random.Generator, cfg: WorldConfig, c: int) -> list[Event]:
    out = []
    for kind, (knob, days) in CREATOR_EVENTS.items():
        counts = rng.poisson(getattr(cfg, knob) * cfg.scale, c)
        if not counts.any() and getattr(cfg, knob) > 0:  # every world shows each kind once
            counts[rng.integers(c)] = 1
        last = cfg.days - (35 if kind == "acceleration" else 3)
        for creator in np.flatnonzero(counts):
            for day in rng.integers(3, max(4, last), counts[creator]):
                length = int(rng.integers(3, 8)) if kind == "featured" else days
                out.append(Event(int(creator), int(day), kind, length))
    return sorted(out, key=lambda e: (e.day, e.creator, e.kind))


def _apply_event(rng, event: Event, follow_w, view_w, churn) -> None:
    """Viral: views and follows jump together; giveaway: follows jump, churn later; shoutout:
    in between; featured: a plateau of both for days; acceleration: a month-long ramp."""
    d = follow_w.shape[0]
    creator, kind = event.creator, event.kind
    if kind in ("featured", "acceleration"):
        days = np.arange(event.day, d)
        if kind == "featured":
            lift = np.zeros(len(days))
            lift[: event.days] = 1.0
            peak = rng.uniform(3, 6)
        else:  # log-linear ramp to the new level, which then stays
            lift = np.clip(np.arange(len(days)) / event.days, 0, 1)
            peak = rng.uniform(3, 6)
        view_w[days, creator] *= peak**lift
        follow_w[days, creator] *= (peak * rng.uniform(0.6, 0.9)) ** lift
        return
    decay = np.exp(-np.arange(5) / rng.uniform(0.6, 1.6))
    days = np.arange(event.day, min(event.day + 5, d))
    decay = decay[: len(days)]
    if kind == "viral":
        peak_v = rng.lognormal(np.log(10), 0.6)
        view_w[days, creator] *= 1 + (peak_v - 1) * decay
        follow_w[days, creator] *= 1 + (peak_v * rng.uniform(0.5, 0.9) - 1) * decay
    elif kind == "giveaway":
        follow_w[days, creator] *= 1 + (rng.lognormal(np.log(6), 0.4) - 1) * decay
        view_w[days, creator] *= 1 + 0.8 * decay
        churn[days, creator] = 0.35
    else:
        follow_w[days, creator] *= 1 + (rng.lognormal(np.log(4), 0.4) - 1) * decay
        view_w[days, creator] *= 1 + 1.5 * decay


def make_creators(rng: np.random.Generator, cfg: WorldConfig, regions: np.ndarray) -> CreatorWorld:
    """Draw popularity, daily follow/view weights and events for every creator."""
    c, d = cfg.n_creators, cfg.days
    popularity = rng.lognormal(0.0, cfg.popularity_sigma, c)
    base = popularity[None, :] * _trend(rng, c, d) * _weekly(cfg)[:, None]
    noise = rng.lognormal(0.0, 0.18, (d, c))
    follow_w = base * noise
    view_w = follow_w * rng.lognormal(0.0, 0.08, (d, c))
    churn = np.full((d, c), cfg.genuine_churn)
    events = _events(rng, cfg, c)
    for event in events:
        _apply_event(rng, event, follow_w, view_w, churn)
    conversion = rng.lognormal(np.log(0.004), 0.5, c)
    return CreatorWorld(
        popularity, follow_w, view_w, churn, events, conversion, regions, np.ones((d, c))
    )


def engagement_table(
    rng, cfg: WorldConfig, world: CreatorWorld, follows_per_weight: float, creator_ids: np.ndarray
) -> pa.Table:
    """One row per creator per day: views implied by the follows, likes, comments, shares, posts.

    Bought views and likes (`world.bought`) come without comments or shares: bots do not talk."""
    d, c = world.view_weight.shape
    views = world.view_weight * follows_per_weight / world.conversion[None, :]
    views = np.rint(views * rng.lognormal(0.0, 0.05, (d, c)) + rng.integers(0, 50, (d, c)))
    like_rate = rng.beta(4, 40, c)[None, :] * rng.lognormal(0.0, 0.1, (d, c))
    likes = rng.binomial(views.astype(np.int64), np.clip(like_rate, 0, 1))
    comments = rng.binomial(likes, 0.02)
    shares = rng.binomial(views.astype(np.int64), 0.003)
    extra = np.maximum(world.bought - 1.0, 0.0)
    bought_views = np.rint(views * extra)
    likes = likes + rng.binomial(bought_views.astype(np.int64), np.clip(like_rate * 1.5, 0, 1))
    views = views + bought_views
    post_rate = rng.lognormal(np.log(0.7), 0.6, c)[None, :] * np.ones((d, 1))
    videos = rng.poisson(post_rate)
    dates = (cfg.start_s // DAY + np.arange(d)).astype("datetime64[D]")
    return pa.table(
        {
            "creator_id": pa.array(np.tile(creator_ids, d), pa.int64()),
            "date": pa.array(np.repeat(dates, c)),
            "views": pa.array(views.ravel().astype(np.int64)),
            "likes": pa.array(likes.ravel().astype(np.int64)),
            "comments": pa.array(comments.ravel().astype(np.int64)),
            "shares": pa.array(shares.ravel().astype(np.int64)),
            "videos_posted": pa.array(videos.ravel().astype(np.int64)),
        }
    )
