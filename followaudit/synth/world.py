"""Assemble a world: accounts, organic and bought follows, engagement, labels, ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from followaudit.synth import fakes, genuine, profiles
from followaudit.synth.config import DAY, END_S, PLATFORM_LAUNCH_S, WorldConfig
from followaudit.synth.creators import CreatorWorld, engagement_table, make_creators
from followaudit.synth.writer import FollowWriter, write_table

KIND_FACTOR = {"creator": 0.5, "genuine": 1.0, "lurker": 0.55}


@dataclass
class Population:
    """Every account in id order (position p has account_id p + 1)."""

    kinds: np.ndarray
    created_s: np.ndarray
    pool_of: np.ndarray  # seller pool of a fake, -1 otherwise
    onboarding: np.ndarray  # new users who follow suggested creators at sign-up
    signup_creator: np.ndarray  # creator index whose viral video made the user join, -1 otherwise
    creator_pos: np.ndarray  # creator index -> account position


def _genuine_created(
    rng, cfg: WorldConfig, n: int, new_share: float, age_days: float
) -> np.ndarray:
    new = rng.random(n) < new_share
    old = (
        cfg.start_s - rng.exponential(age_days * DAY, n).astype(np.int64) - rng.integers(0, DAY, n)
    )
    fresh = cfg.start_s + rng.integers(0, cfg.days * DAY - DAY, n)
    return np.where(new, fresh, np.maximum(old, PLATFORM_LAUNCH_S + rng.integers(0, 30 * DAY, n)))


def make_population(rng, cfg: WorldConfig, pools: fakes.Pools, cw: CreatorWorld) -> Population:
    """Creators, genuine users, lurkers and fakes, ordered by creation time like snowflake ids."""
    c = cfg.n_creators
    n_fake = int(pools.sizes.sum())
    n_users = cfg.accounts - c - n_fake
    fake_created, pool_of = fakes.fake_created_at(rng, pools)
    user_created = _genuine_created(rng, cfg, n_users, cfg.new_user_share, 600)
    viral_at, viral_creator = genuine.viral_signups(rng, cfg, cw.events, cw.popularity, n_users)
    user_created = np.where((viral_at >= 0) & (user_created >= cfg.start_s), viral_at, user_created)
    viral_creator[user_created != viral_at] = -1
    creator_created = _genuine_created(rng, cfg, c, 0.0, 900) - 30 * DAY
    user_kind = np.where(rng.random(n_users) < cfg.lurker_share, "lurker", "genuine")
    fake_kind = np.where(pools.camouflaged[pool_of], "camouflaged", "fake")
    kinds = np.concatenate([np.full(c, "creator"), user_kind, fake_kind]).astype("U11")
    created = np.concatenate([creator_created, user_created, fake_created]).astype(np.int64)
    pool = np.concatenate([np.full(c + n_users, -1), pool_of])
    onboarding = np.zeros(len(kinds), dtype=bool)
    onboarding[c : c + n_users] = (user_created >= cfg.start_s) & (
        rng.random(n_users) < cfg.onboarding_share
    )
    signup = np.concatenate([np.full(c, -1), viral_creator, np.full(n_fake, -1)])
    order = np.argsort(created, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return Population(
        kinds[order], created[order], pool[order], onboarding[order], signup[order], rank[:c]
    )


def _chunk_follows(rng, cfg, cw: CreatorWorld, pop: Population, lo: int, hi: int, mean_follows):
    """Organic and onboarding follows of accounts lo..hi-1 with undo times."""
    idx = np.arange(lo, hi)
    idx = idx[pop.pool_of[lo:hi] < 0]
    f, c, t = genuine.organic_follows(
        rng, cfg, cw.follow_weight, idx, pop.created_s[idx], mean_follows[idx]
    )
    on = idx[pop.onboarding[idx]]
    f2, c2, t2 = genuine.onboarding_follows(rng, on, pop.created_s[on], cw.popularity)
    viral = idx[pop.signup_creator[idx] >= 0]
    f3, c3, t3 = genuine.signup_follows(rng, viral, pop.created_s[viral], pop.signup_creator[viral])
    f, c, t = np.concatenate([f, f2, f3]), np.concatenate([c, c2, c3]), np.concatenate([t, t2, t3])
    not_self = pop.creator_pos[c] != f
    f, c, t = genuine.dedupe_pairs(f[not_self], c[not_self], t[not_self])
    day = np.clip((t - cfg.start_s) // DAY, 0, cfg.days - 1)
    return f, c, t, genuine.unfollow_times(rng, t, cw.churn[day, c])


def _fake_follows(rng, cfg, cw: CreatorWorld, pop: Population, pools: fakes.Pools):
    """Job and blend-in follows of every fake, then platform removals; plus campaign rows."""
    parts = []
    for j, job in enumerate(pools.jobs):
        members = np.flatnonzero(pop.pool_of == job.pool)
        a, c, t = fakes.job_follows(rng, job, members, pop.created_s[members])
        parts.append((a, c, t, np.full(len(a), j)))
    fake_pos = np.flatnonzero(pop.pool_of >= 0)
    camo = pop.kinds[fake_pos] == "camouflaged"
    a, c, t = fakes.noise_follows(
        rng, fake_pos, pop.created_s[fake_pos], camo, cw.popularity, cfg.start_s, cfg.coverage
    )
    parts.append((a, c, t, np.full(len(a), -1)))
    a, c, t, job = (np.concatenate(x) for x in zip(*parts, strict=True))
    t = np.minimum(t, END_S - 1)
    a, c, t, job = genuine.dedupe_pairs(a, c, t, job, preferred=job >= 0)
    first = np.full(len(pop.kinds), END_S, dtype=np.int64)
    np.minimum.at(first, a, t)
    removed = np.full(len(pop.kinds), -1, dtype=np.int64)
    removed[fake_pos] = fakes.removal_times(rng, cfg, first[fake_pos], camo)
    gone = removed[a]
    keep = (gone < 0) | (t < gone)
    a, c, t, job, gone = a[keep], c[keep], t[keep], job[keep], gone[keep]
    return a, c, t, np.where(gone >= 0, gone, -1), job, removed


def _campaigns(
    pools: fakes.Pools, c: np.ndarray, t: np.ndarray, job: np.ndarray, creator_ids: np.ndarray
) -> pa.Table:
    """One row per (job, buyer creator): what was delivered, from first to last follow."""
    rows = []
    for j, spec in enumerate(pools.jobs):
        for creator in spec.creators:
            sel = (job == j) & (c == creator)
            if sel.any():
                rows.append(
                    (
                        int(t[sel].min()),
                        int(creator_ids[creator]),
                        spec.kind,
                        int(t[sel].max()),
                        int(sel.sum()),
                    )
                )
    rows.sort()
    start, creator, kind, end, size = (
        (np.array(x) for x in zip(*rows, strict=True)) if rows else ([],) * 5
    )
    return pa.table(
        {
            "campaign_id": pa.array(np.arange(1, len(rows) + 1), pa.int64()),
            "creator_id": pa.array(creator, pa.int64()),
            "kind": pa.array(kind, pa.string()),
            "start": _ts(np.asarray(start, dtype=np.int64)),
            "end": _ts(np.asarray(end, dtype=np.int64)),
            "accounts": pa.array(size, pa.int64()),
        }
    )


def _ts(seconds: np.ndarray, null_below: int | None = None) -> pa.Array:
    """Epoch seconds -> TIMESTAMP (microseconds, naive UTC); values < null_below become NULL."""
    values = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("datetime64[us]")
    mask = None if null_below is None else np.asarray(seconds) < null_below
    return pa.array(values, type=pa.timestamp("us"), mask=mask)


def _stream_follows(
    rng, out: Path, cfg: WorldConfig, cw: CreatorWorld, pop: Population, pools, show_progress
):
    """Write follows chunk by chunk; return per-account tallies and the fakes' follow rows."""
    n = len(pop.kinds)
    creator_ids = pop.creator_pos + 1
    activity = rng.lognormal(-0.72, 1.2, n)  # mean 1, many light users
    factor = np.vectorize(lambda k: KIND_FACTOR.get(k, 0.0), otypes=[float])(pop.kinds)
    mean_follows = cfg.follows_per_user * cfg.coverage * activity * factor
    tally = {
        "made": np.zeros(n, dtype=np.int64),
        "last": np.full(n, -1, dtype=np.int64),
        "active": np.zeros(cfg.n_creators, dtype=np.int64),
        "organic": 0,
    }
    with FollowWriter(out / "follows.parquet") as writer:
        chunks = range(0, n, cfg.chunk_accounts)
        for i, lo in enumerate(
            tqdm(chunks, desc="follows", unit="chunk", disable=not show_progress)
        ):
            crng = np.random.default_rng([cfg.seed, 1, i])
            f, c, t, u = _chunk_follows(
                crng, cfg, cw, pop, lo, min(n, lo + cfg.chunk_accounts), mean_follows
            )
            tally["organic"] += len(f)
            _tally(tally, f, c, t, u)
            writer.write(f + 1, creator_ids[c], t, u)
        fake_rows = _fake_follows(np.random.default_rng([cfg.seed, 2]), cfg, cw, pop, pools)
        a, c, t, u = fake_rows[:4]
        _tally(tally, a, c, t, u)
        writer.write(a + 1, creator_ids[c], t, u)
    return tally, fake_rows


