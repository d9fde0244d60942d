"""Profile fields with overlapping, heavy-tailed distributions for each kind of account."""

from __future__ import annotations

import numpy as np

from followaudit.synth import names
from followaudit.synth.config import DAY, END_S

REGIONS = np.array(
    ["US", "IT", "DE", "FR", "ES", "GB", "BR", "MX", "TR", "IN", "ID", "PH", "VN", "NG", "BD"]
)
GENUINE_REGION_P = np.array([18, 12, 8, 7, 7, 7, 9, 6, 5, 6, 5, 4, 3, 2, 1], dtype=float)
FAKE_REGION_P = np.array([8, 3, 2, 2, 2, 3, 10, 4, 8, 14, 12, 10, 9, 6, 7], dtype=float)
FAKE_KINDS = ("fake", "camouflaged", "premium", "single")

# kind -> (p picture, p bio, p spammy bio, p link, p private, p verified)
FLAGS = {
    "creator": (1.0, 0.93, 0.0, 0.60, 0.01, 0.12),
    "genuine": (0.92, 0.58, 0.01, 0.15, 0.33, 0.002),
    "lurker": (0.0, 0.10, 0.01, 0.0, 0.40, 0.0),
    "newcomer": (0.25, 0.08, 0.01, 0.0, 0.20, 0.0),  # signed up days ago: nothing filled in yet
    "second": (0.40, 0.15, 0.0, 0.02, 0.50, 0.0),
    "fake": (0.30, 0.14, 0.6, 0.01, 0.30, 0.0),
    "camouflaged": (0.90, 0.55, 0.2, 0.04, 0.28, 0.0),
    "premium": (0.95, 0.70, 0.05, 0.08, 0.20, 0.0),
    "single": (0.10, 0.05, 0.5, 0.0, 0.10, 0.0),
}
# kind -> (follower median, sigma), (follows outside the observed creators: median, sigma),
#         (p no videos, video median), likes-given median
COUNTS = {
    "creator": ((40_000, 1.6), (300, 1.2), (0.0, 250), 3_000),
    "genuine": ((320, 1.7), (220, 1.1), (0.18, 35), 900),
    "lurker": ((15, 1.3), (120, 1.0), (1.0, 1), 700),
    "newcomer": ((3, 1.2), (15, 1.2), (0.95, 1), 150),
    "second": ((8, 1.2), (30, 1.0), (0.85, 2), 60),
    "fake": ((30, 1.0), (900, 0.8), (0.86, 2), 250),
    "camouflaged": ((80, 1.2), (420, 0.9), (0.35, 6), 380),
    "premium": ((250, 1.0), (350, 0.8), (0.25, 5), 600),
    "single": ((1, 1.0), (5, 1.0), (0.97, 1), 5),
}
SILENT = {"fake": 0.5, "single": 0.8}  # share of bots that never like anything
# kind -> (share seen in the last days, mean days of activity after the last follow otherwise)
ACTIVITY = {
    "fake": (0.40, 20),
    "camouflaged": (0.40, 20),
    "premium": (0.50, 20),
    "single": (0.0, 0.5),
    "newcomer": (0.65, 10),
    "second": (0.45, 15),
}
GENUINE_ACTIVITY = (0.72, 20)
# Plain fakes come in three shapes: fresh accounts that follow only what they were paid to follow
# (few followers, short following lists), farm accounts that follow thousands, and accounts in
# follow-for-follow rings that follow each other and so show thousands of followers.
FRESH_FAKE_SHARE = 0.45
FRESH_FAKE_FOLLOWERS = (2, 1.0)
FRESH_FAKE_FOLLOWING = (50, 0.9)
RING_FAKE_SHARE = 0.10
RING_FAKE_FOLLOWERS = (1_500, 0.8)


NEWCOMER_SETTLING_DAYS = 30.0  # sign-ups who stay fill in their profile over about a month


def settled(rng, kinds: np.ndarray, created_s: np.ndarray, quiet: np.ndarray) -> np.ndarray:
    """Profile kinds at observation time: a newcomer who kept using the app has, with a chance
    growing with its age, added a picture, a bio and videos like other users; sign-ups who never
    came back (`quiet`) stay empty."""
    age_days = (END_S - created_s) / DAY
    chance = 1 - np.exp(-age_days / NEWCOMER_SETTLING_DAYS)
    grown = (kinds == "newcomer") & ~quiet & (rng.random(len(kinds)) < chance)
    return np.where(grown, "genuine", kinds)


def _bern(rng, kinds: np.ndarray, col: int) -> np.ndarray:
    p = np.zeros(len(kinds))
    for kind, flags in FLAGS.items():
        p[kinds == kind] = flags[col]
    return rng.random(len(kinds)) < p


def _lognormal_by_kind(rng, kinds, pick) -> np.ndarray:
    out = np.zeros(len(kinds))
    for kind, spec in COUNTS.items():
        mask = kinds == kind
        median, sigma = pick(spec)
        out[mask] = rng.lognormal(np.log(median), sigma, mask.sum())
    return out


