"""What leaves the app as files: the export tables (one query each), a policy's flagged accounts
with its risk, tier and rule hits beside them, and the CSV / Parquet bytes.

No streamlit: `ui/data.py` offers these as downloads (through `ui.run`, so demo mode applies).
"""

from __future__ import annotations

import io

import polars as pl

# export name -> (query, what one row is); values reach the page through ui.run (demo mode applies)
EXPORTS = {
    "flagged_accounts": (
        "data/flagged_accounts",
        "one row per account flagged by the active policy",
    ),
    "spikes": ("data/spikes", "one row per follower-growth spike"),
    "audience_scores": ("data/audience_scores", "one row per creator: audience quality"),
}


def to_csv(frame: pl.DataFrame) -> bytes:
    """The frame as CSV bytes (UTF-8, header row)."""
    return frame.write_csv().encode()


def to_parquet(frame: pl.DataFrame) -> bytes:
    """The frame as Parquet bytes (zstd)."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def with_policy(details: pl.DataFrame, flagged: pl.DataFrame) -> pl.DataFrame:
    """Flagged accounts (the decision layer's `flagged_frame`, riskiest first) with their
    details beside the policy's risk, tier and rule hits; one row per flagged account."""
    cols = [c for c in ("account_id", "score", "risk", "tier", "rule_hits") if c in flagged.columns]
    return flagged.select(cols).join(details, on="account_id", how="left", maintain_order="left")
