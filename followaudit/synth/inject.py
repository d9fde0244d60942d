"""The attack sandbox: copy a data folder and plant one bought-follower campaign in it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from followaudit.synth import delivery, fakes, profiles
from followaudit.synth.config import DAY, HOUR, WorldConfig
from followaudit.synth.genuine import dedupe_pairs

PLANTED = ("accounts", "follows", "labels", "campaigns")


def _read(data_dir: Path, stem: str) -> pl.DataFrame | None:
    for suffix, reader in ((".parquet", pl.read_parquet), (".csv", pl.read_csv)):
        path = data_dir / f"{stem}{suffix}"
        if path.exists():
            return reader(path, try_parse_dates=True) if suffix == ".csv" else reader(path)
    return None


def _epoch(value) -> int:
    return int(value.replace(tzinfo=UTC).timestamp())


def _check(accounts, follows, creator_id, size, duration_days, camouflage) -> None:
    if accounts is None or follows is None:
        raise ValueError("data folder needs accounts and follows files (Parquet or CSV)")
    if accounts.filter(pl.col("account_id") == creator_id).is_empty():
        raise ValueError(f"accounts: no account_id {creator_id} to plant a campaign on")
    if not 1 <= size <= 1_000_000:
        raise ValueError(f"size must be between 1 and 1,000,000 (got {size})")
    if not 0 <= duration_days <= 90:
        raise ValueError(f"duration_days must be between 0 and 90 (got {duration_days})")
    if not 0.0 <= camouflage <= 1.0:
        raise ValueError(f"camouflage must be between 0 and 1 (got {camouflage})")


def _job(rng, data_end: int, duration_days: float, creator_id: int) -> fakes.Job:
    """Burst for a day or less, else a drip; it ends just before the data does."""
    kind = "burst" if duration_days <= 1 else "drip"
    span = int(max(duration_days, 0.25) * DAY)
    start = data_end - span - DAY
    return fakes.Job(0, kind, start, start + span, np.array([creator_id]), 1.0)


def _new_accounts(rng, ids, kinds, created, f, t, taken: set) -> pl.DataFrame:
    made = np.bincount(f - ids[0], minlength=len(ids))
    last = np.full(len(ids), -1, dtype=np.int64)
    np.maximum.at(last, f - ids[0], t)
    text = profiles.text_fields(rng, kinds)
    clash = np.array([u in taken for u in text["username"]], dtype=bool)
    text["username"][clash] = text["username"][clash] + rng.integers(
        10**5, 10**6, clash.sum()
    ).astype(str)
    counts = profiles.counts(rng, kinds, made, np.zeros(len(ids), dtype=np.int64))
    seen = profiles.last_active(rng, kinds, created, last, np.full(len(ids), -1))
    frame = {"account_id": ids, **text, **counts, "region": profiles.regions(rng, kinds)}
    frame["created_at"] = created.astype("datetime64[s]").astype("datetime64[us]")
    frame["last_active_at"] = seen.astype("datetime64[s]").astype("datetime64[us]")
    return pl.DataFrame({k: list(v) if v.dtype == object else v for k, v in frame.items()})


def inject_campaign(
    data_dir,
    out_dir,
    creator_id: int,
    size: int,
    duration_days: float,
    camouflage: float,
    seed: int,
) -> dict:
    """Copy `data_dir` to `out_dir` plus `size` bought followers of `creator_id`; say what was planted."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    accounts, follows = _read(data_dir, "accounts"), _read(data_dir, "follows")
    _check(accounts, follows, creator_id, size, duration_days, camouflage)
    rng = np.random.default_rng([seed, 99])
    data_end = _epoch(follows["followed_at"].max()) + HOUR
    job = _job(rng, data_end, duration_days, creator_id)
    ids = int(accounts["account_id"].max()) + 1 + np.arange(size, dtype=np.int64)
    kinds = np.where(rng.random(size) < camouflage, "camouflaged", "fake")
    lead = np.where(kinds == "camouflaged", rng.uniform(45, 400, size), rng.uniform(0.3, 8, size))
    created = job.start_s - (lead * DAY).astype(np.int64) - rng.integers(0, 6 * HOUR, size)
    f, c, t = delivery.job_follows(rng, job, ids, created)
    f, c, t = _with_noise(rng, follows, ids, created, kinds, f, c, t, data_end)
    taken = set(accounts["username"].to_list()) if "username" in accounts.columns else set()
    new_accounts = _new_accounts(rng, ids, kinds, created, f, t, taken)
    tables, campaign_id = _planted_tables(
        accounts, follows, data_dir, new_accounts, ids, kinds, job, creator_id, f, c, t
    )
    _write(data_dir, out_dir, tables)
    return {
        "campaign_id": campaign_id,
        "creator_id": creator_id,
        "kind": job.kind,
        "start": datetime.fromtimestamp(int(t[c == creator_id].min()), UTC).replace(tzinfo=None),
        "end": datetime.fromtimestamp(int(t[c == creator_id].max()), UTC).replace(tzinfo=None),
        "account_ids": ids.tolist(),
        "follows": len(f),
        "camouflaged": int((kinds == "camouflaged").sum()),
    }


