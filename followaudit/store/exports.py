"""Data-page plumbing without Streamlit: staging uploads, naming workspaces, export files."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from followaudit.data.spec import TABLES

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")
# export name -> (query, what one row is); values reach the page through ui.run (demo mode applies)
EXPORTS = {
    "flagged_accounts": (
        "data/flagged_accounts",
        "one row per account flagged by the active policy",
    ),
    "spikes": ("data/spikes", "one row per follower-growth spike"),
    "audience_scores": ("data/audience_scores", "one row per creator: audience quality"),
}


class UploadError(ValueError):
    """An upload or a workspace name cannot be used; the message says why."""


def stage_uploads(files: Iterable[tuple[str, bytes]], root: Path) -> Path:
    """Write uploaded (name, bytes) files into a new folder under `root`; returns the folder."""
    files = list(files)
    if not files:
        raise UploadError("no files uploaded")
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    folder = root / digest.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        (folder / _safe_file_name(name)).write_bytes(data)
    return folder


def _safe_file_name(name: str) -> str:
    """Keep only the base name; the table name and suffix are checked by validation."""
    base = Path(name.replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".")
    if not dot or suffix.lower() not in {"csv", "parquet"}:
        raise UploadError(f"{base!r}: expected a .csv or .parquet file named after its table")
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", stem)[:64] or "file"
    return f"{clean}.{suffix.lower()}"


def expected_files() -> str:
    """The file names a data folder may hold, for the page's help text."""
    return ", ".join(f"{name}.csv/.parquet" for name in TABLES)


def workspace_file(name: str, folder: Path) -> Path:
    """`folder/<name>.duckdb` for a safe workspace name (letters, digits, _ and -)."""
    name = name.strip().removesuffix(".duckdb")
    if not NAME.fullmatch(name):
        raise UploadError(
            f"workspace name {name[:60]!r}: use 1-48 letters, digits, _ or -, starting with a letter or digit"
        )
    return folder / f"{name}.duckdb"


def to_csv(frame: pl.DataFrame) -> bytes:
    """The frame as CSV bytes (UTF-8, header row)."""
    return frame.write_csv().encode()


def to_parquet(frame: pl.DataFrame) -> bytes:
    """The frame as Parquet bytes (zstd)."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def flagged_ids(policy_frame: pl.DataFrame) -> list[int]:
    """Account ids the policy flags (from `policy.evaluate_policy(...).frame`)."""
    return policy_frame.filter(pl.col("flagged"))["account_id"].to_list()


def with_policy(details: pl.DataFrame, policy_frame: pl.DataFrame) -> pl.DataFrame:
    """Flagged accounts' details with the policy's risk, tier and rule hits beside them."""
    cols = [
        c for c in ("account_id", "score", "risk", "tier", "rule_hits") if c in policy_frame.columns
    ]
    return details.join(policy_frame.select(cols), on="account_id", how="left").sort(
        "risk" if "risk" in cols else "account_id", descending="risk" in cols
    )