def _fake_shapes(rng, kinds: np.ndarray, followers: np.ndarray, following: np.ndarray) -> None:
    """Overwrite plain fakes' counts with the fresh and follow-ring shapes (in place)."""
    draw = rng.random(len(kinds))
    fresh = (kinds == "fake") & (draw < FRESH_FAKE_SHARE)
    ring = (kinds == "fake") & (draw >= 1 - RING_FAKE_SHARE)
    followers[fresh] = (
        rng.lognormal(np.log(FRESH_FAKE_FOLLOWERS[0]), FRESH_FAKE_FOLLOWERS[1], fresh.sum()) - 1
    )
    following[fresh] = rng.lognormal(
        np.log(FRESH_FAKE_FOLLOWING[0]), FRESH_FAKE_FOLLOWING[1], fresh.sum()
    )
    followers[ring] = rng.lognormal(
        np.log(RING_FAKE_FOLLOWERS[0]), RING_FAKE_FOLLOWERS[1], ring.sum()
    )


def counts(
    rng, kinds: np.ndarray, follows_made: np.ndarray, followers_in_table: np.ndarray
) -> dict:
    """follower/following/video/likes counts; the following count is the observed follows plus
    the many accounts people follow outside the observed creators."""
    followers = _lognormal_by_kind(rng, kinds, lambda s: s[0])
    outside = _lognormal_by_kind(rng, kinds, lambda s: s[1])
    _fake_shapes(rng, kinds, followers, outside)
    following = np.minimum(np.rint(outside).astype(np.int64) + follows_made, 9_999)
    no_video = np.zeros(len(kinds))
    video_median = np.ones(len(kinds))
    likes_given_median = np.ones(len(kinds))
    silent_p = np.zeros(len(kinds))
    for kind, spec in COUNTS.items():
        mask = kinds == kind
        no_video[mask], video_median[mask] = spec[2]
        likes_given_median[mask] = spec[3]
        silent_p[mask] = SILENT.get(kind, 0.0)
    videos = np.where(
        rng.random(len(kinds)) < no_video, 0, rng.lognormal(np.log(video_median), 1.5)
    )
    likes_received = (
        videos * rng.lognormal(np.log(35), 1.6, len(kinds)) * np.sqrt(1 + followers / 50)
    )
    silent = rng.random(len(kinds)) < silent_p
    likes_given = np.where(silent, 0, rng.lognormal(np.log(likes_given_median), 1.2))
    return {
        "follower_count": np.maximum(np.rint(followers), 0).astype(np.int64) + followers_in_table,
        "following_count": np.maximum(following, follows_made),  # the platform cap, unless exceeded
        "video_count": np.rint(videos).astype(np.int64),
        "likes_received": np.rint(likes_received).astype(np.int64),
        "likes_given": np.rint(likes_given).astype(np.int64),
    }


def text_fields(rng, kinds: np.ndarray, owner: np.ndarray | None = None) -> dict:
    """Username, display name, bio and boolean profile flags; second accounts (`owner` >= 0)
    often take their owner's handle with a suffix."""
    users = names.usernames(rng, kinds)
    if owner is not None:
        users = names.second_handles(rng, users, owner)
    has_bio = _bern(rng, kinds, 1)
    spammy = _bern(rng, kinds, 2)
    return {
        "username": users,
        "display_name": names.display_names(rng, kinds, users),
        "has_profile_pic": _bern(rng, kinds, 0),
        "bio": names.bios(rng, has_bio, spammy, users),
        "has_external_link": _bern(rng, kinds, 3),
        "is_private": _bern(rng, kinds, 4),
        "is_verified": _bern(rng, kinds, 5),
    }


def regions(rng, kinds: np.ndarray) -> np.ndarray:
    """Home region; fake farms cluster in a few regions but every region has both."""
    fake = np.isin(kinds, FAKE_KINDS)
    out = np.empty(len(kinds), dtype=object)
    out[~fake] = rng.choice(REGIONS, (~fake).sum(), p=GENUINE_REGION_P / GENUINE_REGION_P.sum())
    out[fake] = rng.choice(REGIONS, fake.sum(), p=FAKE_REGION_P / FAKE_REGION_P.sum())
    return out


def last_active(rng, kinds, created_s, last_follow_s, removed_s, quiet=None) -> np.ndarray:
    """Most people are seen recently, some drift away; bots go quiet unless their farm keeps them
    warm; `quiet` accounts (sign-ups that never came back) were last seen right after signing up."""
    n = len(kinds)
    recent_p, drift_days = np.full(n, GENUINE_ACTIVITY[0]), np.full(n, float(GENUINE_ACTIVITY[1]))
    for kind, (p, days) in ACTIVITY.items():
        recent_p[kinds == kind], drift_days[kinds == kind] = p, days
    if quiet is not None:
        recent_p[quiet], drift_days[quiet] = 0.0, 0.3
    recent = END_S - rng.exponential(6 * DAY, n).astype(np.int64)
    drifted = last_follow_s + (rng.exponential(1.0, n) * drift_days * DAY).astype(np.int64)
    seen = np.where(rng.random(n) < recent_p, recent, drifted)
    out = np.maximum(seen, last_follow_s)
    out = np.where(removed_s >= 0, removed_s, out)
    return np.clip(out, created_s + 60, END_S - 1)
