"""A generated world's accounts as a platform would export them, for the import wizard's tests
and benchmark (no outside data).

Column names, spellings and value shapes imitate what platforms hand out: camelCase names, epoch
creation times, 0/1 flags, True/False texts. `EXPECTED` is the mapping a person would write.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

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
_SHAPED = {
    "created_at": pl.col("created_at").dt.epoch("s"),
    "has_profile_pic": pl.col("has_profile_pic").cast(pl.Int8),
}


def export_frame(world: Path, rows: int = 10_000, labels: bool = True) -> pl.DataFrame:
    """`rows` accounts of the world folder `world`, evenly spread over it (its fakes come late),
    renamed and reshaped as `EXPECTED` says; with `labels`, a label column `isFake`."""
    accounts = pl.read_parquet(world / "accounts.parquet")
    accounts = accounts.gather_every(max(accounts.height // rows, 1)).head(rows)
    out = accounts.select(
        _SHAPED.get(ours, pl.col(ours)).alias(theirs) for ours, theirs in EXPECTED.items()
    )
    if labels:
        truth = pl.read_parquet(world / "labels.parquet").select("account_id", "label")
        fake = accounts.join(truth, on="account_id", how="left")["label"] == "fake"
        out = out.with_columns(fake.alias("isFake"))
    return out
