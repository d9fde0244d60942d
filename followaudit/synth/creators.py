"""Creators: heavy-tailed popularity, daily views with weekly rhythm, events and engagement."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from followaudit.synth.config import DAY, WorldConfig

EVENT_KINDS = ("viral", "giveaway", "shoutout")


@dataclass
class CreatorWorld:
    """Per-creator-day follow weights (day-major) and the engagement behind them."""

    popularity: np.ndarray  # (C,) relative audience size
    follow_weight: np.ndarray  # (D, C) expected organic follows per day, relative
    view_weight: np.ndarray  # (D, C) expected views per day, relative to follows
    churn: np.ndarray  # (D, C) chance that a follow made that day is later undone
    events: list[tuple[int, int, str]]  # (creator index, day, kind)
    conversion: np.ndarray  # (C,) follows per view


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


def _events(rng: np.random.Generator, cfg: WorldConfig, c: int) -> list[tuple[int, int, str]]:
    rates = (cfg.viral_rate, cfg.giveaway_rate, cfg.shoutout_rate)
    scale = cfg.days / 180
    out = []
    for kind, rate in zip(EVENT_KINDS, rates, strict=True):
        counts = rng.poisson(rate * scale, c)
        for creator in np.flatnonzero(counts):
            for day in rng.integers(3, cfg.days - 3, counts[creator]):
                out.append((int(creator), int(day), kind))
        if not counts.any():  # every world shows each kind of event at least once
            out.append((int(rng.integers(c)), int(rng.integers(3, cfg.days - 3)), kind))
    return sorted(out, key=lambda e: (e[1], e[0], e[2]))


def _apply_events(rng, events, follow_w, view_w, churn) -> None:
    """Viral: views and follows jump together; giveaway: follows jump, churn later; shoutout: in between."""
    d = follow_w.shape[0]
    for creator, day, kind in events:
        decay = np.exp(-np.arange(5) / rng.uniform(0.6, 1.6))
        days = np.arange(day, min(day + 5, d))
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


def make_creators(rng: np.random.Generator, cfg: WorldConfig) -> CreatorWorld:
    """Draw popularity, daily follow/view weights and events for every creator."""
    c, d = cfg.n_creators, cfg.days
    popularity = rng.lognormal(0.0, cfg.popularity_sigma, c)
    base = popularity[None, :] * _trend(rng, c, d) * _weekly(cfg)[:, None]
    noise = rng.lognormal(0.0, 0.18, (d, c))
    follow_w = base * noise
    view_w = follow_w * rng.lognormal(0.0, 0.08, (d, c))
    churn = np.full((d, c), cfg.genuine_churn)
    events = _events(rng, cfg, c)
    _apply_events(rng, events, follow_w, view_w, churn)
    conversion = rng.lognormal(np.log(0.004), 0.5, c)
    return CreatorWorld(popularity, follow_w, view_w, churn, events, conversion)


def engagement_table(
    rng, cfg: WorldConfig, world: CreatorWorld, follows_per_weight: float, creator_ids: np.ndarray
) -> pa.Table:
    """One row per creator per day: views implied by the follows, likes, comments, shares, posts."""
    d, c = world.view_weight.shape
    views = world.view_weight * follows_per_weight / world.conversion[None, :]
    views = np.rint(views * rng.lognormal(0.0, 0.05, (d, c)) + rng.integers(0, 50, (d, c)))
    like_rate = rng.beta(4, 40, c)[None, :] * rng.lognormal(0.0, 0.1, (d, c))
    likes = rng.binomial(views.astype(np.int64), np.clip(like_rate, 0, 1))
    comments = rng.binomial(likes, 0.02)
    shares = rng.binomial(views.astype(np.int64), 0.003)
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