def generate_world(
    out_dir: str | Path, cfg: WorldConfig | None = None, show_progress: bool = True
) -> dict:
    """Write a whole world into `out_dir` (Parquet, one file per table); return its counts."""
    cfg = cfg or WorldConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([cfg.seed, 0])
    cw = make_creators(rng, cfg)
    n_fake = round((cfg.accounts - cfg.n_creators) * cfg.fake_share)
    pools = fakes.make_pools(rng, cfg, n_fake, cw.popularity)
    pop = make_population(rng, cfg, pools, cw)
    creator_ids = pop.creator_pos + 1
    tally, (_, c, t, _, job, removed) = _stream_follows(
        rng, out, cfg, cw, pop, pools, show_progress
    )
    per_weight = tally["organic"] / cw.follow_weight.sum()
    write_table(
        out / "engagement_daily.parquet", engagement_table(rng, cfg, cw, per_weight, creator_ids)
    )
    campaigns = _campaigns(pools, c, t, job, creator_ids)
    write_table(out / "campaigns.parquet", campaigns)
    write_table(out / "events.parquet", _events(cfg, cw, creator_ids))
    followers_in_table = np.zeros(len(pop.kinds), dtype=np.int64)
    followers_in_table[pop.creator_pos] = tally["active"]
    arng = np.random.default_rng([cfg.seed, 3])
    accounts = _accounts(arng, pop, tally["made"], tally["last"], removed, followers_in_table)
    write_table(out / "accounts.parquet", accounts)
    write_table(out / "labels.parquet", _labels(pop, pools))
    return {
        "accounts": len(pop.kinds),
        "creators": cfg.n_creators,
        "fakes": int((pop.pool_of >= 0).sum()),
        "follows": int(tally["made"].sum()),
        "campaigns": campaigns.num_rows,
        "events": len(cw.events),
    }


