"""Which accounts an analyst should review next."""

from __future__ import annotations

import polars as pl

from followaudit.store.analyst import ReviewError

ORDERS = ("uncertainty", "score")


def review_queue(
    risk: pl.DataFrame,
    threshold: float,
    order: str = "uncertainty",
    limit: int = 200,
    only: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Accounts to review next: nearest the threshold first, or riskiest first.

    `risk` has account_id, score, risk, rule_hits; `only` (account_id) restricts it to the
    followers of a creator or a spike. O(n) (top-k, no full sort) so it suits a million rows.
    """
    if order not in ORDERS:
        raise ReviewError(f"order {order!r}: expected one of {list(ORDERS)}")
    frame = (
        risk if only is None else risk.join(only.select("account_id"), on="account_id", how="semi")
    )
    frame = frame.with_columns((pl.col("risk") - threshold).abs().alias("distance"))
    if order == "score":
        top = frame.top_k(limit, by=["risk", "account_id"], reverse=[False, True])
        return top.sort(["risk", "account_id"], descending=[True, False])
    return frame.bottom_k(limit, by=["distance", "account_id"]).sort(["distance", "account_id"])
