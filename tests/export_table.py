"""A platform-style account export made from the project's own sample world (no outside data).

Column names, spellings and value shapes imitate what platforms hand out: camelCase names, epoch
creation times, 0/1 flags, True/False texts. `EXPECTED` is the mapping a person would write.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from followaudit.store.workspace import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "sample_data"
EXPECTED = {
    "account_id": "uid",
    "username": "uniqueId",
    "display_name": "nickname",
    "created_at": "createTime",
    "has_profile_pic": "avatar",
    "bio": "signature",
    "is_verified": "verified",
    "follower_count": "followerCount",
    "following_count": "followingCount",
    "video_count": "videoCount",
    "likes_received": "heartCount",
    "likes_given": "diggCount",
    "region": "region",
}


def export_frame(rows: int = 10_000, labels: bool = True) -> pl.DataFrame:
    """`rows` sample accounts, evenly spread over the world (its fakes come late), as a platform
    would export them (label column `isFake`)."""
    accounts = pl.read_parquet(SAMPLE / "accounts.parquet")
    accounts = accounts.gather_every(max(accounts.height // rows, 1)).head(rows)
    out = accounts.select(
        pl.col("account_id").alias("uid"),
        pl.col("username").alias("uniqueId"),
        pl.col("display_name").alias("nickname"),
        pl.col("created_at").dt.epoch("s").alias("createTime"),
        pl.col("has_profile_pic").cast(pl.Int8).alias("avatar"),
        pl.col("bio").alias("signature"),
        pl.col("is_verified").alias("verified"),
        pl.col("follower_count").alias("followerCount"),
        pl.col("following_count").alias("followingCount"),
        pl.col("video_count").alias("videoCount"),
        pl.col("likes_received").alias("heartCount"),
        pl.col("likes_given").alias("diggCount"),
        pl.col("region"),
    )
    if labels:
        truth = pl.read_parquet(SAMPLE / "labels.parquet").select("account_id", "label")
        fake = accounts.join(truth, on="account_id", how="left")["label"] == "fake"
        out = out.with_columns(fake.alias("isFake"))
    return out


def write_export(folder: Path, rows: int = 10_000, labels: bool = True, name="export.csv") -> Path:
    """The export written as CSV (or JSON lines / Parquet, by `name`'s suffix)."""
    frame = export_frame(rows, labels)
    path = folder / name
    if path.suffix == ".parquet":
        frame.write_parquet(path)
    elif path.suffix in {".json", ".jsonl"}:
        frame.write_ndjson(path)
    else:
        frame.write_csv(path)
    return path
