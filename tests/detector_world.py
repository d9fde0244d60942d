"""A tiny hand-rolled world for detector tests: genuine users, burst, drip and camouflaged fakes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

START = datetime(2024, 1, 1)
CREATORS = 8


def _genuine(rng: np.random.Generator, ids: np.ndarray) -> tuple[list[dict], list[dict]]:
    accounts, follows = [], []
    for i in ids:
        created = START - timedelta(days=float(rng.uniform(30, 900)))
        accounts.append(
            {
                "account_id": int(i),
                "username": f"user{rng.integers(0, 26)}x{i}",
                "display_name": "Real Person",
                "created_at": created,
                "has_profile_pic": bool(rng.random() < 0.85),
                "bio": "hi" * int(rng.integers(0, 20)),
                "follower_count": int(rng.integers(5, 500)),
                "following_count": int(rng.integers(5, 300)),
                "video_count": int(rng.integers(0, 40)),
                "likes_given": int(rng.integers(0, 900)),
            }
        )
        for creator in rng.choice(CREATORS, size=int(rng.integers(1, 5)), replace=False):
            at = START + timedelta(days=float(rng.uniform(0, 170)))
            follows.append(
                {"follower_id": int(i), "creator_id": int(creator) + 1, "followed_at": at}
            )
    return accounts, follows


def _fakes(rng: np.random.Generator, ids: np.ndarray, kind: str) -> tuple[list[dict], list[dict]]:
    accounts, follows = [], []
    batch_day = float(rng.uniform(20, 120))
    buyers = rng.choice(CREATORS, size=3, replace=False) + 1
    for i in ids:
        created = START + timedelta(days=batch_day, hours=float(rng.uniform(0, 2)))
        camo = kind == "camouflaged"
        accounts.append(
            {
                "account_id": int(i),
                "username": f"anna_{rng.integers(10000, 99999)}",
                "display_name": None if not camo else "Anna",
                "created_at": created,
                "has_profile_pic": camo and rng.random() < 0.8,
                "bio": "love" if camo else None,
                "follower_count": int(rng.integers(0, 4)),
                "following_count": int(rng.integers(300, 2000)),
                "video_count": 0,
                "likes_given": int(rng.integers(0, 50)) if camo else 0,
            }
        )
        for order, creator in enumerate(buyers):
            spread = rng.uniform(0, 30 * 24) if kind == "drip" else rng.uniform(0, 3)
            at = created + timedelta(hours=2 + float(spread), minutes=2 * order)
            follows.append({"follower_id": int(i), "creator_id": int(creator), "followed_at": at})
    return accounts, follows


def make_world(n_genuine: int = 500, n_fake: int = 240, seed: int = 0) -> dict[str, pl.DataFrame]:
    """Canonical `accounts`, `follows`, `labels` (with `fake_kind`) frames."""
    rng = np.random.default_rng(seed)
    creators = [
        {
            "account_id": c,
            "username": f"creator{c}",
            "display_name": f"Creator {c}",
            "created_at": START - timedelta(days=1000),
            "has_profile_pic": True,
            "bio": "creator",
            "follower_count": 10_000,
            "following_count": 10,
            "video_count": 300,
            "likes_given": 10,
        }
        for c in range(1, CREATORS + 1)
    ]
    accounts, follows, labels = list(creators), [], []
    ids = np.arange(100, 100 + n_genuine)
    acc, fol = _genuine(rng, ids)
    accounts += acc
    follows += fol
    labels += [{"account_id": int(i), "label": "genuine", "fake_kind": None} for i in ids]
    next_id = 100 + n_genuine
    kinds = ["burst", "drip", "camouflaged"]
    per_batch = max(n_fake // (len(kinds) * 4), 1)
    for batch in range(len(kinds) * 4):
        kind = kinds[batch % len(kinds)]
        ids = np.arange(next_id, next_id + per_batch)
        next_id += per_batch
        acc, fol = _fakes(rng, ids, kind)
        accounts += acc
        follows += fol
        labels += [{"account_id": int(i), "label": "fake", "fake_kind": kind} for i in ids]
    return {
        "accounts": pl.DataFrame(accounts),
        "follows": pl.DataFrame(follows),
        "labels": pl.DataFrame(
            labels, schema={"account_id": pl.Int64, "label": pl.Utf8, "fake_kind": pl.Utf8}
        ),
    }


def write_world(folder: Path, **kwargs) -> Path:
    """Write `make_world` as Parquet files into `folder` (a canonical data folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in make_world(**kwargs).items():
        frame.write_parquet(folder / f"{name}.parquet")
    return folder


def scored_workspace(folder: Path, labelled: bool = True):
    """A DuckDB connection with the tiny world loaded, featured and scored; model in folder/model."""
    import duckdb

    from followaudit.data.load import load_folder
    from followaudit.detect import features, scoring
    from followaudit.pipeline.steps import write_account_scores

    data = write_world(folder / "data")
    if not labelled:
        (data / "labels.parquet").unlink()
    con = duckdb.connect(str(folder / "w.duckdb"))
    load_folder(con, data)
    features.build_account_features(con)
    scoring.score_workspace(con, folder / "model")
    write_account_scores(con, folder / "model")
    return con
