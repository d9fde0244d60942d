"""A hand-made world for growth tests: one creator with a burst, a viral day and a drip."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import polars as pl

START = dt.datetime(2024, 1, 1, 12)
DAYS = 90
BURST_DAY, VIRAL_DAY, DRIP_DAYS = 40, 60, range(70, 85)


def _day(i: int, hour: float = 0.0) -> dt.datetime:
    return START + dt.timedelta(days=i, hours=hour)


def make_world() -> duckdb.DuckDBPyConnection:
    """Creator 1: organic growth, a bought burst, an explained viral day, a bought drip."""
    rng = np.random.default_rng(4)
    accounts, follows, scores = [], [], []

    def add(n: int, day: int, fake: bool, created_days_before: float):
        ids = range(1000 + len(accounts), 1000 + len(accounts) + n)
        hours = rng.uniform(0, 11, n)
        created = _day(day - created_days_before)
        accounts.extend((i, f"user{i}", created, not fake) for i in ids)
        follows.extend((i, 1, _day(day, h), None) for i, h in zip(ids, hours, strict=True))
        scores.extend((i, 0.97 if fake else 0.02, fake) for i in ids)

    for day in range(DAYS):
        add(int(rng.poisson(50)), day, False, 400)
        add(int(rng.poisson(1)), day, True, 300)  # a few stray fakes every day
    add(800, BURST_DAY, True, 1.5)
    add(2500, VIRAL_DAY, False, 500)
    for day in DRIP_DAYS:
        add(30, day, True, 3)
    views = rng.poisson(5000, DAYS)
    views[VIRAL_DAY] *= 20
    # comments and shares follow views, as real engagement does
    engagement = [
        (1, _day(d).date(), int(v), int(v // 10), int(v // 1000), int(v // 2500))
        for d, v in enumerate(views)
    ]
    return _connect(accounts, follows, scores, engagement)


def _connect(accounts, follows, scores, engagement) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    frames = {
        "accounts": pl.DataFrame(
            accounts + [(1, "creator_one", _day(-900), True)],
            schema=["account_id", "username", "created_at", "has_profile_pic"],
            orient="row",
        ).with_columns(pl.lit(None, pl.String).alias("region")),  # loaded tables have every column
        "follows": pl.DataFrame(
            follows,
            schema={
                "follower_id": pl.Int64,
                "creator_id": pl.Int64,
                "followed_at": pl.Datetime,
                "unfollowed_at": pl.Datetime,
            },
            orient="row",
        ),
        "account_scores": pl.DataFrame(
            scores, schema=["account_id", "score", "model_flagged"], orient="row"
        ),
        "engagement_daily": pl.DataFrame(
            engagement,
            schema=["creator_id", "date", "views", "likes", "comments", "shares"],
            orient="row",
        ),
    }
    for name, frame in frames.items():
        con.register("_frame", frame.to_arrow())
        con.execute(f"create table {name} as select * from _frame")
        con.unregister("_frame")
    return con
