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

# kind -> (p picture, p bio, p spammy bio, p link, p private, p verified)
FLAGS = {
    "creator": (1.0, 0.93, 0.0, 0.60, 0.01, 0.12),
    "genuine": (0.92, 0.58, 0.01, 0.15, 0.33, 0.002),
    "lurker": (0.0, 0.10, 0.01, 0.0, 0.40, 0.0),
    "fake": (0.30, 0.14, 0.6, 0.01, 0.30, 0.0),
    "camouflaged": (0.90, 0.55, 0.2, 0.04, 0.28, 0.0),
}
# kind -> (follower median, sigma), (following median, sigma), (p no videos, video median), likes-given median
COUNTS = {
    "creator": ((40_000, 1.6), (300, 1.2), (0.0, 250), 3_000),
    "genuine": ((320, 1.7), (260, 1.0), (0.18, 35), 900),
    "lurker": ((15, 1.3), (150, 1.0), (1.0, 1), 700),
    "fake": ((30, 1.0), (900, 0.8), (0.86, 2), 250),
    "camouflaged": ((80, 1.2), (420, 0.9), (0.35, 6), 380),
}
# Plain fakes come in three shapes: fresh accounts that follow only what they were paid to follow
# (few followers, short following lists), farm accounts that follow thousands, and accounts in
# follow-for-follow rings that follow each other and so show thousands of followers.
FRESH_FAKE_SHARE = 0.45
FRESH_FAKE_FOLLOWERS = (2, 1.0)
FRESH_FAKE_FOLLOWING = (50, 0.9)
RING_FAKE_SHARE = 0.10
RING_FAKE_FOLLOWERS = (1_500, 0.8)


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
    """follower/following/video/likes counts; never below what the follows table shows."""
    followers = _lognormal_by_kind(rng, kinds, lambda s: s[0])
    following = _lognormal_by_kind(rng, kinds, lambda s: s[1])
    _fake_shapes(rng, kinds, followers, following)
    following = np.minimum(following, 9_999)  # the platform caps following lists
    no_video = np.zeros(len(kinds))
    video_median = np.ones(len(kinds))
    likes_given_median = np.ones(len(kinds))
    for kind, spec in COUNTS.items():
        mask = kinds == kind
        no_video[mask], video_median[mask] = spec[2]
        likes_given_median[mask] = spec[3]
    videos = np.where(
        rng.random(len(kinds)) < no_video, 0, rng.lognormal(np.log(video_median), 1.5)
    )
    likes_received = (
        videos * rng.lognormal(np.log(35), 1.6, len(kinds)) * np.sqrt(1 + followers / 50)
    )
    silent = (kinds == "fake") & (rng.random(len(kinds)) < 0.5)
    likes_given = np.where(silent, 0, rng.lognormal(np.log(likes_given_median), 1.2))
    return {
        "follower_count": np.maximum(np.rint(followers), 0).astype(np.int64) + followers_in_table,
        "following_count": np.maximum(np.rint(following).astype(np.int64), follows_made),
        "video_count": np.rint(videos).astype(np.int64),
        "likes_received": np.rint(likes_received).astype(np.int64),
        "likes_given": np.rint(likes_given).astype(np.int64),
    }


def text_fields(rng, kinds: np.ndarray) -> dict:
    """Username, display name, bio and boolean profile flags."""
    users = names.usernames(rng, kinds)
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
    fake = np.isin(kinds, ["fake", "camouflaged"])
    out = np.empty(len(kinds), dtype=object)
    out[~fake] = rng.choice(REGIONS, (~fake).sum(), p=GENUINE_REGION_P / GENUINE_REGION_P.sum())
    out[fake] = rng.choice(REGIONS, fake.sum(), p=FAKE_REGION_P / FAKE_REGION_P.sum())
    return out


def last_active(rng, kinds, created_s, last_follow_s, removed_s) -> np.ndarray:
    """Most people are seen recently, some drift away; bots go quiet unless their farm keeps them warm."""
    n = len(kinds)
    genuine = ~np.isin(kinds, ["fake", "camouflaged"])
    recent = END_S - rng.exponential(6 * DAY, n).astype(np.int64)
    drifted = last_follow_s + rng.exponential(20 * DAY, n).astype(np.int64)
    seen = np.where(rng.random(n) < np.where(genuine, 0.72, 0.40), recent, drifted)
    out = np.maximum(seen, last_follow_s)
    out = np.where(removed_s >= 0, removed_s, out)
    return np.clip(out, created_s + 60, END_S - 1)
