"""A tiny hand-made workspace with exactly the tables the policy pages read (built in ~0.2 s)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl

CREATORS = [1, 2, 3]


def accounts_frame(n: int = 400, seed: int = 5) -> pl.DataFrame:
    """Creators 1-3 and followers 4..n; every third follower is fake."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1)
    fake = (ids % 3 == 0) & (ids > 3)
    score = np.clip(np.where(fake, 0.75, 0.2) + rng.normal(0, 0.18, n), 0.001, 0.999)
    return pl.DataFrame(
        {
            "account_id": ids,
            "username": [f"user{i}" for i in ids],
            "display_name": [f"User {i}" for i in ids],
            "created_at": pl.datetime_range(
                pl.datetime(2025, 1, 1),
                pl.datetime(2025, 1, 1) + pl.duration(days=n - 1),
                "1d",
                eager=True,
            ),
            "has_profile_pic": ~fake,
            "bio": ["" if f else "hello there" for f in fake],
            "is_private": ids % 5 == 0,
            "is_verified": ids <= 3,
            "follower_count": np.where(ids <= 3, 1000, 10),
            "following_count": np.where(fake, 900, 50),
            "video_count": np.where(fake, 0, 4),
            "likes_given": np.where(fake, 0, 30),
            "region": np.where(ids % 2 == 0, "DE", "US"),
            "fake": fake,
            "score": score,
        }
    )


def build(path: Path, labelled: bool = True, n: int = 400) -> Path:
    """Write the tiny workspace (or a big one, for benchmarks) to `path` and return it."""
    acc = accounts_frame(n)
    con = duckdb.connect(str(path))
    try:
        con.register("acc", acc.to_arrow())
        con.execute("create table accounts as select * exclude (fake, score) from acc")
        con.execute(
            "create table labels as select account_id, case when fake then 'fake' else 'genuine' end "
            "as label, 'test' as source from acc where account_id > 3 and account_id % 2 = 0"
            + ("" if labelled else " and false")
        )
        con.execute(
            "create table account_scores as select account_id, score, "
            "case when account_id % 2 = 0 then least(score + 0.01, 1) end as oof_score, "
            "score >= 0.5 as model_flagged from acc"
        )
        con.execute(
            "create table account_features as select account_id, "
            "cast(has_profile_pic as double) as has_profile_pic, cast(video_count as double) as video_count, "
            "cast(following_count as double) / greatest(follower_count, 1) as following_follower_ratio, "
            "cast(following_count as double) as following_count, 100.0 as account_age_days from acc"
        )
        con.execute(
            "create table follows as select a.account_id as follower_id, c.creator_id, "
            "timestamp '2025-06-01' + to_days(cast(a.account_id % 30 as integer)) as followed_at, "
            "cast(null as timestamp) as unfollowed_at from acc as a, (select unnest([1, 2, 3]) as creator_id) c "
            "where a.account_id > 3 and (a.account_id + c.creator_id) % 2 = 0"
        )
        con.execute(
            "create table creator_quality as select a.account_id as creator_id, a.username, "
            "count(*) as followers, 0.05 as engagement_rate from acc as a "
            "join follows as f on f.creator_id = a.account_id group by all"
        )
        con.execute(
            "create table spikes as select 1::bigint as spike_id, 1::bigint as creator_id, "
            "date '2025-06-10' as start, date '2025-06-12' as \"end\", 'suspicious' as verdict, "
            "40::bigint as followers_gained"
        )
        con.execute(
            "create table spike_followers as select 1::bigint as spike_id, follower_id as account_id "
            "from follows where creator_id = 1 and follower_id % 3 = 0"
        )
        con.execute(  # every built workspace has every canonical table, empty when not observed
            "create table engagement_daily (creator_id bigint, date date, views bigint, likes bigint)"
        )
        con.execute("create table meta (key varchar, value varchar)")
        con.execute("insert into meta values ('model_source', 'trained'), ('built_at', 'test')")
    finally:
        con.close()
    return path
