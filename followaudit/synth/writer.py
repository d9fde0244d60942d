"""Parquet output: whole small tables at once, follows streamed chunk by chunk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FOLLOWS_SCHEMA = pa.schema(
    [
        ("follower_id", pa.int64()),
        ("creator_id", pa.int64()),
        ("followed_at", pa.timestamp("us")),
        ("unfollowed_at", pa.timestamp("us")),
    ]
)


def write_table(path: Path, table: pa.Table) -> None:
    """Write one table as zstd Parquet (a stale CSV of the same table would shadow it)."""
    path.with_suffix(".csv").unlink(missing_ok=True)
    pq.write_table(table, path, compression="zstd")


def follows_batch(follower, creator, followed_s, unfollowed_s) -> pa.Table:
    """A follows table from epoch-second arrays; unfollowed < 0 means still following."""
    # Rows sorted by creator then time compress far better; one int64 key sorts fast.
    followed_s = np.asarray(followed_s, dtype=np.int64)
    low = followed_s.min()
    order = np.argsort(
        np.asarray(creator, dtype=np.int64) * (followed_s.max() - low + 1) + followed_s - low
    )

    def to_us(s):
        """Epoch seconds in row order -> datetime64[us]."""
        return np.asarray(s, dtype=np.int64)[order].astype("datetime64[s]").astype("datetime64[us]")  # noqa: E731

    return pa.table(
        {
            "follower_id": pa.array(np.asarray(follower)[order], pa.int64()),
            "creator_id": pa.array(np.asarray(creator)[order], pa.int64()),
            "followed_at": pa.array(to_us(followed_s), pa.timestamp("us")),
            "unfollowed_at": pa.array(
                to_us(unfollowed_s), pa.timestamp("us"), mask=np.asarray(unfollowed_s)[order] < 0
            ),
        },
        schema=FOLLOWS_SCHEMA,
    )


class FollowWriter:
    """Streams follows batches into one Parquet file."""

    def __init__(self, path: Path):
        path.with_suffix(".csv").unlink(missing_ok=True)
        self.writer = pq.ParquetWriter(path, FOLLOWS_SCHEMA, compression="zstd")

    def write(self, follower, creator, followed_s, unfollowed_s) -> None:
        """Append one batch."""
        if len(follower):
            self.writer.write_table(
                follows_batch(follower, creator, followed_s, unfollowed_s), row_group_size=1 << 20
            )

    def __enter__(self) -> FollowWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.writer.close()
