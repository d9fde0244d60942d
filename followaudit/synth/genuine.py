"""Organic follows: users follow creators in proportion to the views those creators get."""

from __future__ import annotations

import numpy as np

from followaudit.synth.config import DAY, END_S, HOUR, WorldConfig

# Share of the day's activity per UTC hour: low at night, peak in the evening.
DIURNAL = np.array(
    [3, 2, 1.5, 1, 1, 1.2, 2, 3, 3.5, 3.5, 3.5, 4, 4.5, 4.5, 4.5, 5, 5.5, 6, 7, 8, 8.5, 8, 6.5, 4.5]
)
DIURNAL_CDF = np.cumsum(DIURNAL) / DIURNAL.sum()


def time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight, following the diurnal activity curve."""
    hour = np.searchsorted(DIURNAL_CDF, rng.random(n))
    return hour * HOUR + rng.integers(0, HOUR, n)


def dedupe_pairs(follower, creator, when, *extra, preferred=None):
    """Keep each (follower, creator) pair once: a `preferred` row if any, else the earliest."""
    if not len(when):
        return (follower, creator, when, *extra)
    # One int64 key (pair, preference, time) sorts far faster than a multi-key lexsort.
    span = int(when.max() - when.min()) + 1
    pair = follower.astype(np.int64) * (int(creator.max()) + 1) + creator
    rank = (
        np.zeros(len(when), dtype=np.int64) if preferred is None else (~preferred).astype(np.int64)
    )
    order = np.argsort((pair * 2 + rank) * span + (when - when.min()))
    pair = pair[order]
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = pair[1:] != pair[:-1]
    return tuple(a[order][keep] for a in (follower, creator, when, *extra))


def organic_follows(
    rng,
    cfg: WorldConfig,
    weights: np.ndarray,
    followers: np.ndarray,
    created_s: np.ndarray,
    mean_follows: np.ndarray,
):
    """Follow rows for a chunk of genuine accounts: (follower index, creator index, time, day)."""
    d, c = weights.shape
    cum = np.cumsum(weights.ravel())
    total = cum[-1]
    day0 = np.clip((created_s - cfg.start_s) // DAY, 0, d - 1)
    active = (END_S - np.maximum(created_s, cfg.start_s)) / (cfg.days * DAY)
    counts = rng.poisson(mean_follows * np.clip(active, 0, 1))
    who = np.repeat(np.arange(len(followers)), counts)
    low = np.concatenate([[0.0], cum])[day0 * c][who]
    cell = np.searchsorted(cum, low + rng.random(len(who)) * (total - low), side="right").clip(
        0, d * c - 1
    )
    day, creator = cell // c, cell % c
    when = cfg.start_s + day * DAY + time_of_day(rng, len(who))
    born = created_s[who]
    late = when <= born
    when[late] = born[late] + rng.exponential(3 * HOUR, late.sum()).astype(np.int64) + 60
    when = np.minimum(when, END_S - 1)
    return followers[who], creator.astype(np.int64), when.astype(np.int64)


def unfollow_times(rng, when: np.ndarray, churn_p: np.ndarray) -> np.ndarray:
    """Some users undo follows weeks later; -1 = still following at the end of the window."""
    undo = rng.random(len(when)) < churn_p
    later = when + rng.exponential(30 * DAY, len(when)).astype(np.int64) + HOUR
    return np.where(undo & (later < END_S), later, -1)


def viral_signups(rng, cfg: WorldConfig, events, popularity, n: int):
    """Sign-up time and creator for users who joined because of a viral video (-1: none)."""
    viral = np.array([(e.creator, e.day) for e in events if e.kind == "viral"] or [(0, 0)])
    joined = rng.random(n) < (cfg.viral_signup_share if len(events) else 0.0)
    # A big creator's viral video pulls in far more newcomers than a small one's.
    weight = popularity[viral[:, 0]] ** 1.5
    pick = rng.choice(len(viral), n, p=weight / weight.sum())
    creator = np.where(joined, viral[pick, 0], -1)
    # Sign-ups cluster in the evening hours after the video takes off.
    peak = cfg.start_s + viral[pick, 1] * DAY + int(17 * HOUR)
    when = peak + rng.exponential(3 * HOUR, n).astype(np.int64)
    return np.where(joined, np.minimum(when, END_S - DAY), -1), creator


def signup_follows(rng, followers: np.ndarray, created_s: np.ndarray, creator: np.ndarray):
    """The viral creator is followed within minutes of signing up."""
    when = np.minimum(created_s + rng.integers(60, 1200, len(followers)), END_S - 1)
    return followers, creator.astype(np.int64), when


def replay_follows(rng, seconds, created_s, primary_of, rows_f, rows_c):
    """A second account re-follows part of its owner's favourites within minutes of creation.

    `rows_f, rows_c`: the owners' follows (owner position, creator index)."""
    if not len(seconds) or not len(rows_f):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = np.argsort(rows_f, kind="stable")
    rows_f, rows_c = rows_f[order], rows_c[order]
    owner = primary_of[seconds]
    lo, hi = np.searchsorted(rows_f, owner), np.searchsorted(rows_f, owner, side="right")
    counts = hi - lo
    who = np.repeat(np.arange(len(seconds)), counts)
    row = (
        np.repeat(lo, counts)
        + np.arange(counts.sum())
        - np.repeat(np.cumsum(counts) - counts, counts)
    )
    keep = rng.random(len(who)) < rng.uniform(0.3, 0.8, len(seconds))[who]
    who, creator = who[keep], rows_c[row[keep]]
    gaps = rng.uniform(20, 240, len(who))
    first = np.r_[True, who[1:] != who[:-1]] if len(who) else np.zeros(0, dtype=bool)
    run = np.cumsum(gaps) - np.maximum.accumulate(np.where(first, np.cumsum(gaps) - gaps, 0))
    when = np.minimum(created_s[seconds][who] + 120 + run.astype(np.int64), END_S - 1)
    return seconds[who], creator.astype(np.int64), when
