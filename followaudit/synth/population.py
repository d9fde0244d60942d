"""Who is in the world: creators, genuine users of every kind and fakes, with creation times."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from followaudit.synth import fakes, genuine, platform, profiles
from followaudit.synth.config import DAY, END_S, PLATFORM_LAUNCH_S, WorldConfig
from followaudit.synth.creators import CreatorWorld

# Ground-truth kind of a genuine account -> its profile kind (profiles.py) and follow activity.
GENUINE_KINDS = {
    "creator": ("creator", 0.5),
    "regular": ("genuine", 1.0),
    "lurker": ("lurker", 0.35),
    "new_user": ("genuine", 1.0),
    "onboarding": ("newcomer", 0.6),
    "regional_launch": ("newcomer", 0.6),
    "viral_signup": ("newcomer", 0.6),
    "second_account": ("second", 0.0),  # their follows are made in a pass of their own
}
NEWCOMERS = ("onboarding", "regional_launch", "viral_signup")


@dataclass
class Population:
    """Every account in id order (position p has account_id p + 1)."""

    kinds: np.ndarray  # profile kind (profiles.py)
    truth: np.ndarray  # genuine kind (GENUINE_KINDS) or the fake stock style (fakes.py)
    created_s: np.ndarray
    pool_of: np.ndarray  # seller pool of a fake, -1 otherwise
    suggest: np.ndarray  # -1; 0 = follows the app's suggestions at sign-up; 1 + k = launch k's
    signup_creator: np.ndarray  # creator index whose viral video made the user join, -1 otherwise
    owner: np.ndarray  # a second account's owner (position), -1 otherwise
    quiet: np.ndarray  # sign-ups who never came back after following the suggestions
    region: np.ndarray
    creator_pos: np.ndarray  # creator index -> account position

    @property
    def is_fake(self) -> np.ndarray:
        """Bought accounts."""
        return self.pool_of >= 0


def _old_created(rng, cfg: WorldConfig, n: int, age_days: float) -> np.ndarray:
    old = (
        cfg.start_s - rng.exponential(age_days * DAY, n).astype(np.int64) - rng.integers(0, DAY, n)
    )
    return np.maximum(old, PLATFORM_LAUNCH_S + rng.integers(0, 30 * DAY, n))


def _user_kinds(rng, cfg: WorldConfig, n_users: int, n_launch: int, n_second: int, viral):
    """Ground-truth kind of every genuine user; `viral` marks users a viral video made join."""
    rest = n_users - n_launch - n_second
    new = rng.random(rest) < cfg.new_user_share
    draw = rng.random(rest)
    kind = np.where(rng.random(rest) < cfg.lurker_share, "lurker", "regular").astype("U16")
    wave = draw < cfg.onboarding_wave_share
    trickle = ~wave & (rng.random(rest) < cfg.onboarding_share)
    kind[new] = np.where(wave[new] | trickle[new], "onboarding", "new_user")
    kind[new & viral[:rest]] = "viral_signup"
    wave &= new & (kind == "onboarding")
    kinds = np.concatenate(
        [np.full(n_launch, "regional_launch"), np.full(n_second, "second_account"), kind]
    )
    return kinds, np.concatenate([np.zeros(n_launch + n_second, dtype=bool), wave])


def _users(rng, cfg: WorldConfig, n_users: int, cw: CreatorWorld, plat: platform.Platform):
    """Kinds, creation times, suggestion sets, viral creators and owners of the genuine users."""
    n_launch = min(
        round(len(plat.launch_days) * cfg.regional_launch_share * cfg.accounts), n_users // 4
    )
    n_second = round(cfg.second_account_share * n_users)
    viral_at, viral_creator = genuine.viral_signups(rng, cfg, cw.events, cw.popularity, n_users)
    truth, wave = _user_kinds(rng, cfg, n_users, n_launch, n_second, viral_at >= 0)
    created = _old_created(rng, cfg, n_users, 600)
    fresh = cfg.start_s + rng.integers(0, cfg.days * DAY - DAY, n_users)
    created = np.where(np.isin(truth, ("new_user", "onboarding")), fresh, created)
    created[wave] = platform.wave_signups(rng, cfg, plat, int(wave.sum()))
    viral = truth == "viral_signup"
    shift = np.zeros(n_users, dtype=np.int64)
    shift[n_launch + n_second :] = np.arange(n_users - n_launch - n_second)  # kinds start after
    created[viral] = viral_at[shift[viral]]
    signup = np.full(n_users, -1)
    signup[viral] = viral_creator[shift[viral]]
    suggest = np.where(truth == "onboarding", 0, -1)
    if n_launch:
        created[:n_launch], launch = platform.launch_signups(rng, cfg, plat, n_launch)
        suggest[:n_launch] = 1 + launch
    owner = np.full(n_users, -1)
    seconds = np.flatnonzero(truth == "second_account")
    candidates = np.flatnonzero(truth == "regular")
    if len(seconds) and len(candidates):
        owner[seconds] = rng.choice(candidates, len(seconds))
        born = np.maximum(created[owner[seconds]], cfg.start_s) + DAY
        created[seconds] = born + (
            rng.random(len(seconds)) * np.maximum(END_S - 2 * DAY - born, 1)
        ).astype(np.int64)
    return truth, created, suggest, signup, owner


def make_population(
    rng, cfg: WorldConfig, pools: fakes.Pools, cw: CreatorWorld, plat
) -> Population:
    """Creators, genuine users, lurkers and fakes, ordered by creation time like snowflake ids."""
    c = cfg.n_creators
    n_fake = int(pools.sizes.sum())
    n_users = cfg.accounts - c - n_fake
    truth, user_created, suggest, signup, owner = _users(rng, cfg, n_users, cw, plat)
    fake_created, pool_of = fakes.fake_created_at(rng, pools)
    creator_created = _old_created(rng, cfg, c, 900) - 30 * DAY
    style = pools.style[pool_of]
    kinds = np.concatenate(
        [
            np.full(c, "creator"),
            [GENUINE_KINDS[t][0] for t in truth],
            [fakes.PROFILE_KIND[s] for s in style],
        ]
    ).astype("U11")
    truth_all = np.concatenate([np.full(c, "creator"), truth, style]).astype("U16")
    created = np.concatenate([creator_created, user_created, fake_created]).astype(np.int64)
    region = _regions(rng, cw, plat, kinds, truth_all, suggest, owner, c)
    quiet = np.isin(truth_all, NEWCOMERS) & (rng.random(len(kinds)) < cfg.abandon_share)
    owner_all = np.concatenate(
        [np.full(c, -1), np.where(owner >= 0, owner + c, -1), np.full(n_fake, -1)]
    )
    order = np.argsort(created, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    owner_all = np.where(owner_all >= 0, rank[np.maximum(owner_all, 0)], -1)
    return Population(
        kinds[order],
        truth_all[order],
        created[order],
        np.concatenate([np.full(c + n_users, -1), pool_of])[order],
        np.concatenate([np.full(c, -1), suggest, np.full(n_fake, -1)])[order],
        np.concatenate([np.full(c, -1), signup, np.full(n_fake, -1)])[order],
        owner_all[order],
        quiet[order],
        region[order],
        rank[:c],
    )


def _regions(rng, cw, plat, kinds, truth, suggest, owner, c) -> np.ndarray:
    """Creators keep their region; launch sign-ups come from the launched region; second
    accounts from their owner's; everyone else as profiles.regions draws them."""
    region = profiles.regions(rng, kinds)
    region[:c] = cw.region
    users = suggest >= 1
    region[c : c + len(suggest)][users] = np.array(plat.launch_regions, dtype=object)[
        suggest[users] - 1
    ]
    seconds = np.flatnonzero(owner >= 0)
    region[c + seconds] = region[c + owner[seconds]]
    return region