def _tally(tally: dict, f, c, t, u) -> None:
    """Follows made and last follow per account; still-active followers per creator."""
    tally["made"] += np.bincount(f, minlength=len(tally["made"]))
    np.maximum.at(tally["last"], f, t)
    tally["active"] += np.bincount(c[u < 0], minlength=len(tally["active"]))


def _events(cfg: WorldConfig, cw: CreatorWorld, creator_ids: np.ndarray) -> pa.Table:
    creators = np.array([e[0] for e in cw.events], dtype=np.int64)
    days = np.array([e[1] for e in cw.events], dtype=np.int64)
    return pa.table(
        {
            "creator_id": pa.array(creator_ids[creators] if len(creators) else [], pa.int64()),
            "date": pa.array((cfg.start_s // DAY + days).astype("datetime64[D]"), pa.date32()),
            "kind": pa.array([e[2] for e in cw.events], pa.string()),
        }
    )


def _accounts(rng, pop: Population, made, last, removed, followers_in_table) -> pa.Table:
    text = profiles.text_fields(rng, pop.kinds)
    counts = profiles.counts(rng, pop.kinds, made, followers_in_table)
    seen = profiles.last_active(rng, pop.kinds, pop.created_s, last, removed)
    columns = {
        "account_id": pa.array(np.arange(1, len(pop.kinds) + 1), pa.int64()),
        "username": pa.array(text["username"], pa.string()),
        "display_name": pa.array(text["display_name"], pa.string()),
        "created_at": _ts(pop.created_s),
        "has_profile_pic": pa.array(text["has_profile_pic"]),
        "bio": pa.array(text["bio"], pa.string()),
        "has_external_link": pa.array(text["has_external_link"]),
        "is_private": pa.array(text["is_private"]),
        "is_verified": pa.array(text["is_verified"]),
    }
    columns |= {k: pa.array(v, pa.int64()) for k, v in counts.items()}
    columns["region"] = pa.array(profiles.regions(rng, pop.kinds), pa.string())
    columns["last_active_at"] = _ts(seen)
    return pa.table(columns)


def _labels(pop: Population, pools: fakes.Pools) -> pa.Table:
    """Ground truth for every account: camouflaged, else the delivery kind of the pool's first job."""
    first_kind = {}
    for job in pools.jobs:
        first_kind.setdefault(job.pool, job.kind)
    fake = pop.pool_of >= 0
    kind = np.full(len(pop.kinds), None, dtype=object)
    kind[fake] = [first_kind[p] for p in pop.pool_of[fake]]
    kind[pop.kinds == "camouflaged"] = "camouflaged"
    return pa.table(
        {
            "account_id": pa.array(np.arange(1, len(pop.kinds) + 1), pa.int64()),
            "label": pa.array(np.where(fake, "fake", "genuine"), pa.string()),
            "source": pa.array(np.full(len(fake), "synthetic_truth"), pa.string()),
            "fake_kind": pa.array(kind, pa.string()),
        }
    )
