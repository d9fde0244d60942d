"""Explorer queries on hand-made rows: peers, username search, creation histogram, headline."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from followaudit.store.workspace import run_query


@pytest.fixture
def con():
    """Spike followers of two spikes: 1, 2 and 3 share spike 10; 1 and 2 were created together."""
    con = duckdb.connect()
    con.execute(
        "create table accounts as select * from (values "
        "(1, 'ann_1'), (2, 'bob%'), (3, 'cat_x'), (4, 'dan')) as t(account_id, username)"
    )
    con.execute(
        "create table spike_followers (spike_id bigint, account_id bigint, username varchar, "
        "followed_at timestamp, created_at timestamp, score double)"
    )
    rows = [
        (10, 1, "ann_1", datetime(2024, 3, 1, 12, 0), datetime(2024, 2, 1, 8, 5), 0.9),
        (10, 2, "bob%", datetime(2024, 3, 1, 12, 4), datetime(2024, 2, 1, 8, 40), 0.8),
        (10, 3, "cat_x", datetime(2024, 3, 1, 18, 0), datetime(2023, 5, 1, 9, 0), 0.1),
        (11, 4, "dan", datetime(2024, 3, 1, 12, 1), datetime(2024, 2, 1, 8, 10), 0.7),
    ]
    con.executemany("insert into spike_followers values (?, ?, ?, ?, ?, ?)", rows)
    yield con
    con.close()


def test_peers_are_same_spike_same_hour_or_within_ten_minutes(con):
    peers = run_query(con, "explorer/account_peers", {"account_id": 1, "limit": 10})
    expected = pl.DataFrame(
        {
            "account_id": [2],
            "username": ["bob%"],
            "score": [0.8],
            "same_hour_spikes": [1],
            "lockstep_spikes": [1],
        }
    )
    assert_frame_equal(peers, expected, check_dtypes=False)


def test_peers_of_an_account_outside_spikes_is_empty(con):
    assert run_query(con, "explorer/account_peers", {"account_id": 99, "limit": 10}).is_empty()


@pytest.mark.parametrize(
    ("pattern", "ids"),
    [("%", [2]), ("_", [1, 3]), ("ANN", [1]), ("'; drop table accounts; --", [])],
)
def test_username_search_treats_the_pattern_literally(con, pattern, ids):
    found = run_query(con, "explorer/search_accounts", {"pattern": pattern, "limit": 5})
    assert sorted(found["id"].to_list()) == ids
    assert con.execute("select count(*) from accounts").fetchone()[0] == 4


def test_creation_histogram_counts_followers_per_creation_day(con):
    hist = run_query(con, "explorer/spike_creation_hist", {"spike_id": 10})
    expected = pl.DataFrame(
        {"created_day": [date(2023, 5, 1), date(2024, 2, 1)], "followers": [1, 2]}
    )
    assert_frame_equal(hist, expected, check_dtypes=False)
