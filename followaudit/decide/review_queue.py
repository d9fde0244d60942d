"""Which accounts an analyst should review next."""

from __future__ import annotations

import numpy as np
import polars as pl

from followaudit.detect.teaching import teaching_order
from followaudit.store.analyst import ReviewError

ORDERS = ("teach", "uncertainty", "score")


def review_queue(
    risk: pl.DataFrame,
    threshold: float,
    order: str = "uncertainty",
    limit: int = 200,
    only: pl.DataFrame | None = None,
    reviewed: pl.DataFrame | None = None,
    train_prior: float | None = None,
) -> pl.DataFrame:
    """Accounts to review next: the ones whose labels teach the recalibration most (`teach`,
    detect/teaching.py: needs the `reviewed` labels so far and the model's `train_prior`),
    nearest the threshold first, or riskiest first.

    `risk` has account_id, score, risk (more columns are kept); `only` (account_id) restricts it
    to the followers of a creator or a spike. Pure (the same inputs give the same queue). O(n)
    for `uncertainty` and `score` (top-k, no full sort) so they suit a million rows.
    """
    if order not in ORDERS:
        raise ReviewError(f"order {order!r}: expected one of {list(ORDERS)}")
    frame = (
        risk if only is None else risk.join(only.select("account_id"), on="account_id", how="semi")
    )
    frame = frame.with_columns((pl.col("risk") - threshold).abs().alias("distance"))
    if order == "teach":
        return _teaching(frame, limit, reviewed, train_prior)
    if order == "score":
        top = frame.top_k(limit, by=["risk", "account_id"], reverse=[False, True])
        return top.sort(["risk", "account_id"], descending=[True, False])
    return frame.bottom_k(limit, by=["distance", "account_id"]).sort(["distance", "account_id"])


def _teaching(frame, limit, reviewed, train_prior) -> pl.DataFrame:
    """`frame` in teaching order (already reviewed accounts last)."""
    frame = frame.sort("account_id")
    labels = (
        reviewed
        if reviewed is not None
        else pl.DataFrame(schema={"account_id": pl.Int64, "label": pl.String})
    )
    known = frame.with_row_index("_pos").join(
        labels.filter(pl.col("label").is_in(["fake", "genuine"])).select("account_id", "label"),
        on="account_id",
    )
    where = known["_pos"].to_numpy().astype(np.int64)
    y = (known["label"] == "fake").cast(pl.Int8).to_numpy()
    prior = 0.5 if train_prior is None else train_prior
    picks = teaching_order(frame["score"].to_numpy(), where, y, limit, prior)
    return frame[picks.tolist()]
