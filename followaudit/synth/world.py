"""Assemble a world: accounts, organic and bought follows, engagement, labels, ground truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from followaudit.synth import delivery, fakes, genuine, platform, profiles
from followaudit.synth.config import DAY, END_S, WorldConfig
from followaudit.synth.creators import CreatorWorld, Event, engagement_table, make_creators
from followaudit.synth.population import GENUINE_KINDS, Population, make_population
from followaudit.synth.writer import FollowWriter, write_table

WAVE_MIN_FOLLOWS = 10  # a creator counts as hit by a wave or launch from this many follows


def _activity(cfg: WorldConfig, pop: Population) -> np.ndarray:
    """Mean organic follows of each account in the window (fakes and second accounts: none here)."""
    rng = np.random.default_rng([cfg.seed, 4])
    sigma = cfg.activity_sigma
    activity = rng.lognormal(-(sigma**2) / 2, sigma, len(pop.kinds))  # mean 1, many light users
    factor = np.array([GENUINE_KINDS.get(t, ("", 0.0))[1] for t in pop.truth])
    return cfg.follows_per_user * cfg.coverage * activity * factor * ~pop.quiet


def _chunk_follows(
    rng, cfg, cw: CreatorWorld, pop: Population, plat, lo: int, hi: int, mean_follows
):
    """Organic, suggested and viral sign-up follows of accounts lo..hi-1 with undo times; plus
    the suggested follows alone (for the platform's ground-truth events)."""
    idx = np.arange(lo, hi)
    idx = idx[~pop.is_fake[lo:hi]]
    f, c, t = genuine.organic_follows(
        rng, cfg, cw.follow_weight, idx, pop.created_s[idx], mean_follows[idx]
    )
    parts = [(f, c, t)]
    for k, choices in enumerate([plat.suggested, *plat.local_creators]):
        on = idx[pop.suggest[idx] == k]
        parts.append(
            platform.suggestion_follows(rng, on, pop.created_s[on], choices, cw.popularity)
        )
    suggested = tuple(np.concatenate(x) for x in zip(*parts[1:], strict=True))
    viral = idx[pop.signup_creator[idx] >= 0]
    parts.append(
        genuine.signup_follows(rng, viral, pop.created_s[viral], pop.signup_creator[viral])
    )
    f, c, t = (np.concatenate(x) for x in zip(*parts, strict=True))
    not_self = pop.creator_pos[c] != f
    f, c, t = genuine.dedupe_pairs(f[not_self], c[not_self], t[not_self])
    return f, c, t, _undo(rng, cfg, cw, c, t), suggested


def _undo(rng, cfg, cw: CreatorWorld, c: np.ndarray, t: np.ndarray) -> np.ndarray:
    day = np.clip((t - cfg.start_s) // DAY, 0, cfg.days - 1)
    return genuine.unfollow_times(rng, t, cw.churn[day, c])


def _second_follows(rng, cfg, cw: CreatorWorld, pop: Population, owner_rows, mean_follows):
    """Second accounts: part of the owner's favourites re-followed at creation, then a little more."""
    seconds = np.flatnonzero(pop.owner >= 0)
    f1, c1, t1 = genuine.replay_follows(rng, seconds, pop.created_s, pop.owner, *owner_rows)
    mean = np.full(len(seconds), 0.3) * cfg.follows_per_user * cfg.coverage
    mean *= rng.lognormal(-0.5, 1.0, len(seconds))
    f2, c2, t2 = genuine.organic_follows(
        rng, cfg, cw.follow_weight, seconds, pop.created_s[seconds], mean
    )
    f, c, t = np.concatenate([f1, f2]), np.concatenate([c1, c2]), np.concatenate([t1, t2])
    not_self = pop.creator_pos[c] != f
    f, c, t = genuine.dedupe_pairs(f[not_self], c[not_self], t[not_self])
    return f, c, t, _undo(rng, cfg, cw, c, t)


def _fake_follows(rng, cfg, cw: CreatorWorld, pop: Population, pools: fakes.Pools):
    """Job and blend-in follows of every fake, then platform removals; plus campaign rows."""
    parts = []
    for j, job in enumerate(pools.jobs):
        members = np.flatnonzero(pop.pool_of == job.pool)
        a, c, t = delivery.job_follows(rng, job, members, pop.created_s[members])
        parts.append((a, c, t, np.full(len(a), j)))
    fake_pos = np.flatnonzero(pop.is_fake)
    style = pools.style[pop.pool_of[fake_pos]]
    blend = np.array([delivery.BLEND_IN[s] for s in style])
    a, c, t = delivery.noise_follows(
        rng, fake_pos, pop.created_s[fake_pos], blend, cw.popularity, cfg.start_s, cfg.coverage
    )
    parts.append((a, c, t, np.full(len(a), -1)))
    a, c, t, job = (np.concatenate(x) for x in zip(*parts, strict=True))
    t = np.minimum(t, END_S - 1)
    a, c, t, job = genuine.dedupe_pairs(a, c, t, job, preferred=job >= 0)
    first = np.full(len(pop.kinds), END_S, dtype=np.int64)
    np.minimum.at(first, a, t)
    removed = np.full(len(pop.kinds), -1, dtype=np.int64)
    careful = pools.careful[pop.pool_of[fake_pos]]
    removed[fake_pos] = delivery.removal_times(rng, cfg, first[fake_pos], careful)
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
    rng, out: Path, cfg: WorldConfig, cw, pop: Population, plat, pools, show_progress
):
    """Write follows chunk by chunk; return per-account tallies and the fakes' follow rows."""
    n = len(pop.kinds)
    creator_ids = pop.creator_pos + 1
    mean_follows = _activity(cfg, pop)
    tally = {
        "made": np.zeros(n, dtype=np.int64),
        "last": np.full(n, -1, dtype=np.int64),
        "active": np.zeros(cfg.n_creators, dtype=np.int64),
        "organic": 0,
        "suggested": np.zeros((cfg.days, cfg.n_creators, 2), dtype=np.int64),
    }
    is_owner = np.zeros(n, dtype=bool)
    is_owner[pop.owner[pop.owner >= 0]] = True
    owner_rows: list[tuple[np.ndarray, np.ndarray]] = []
    with FollowWriter(out / "follows.parquet") as writer:
        chunks = range(0, n, cfg.chunk_accounts)
        for i, lo in enumerate(
            tqdm(chunks, desc="follows", unit="chunk", disable=not show_progress)
        ):
            crng = np.random.default_rng([cfg.seed, 1, i])
            f, c, t, u, suggested = _chunk_follows(
                crng, cfg, cw, pop, plat, lo, min(n, lo + cfg.chunk_accounts), mean_follows
            )
            tally["organic"] += len(f)
            _tally(tally, f, c, t, u)
            _tally_suggested(tally["suggested"], cfg, pop, *suggested)
            owner_rows.append((f[is_owner[f]], c[is_owner[f]]))
            writer.write(f + 1, creator_ids[c], t, u)
        rows = tuple(np.concatenate(x) for x in zip(*owner_rows, strict=True))
        f, c, t, u = _second_follows(
            np.random.default_rng([cfg.seed, 5]), cfg, cw, pop, rows, mean_follows
        )
        _tally(tally, f, c, t, u)
        writer.write(f + 1, creator_ids[c], t, u)
        fake_rows = _fake_follows(np.random.default_rng([cfg.seed, 2]), cfg, cw, pop, pools)
        a, c, t, u = fake_rows[:4]
        _tally(tally, a, c, t, u)
        writer.write(a + 1, creator_ids[c], t, u)
    return tally, fake_rows


def _tally_suggested(counts: np.ndarray, cfg: WorldConfig, pop: Population, f, c, t) -> None:
    """Suggested follows per day and creator: [..., 0] the app's suggestions, [..., 1] launches."""
    day = np.clip((t - cfg.start_s) // DAY, 0, cfg.days - 1)
    np.add.at(counts, (day, c, (pop.suggest[f] >= 1).astype(np.int64)), 1)


def generate_world(
    out_dir: str | Path, cfg: WorldConfig | None = None, show_progress: bool = True
) -> dict:
    """Write a whole world into `out_dir` (Parquet, one file per table); return its counts."""
    cfg = cfg or WorldConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([cfg.seed, 0])
    regions = rng.choice(
        profiles.REGIONS,
        cfg.n_creators,
        p=profiles.GENUINE_REGION_P / profiles.GENUINE_REGION_P.sum(),
    )
    cw = make_creators(rng, cfg, regions)
    plat = platform.make_platform(rng, cfg, cw)
    platform.lift_launch_views(rng, cw, plat)
    n_fake = round((cfg.accounts - cfg.n_creators) * cfg.fake_share)
    pools = fakes.make_pools(rng, cfg, n_fake, cw.popularity, cw.events)
    fakes.bought_engagement(rng, cfg, pools, cw.bought)
    pop = make_population(rng, cfg, pools, cw, plat)
    creator_ids = pop.creator_pos + 1
    tally, (_, c, t, _, job, removed) = _stream_follows(
        rng, out, cfg, cw, pop, plat, pools, show_progress
    )
    per_weight = tally["organic"] / cw.follow_weight.sum()
    write_table(
        out / "engagement_daily.parquet", engagement_table(rng, cfg, cw, per_weight, creator_ids)
    )
    campaigns = _campaigns(pools, c, t, job, creator_ids)
    write_table(out / "campaigns.parquet", campaigns)
    events = cw.events + _platform_events(plat, tally["suggested"])
    write_table(out / "events.parquet", _events(cfg, events, creator_ids))
    followers_in_table = np.zeros(len(pop.kinds), dtype=np.int64)
    followers_in_table[pop.creator_pos] = tally["active"]
    arng = np.random.default_rng([cfg.seed, 3])
    accounts = _accounts(arng, pop, tally["made"], tally["last"], removed, followers_in_table)
    write_table(out / "accounts.parquet", accounts)
    write_table(out / "labels.parquet", _labels(pop, pools))
    return {
        "accounts": len(pop.kinds),
        "creators": cfg.n_creators,
        "fakes": int(pop.is_fake.sum()),
        "follows": int(tally["made"].sum()),
        "campaigns": campaigns.num_rows,
        "events": len(events),
    }


def _platform_events(plat, suggested: np.ndarray) -> list[Event]:
    """Waves and launches as ground-truth rows, for the creators they really hit."""
    events = []
    for day in plat.wave_days:
        got = suggested[day : day + platform.WAVE_EVENT_DAYS, :, 0].sum(axis=0)
        events += [
            Event(int(c), int(day), "onboarding", platform.WAVE_EVENT_DAYS)
            for c in np.flatnonzero(got >= WAVE_MIN_FOLLOWS)
        ]
    for day, local in zip(plat.launch_days, plat.local_creators, strict=True):
        got = suggested[day : day + platform.LAUNCH_DAYS, :, 1].sum(axis=0)
        events += [
            Event(int(c), int(day), "regional_launch", platform.LAUNCH_DAYS)
            for c in local
            if got[c] >= WAVE_MIN_FOLLOWS
        ]
    return sorted(events, key=lambda e: (e.day, e.creator, e.kind))


def _tally(tally: dict, f, c, t, u) -> None:
    """Follows made and last follow per account; still-active followers per creator."""
    tally["made"] += np.bincount(f, minlength=len(tally["made"]))
    np.maximum.at(tally["last"], f, t)
    tally["active"] += np.bincount(c[u < 0], minlength=len(tally["active"]))


def _events(cfg: WorldConfig, events: list[Event], creator_ids: np.ndarray) -> pa.Table:
    creators = np.array([e.creator for e in events], dtype=np.int64)
    days = np.array([e.day for e in events], dtype=np.int64)
    return pa.table(
        {
            "creator_id": pa.array(creator_ids[creators] if len(creators) else [], pa.int64()),
            "date": pa.array((cfg.start_s // DAY + days).astype("datetime64[D]"), pa.date32()),
            "kind": pa.array([e.kind for e in events], pa.string()),
            "days": pa.array([e.days for e in events], pa.int64()),
        }
    )


def _accounts(rng, pop: Population, made, last, removed, followers_in_table) -> pa.Table:
    kinds = profiles.settled(rng, pop.kinds, pop.created_s, pop.quiet)
    text = profiles.text_fields(rng, kinds, pop.owner)
    counts = profiles.counts(rng, kinds, made, followers_in_table)
    seen = profiles.last_active(rng, pop.kinds, pop.created_s, last, removed, pop.quiet)
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
    columns["region"] = pa.array(pop.region, pa.string())
    columns["last_active_at"] = _ts(seen)
    return pa.table(columns)


# A plain pool's accounts take the kind of the first job they ran; other stock is its own kind.
STOCK_KIND = {
    "camouflaged": "camouflaged",
    "premium": "premium",
    "slow": "slow",
    "single": "single_target",
}


def _labels(pop: Population, pools: fakes.Pools) -> pa.Table:
    """Ground truth for every account: `fake_kind` for fakes, `genuine_kind` for the others."""
    first_kind = {}
    for job in pools.jobs:
        first_kind.setdefault(job.pool, job.kind)
    fake = pop.is_fake
    kind = np.full(len(pop.kinds), None, dtype=object)
    kind[fake] = [
        STOCK_KIND.get(s, first_kind[p])
        for s, p in zip(pop.truth[fake], pop.pool_of[fake], strict=True)
    ]
    genuine_kind = np.where(fake, None, pop.truth).astype(object)
    return pa.table(
        {
            "account_id": pa.array(np.arange(1, len(pop.kinds) + 1), pa.int64()),
            "label": pa.array(np.where(fake, "fake", "genuine"), pa.string()),
            "source": pa.array(np.full(len(fake), "synthetic_truth"), pa.string()),
            "fake_kind": pa.array(kind, pa.string()),
            "genuine_kind": pa.array(genuine_kind, pa.string()),
        }
    )