def _with_noise(rng, follows, ids, created, kinds, f, c, t, data_end):
    """Blend-in follows of popular creators, as generated fakes make them."""
    popular = follows.group_by("creator_id").len().sort("creator_id")
    creators = popular["creator_id"].to_numpy()
    start = data_end - WorldConfig().days * DAY
    blend = np.where(
        kinds == "camouflaged", delivery.BLEND_IN["camouflaged"], delivery.BLEND_IN["plain"]
    )
    a, k, w = delivery.noise_follows(
        rng, ids, created, blend, popular["len"].to_numpy().astype(float), start
    )
    w = np.minimum(w, data_end - 1)
    return dedupe_pairs(
        np.concatenate([f, a]),
        np.concatenate([c, creators[k]]),
        np.concatenate([t, w]),
        preferred=np.arange(len(f) + len(a)) < len(f),
    )


def _planted_tables(
    accounts, follows, data_dir, new_accounts, ids, kinds, job, creator_id, f, c, t
):
    """The accounts, follows and (where kept) labels and campaigns tables with the batch added."""
    accounts = accounts.with_columns(
        pl.when(pl.col("account_id") == creator_id)
        .then(pl.col("follower_count") + len(ids))
        .otherwise(pl.col("follower_count"))
        .alias("follower_count")
    )
    ts = pl.Series(t.astype("datetime64[s]").astype("datetime64[us]"))
    new_follows = pl.DataFrame({"follower_id": f, "creator_id": c, "followed_at": ts})
    tables = {
        "accounts": pl.concat(
            [accounts, new_accounts.select(accounts.columns)], how="vertical_relaxed"
        ),
        "follows": pl.concat([follows, new_follows], how="diagonal_relaxed").select(
            follows.columns
        ),
    }
    labels = _read(data_dir, "labels")
    if labels is not None:
        fake_kind = np.where(kinds == "camouflaged", "camouflaged", job.kind)
        planted = pl.DataFrame(
            {
                "account_id": ids,
                "label": "fake",
                "source": "synthetic_truth",
                "fake_kind": fake_kind,
                "genuine_kind": pl.Series([None] * len(ids), dtype=pl.String),
            }
        )
        planted = planted.select([c for c in labels.columns if c in planted.columns])
        tables["labels"] = pl.concat([labels, planted], how="diagonal_relaxed")
    campaigns = _read(data_dir, "campaigns")
    row = _campaign_row(campaigns, creator_id, job.kind, ts.filter(c == creator_id))
    if campaigns is not None:  # like labels: ground truth only where the folder keeps it
        tables["campaigns"] = pl.concat(
            [campaigns, row.select(campaigns.columns)], how="vertical_relaxed"
        )
    return tables, int(row["campaign_id"].item())


def _campaign_row(campaigns, creator_id: int, kind: str, delivered: pl.Series) -> pl.DataFrame:
    """The planted campaign as one `campaigns` row."""
    next_id = 1 if campaigns is None else int(campaigns["campaign_id"].max()) + 1
    return pl.DataFrame(
        {
            "campaign_id": [next_id],
            "creator_id": [creator_id],
            "kind": [kind],
            "start": delivered.min(),
            "end": delivered.max(),
            "accounts": [len(delivered)],
        }
    )


def _write(data_dir: Path, out_dir: Path, tables: dict[str, pl.DataFrame]) -> None:
    """Unchanged files are copied; planted tables are written as Parquet (replacing any CSV)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for file in data_dir.iterdir():
        if file.is_file() and file.stem not in tables:
            shutil.copy2(file, out_dir / file.name)
    for stem, frame in tables.items():
        (out_dir / f"{stem}.csv").unlink(missing_ok=True)
        frame.write_parquet(out_dir / f"{stem}.parquet", compression="zstd")
