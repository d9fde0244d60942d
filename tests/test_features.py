"""Feature SQL and assembly on hand-made rows (DuckDB in memory)."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

import duckdb
import numpy as np
import polars as pl
import pytest

from followaudit.detect import catalogue
from followaudit.detect import features as feats

T0 = datetime(2024, 3, 1, 12, 0)


def _accounts(**extra) -> pl.DataFrame:
    base = {
        "account_id": [1, 2, 3],
        "username": ["anna_83921", "AaBb", "bob"],
        "display_name": ["Anna K", "aabb", None],
        "created_at": [T0 - timedelta(days=10), T0, T0 + timedelta(minutes=30)],
        "has_profile_pic": [True, False, False],
        "bio": ["hello", None, ""],
        "follower_count": [100, 0, 5],
        "following_count": [50, 900, 10],
        "video_count": [3, 0, 0],
    }
    return pl.DataFrame({**base, **extra})


def _workspace(accounts: pl.DataFrame, follows: list[tuple[int, int, datetime]] | None):
    con = duckdb.connect()
    # a loaded workspace has every spec column; the ones a file lacks are NULL
    optional = {"region": pl.String, "last_active_at": pl.Datetime("us")}
    accounts = accounts.with_columns(
        pl.lit(None, dtype).alias(name)
        for name, dtype in optional.items()
        if name not in accounts.columns
    )
    con.register("a", accounts.to_arrow())
    con.execute("create table accounts as select * from a")
    if follows is not None:
        frame = pl.DataFrame(
            follows, schema=["follower_id", "creator_id", "followed_at"], orient="row"
        )
        con.register("f", frame.to_arrow())
        con.execute("create table follows as select * from f")
    return con


def _row(frame: pl.DataFrame, account_id: int) -> dict:
    return frame.filter(pl.col("account_id") == account_id).row(0, named=True)


def test_profile_features_from_hand_made_rows():
    frame = feats.profile_features(_accounts())
    anna, aabb, bob = (_row(frame, i) for i in (1, 2, 3))
    assert anna["username_digit_count"] == 5 and anna["username_digit_ratio"] == 0.5
    assert anna["username_word_digits"] == 1.0 and bob["username_word_digits"] == 0.0
    assert aabb["username_entropy"] == pytest.approx(1.0)  # two letters, equally often
    assert aabb["name_equals_username"] == 1.0 and anna["name_equals_username"] == 0.0
    assert anna["display_name_word_count"] == 2.0 and bob["display_name_word_count"] is None
    assert anna["bio_length"] == 5.0 and bob["bio_length"] == 0.0 and aabb["bio_length"] is None
    assert aabb["following_follower_ratio"] == 900.0
    assert anna["account_age_days"] == pytest.approx(10 + 30 / 1440)


def test_absent_source_columns_give_absent_features():
    frame = feats.profile_features(_accounts().drop("bio", "display_name"))
    assert "bio_length" not in frame.columns
    assert (
        "display_name_word_count" not in frame.columns
        and "name_equals_username" not in frame.columns
    )
    assert "likes_given" not in frame.columns  # optional column never provided
    assert frame.columns[0] == "account_id" and frame.schema["has_profile_pic"] == pl.Float64


def test_a_feature_that_came_out_null_for_everyone_is_absent():
    # display names present but all empty: the digit ratio is NULL for every account
    accounts = _accounts(display_name=["", "", ""])
    frame = feats.profile_features(accounts)
    assert "display_name_digit_ratio" not in frame.columns
    kept = feats.profile_features(_accounts())
    assert frame.columns == [c for c in kept.columns if c != "display_name_digit_ratio"]
    same = [
        c for c in frame.columns if not c.startswith("display_name") and c != "name_equals_username"
    ]
    assert frame.select(same).equals(kept.select(same))


def test_imported_derived_values_extra_columns_and_observed_at():
    accounts = pl.DataFrame(
        {
            "username_digit_ratio": [0.25, 0.0],
            "follower_count": [3, 40],
            "extra_listed": [1, 7],
            "created_at": [datetime(2024, 1, 1), datetime(2024, 1, 1)],
            "observed_at": [datetime(2024, 1, 11), datetime(2024, 1, 2)],
        }
    )
    frame = feats.profile_features(accounts)
    assert frame["username_digit_ratio"].to_list() == [0.25, 0.0]
    assert frame["extra_listed"].to_list() == [1.0, 7.0]
    assert frame["account_age_days"].to_list() == [10.0, 1.0]
    assert "username_length" not in frame.columns


def test_behaviour_features_from_follows():
    follows = [
        (2, 10, T0 + timedelta(minutes=5)),
        (2, 11, T0 + timedelta(minutes=15)),
        (2, 12, T0 + timedelta(minutes=35)),
        (2, 13, T0 + timedelta(days=5)),
        (1, 10, T0 + timedelta(days=1)),
    ]
    con = _workspace(_accounts(), follows)
    feats.build_account_features(con)
    frame = con.sql("select * from account_features").pl()
    two, one, three = _row(frame, 2), _row(frame, 1), _row(frame, 3)
    assert two["follows_made"] == 4 and two["max_follows_in_hour"] == 3
    assert two["median_follow_gap_min"] == 20.0  # gaps 10, 20, 7165 minutes
    assert two["first_follow_age_hours"] == pytest.approx(5 / 60)
    assert two["early_follow_share"] == 0.75
    assert two["follows_per_active_day"] == 2.0
    assert one["early_follow_share"] == 0.0 and one["median_follow_gap_min"] is None
    assert three["follows_made"] is None  # never followed anyone: not observed, not zero
    assert frame.schema["follows_made"] == pl.Float64


def test_lockstep_and_creation_cohort():
    accounts = _accounts(created_at=[T0, T0 + timedelta(minutes=10), T0 - timedelta(days=9)])
    follows = []
    for account, offset in ((1, 0), (2, 3)):  # same two creators, same order, same window
        follows += [
            (account, 10, T0 + timedelta(hours=1, minutes=offset)),
            (account, 11, T0 + timedelta(hours=1, minutes=offset + 2)),
        ]
    follows += [(3, 10, T0 + timedelta(hours=1)), (3, 11, T0 + timedelta(days=2))]
    con = _workspace(accounts, follows)
    feats.build_account_features(con)
    frame = con.sql("select * from account_features").pl()
    assert [_row(frame, i)["lockstep_score"] for i in (1, 2, 3)] == [1.0, 1.0, 0.0]
    assert [_row(frame, i)["creation_cohort_size"] for i in (1, 2, 3)] == [1.0, 1.0, 0.0]


def test_spike_share_uses_counts_only():
    accounts = pl.DataFrame(
        {
            "account_id": list(range(1, 61)),
            "username": [f"u{i}" for i in range(1, 61)],
            "created_at": [T0 - timedelta(days=100)] * 60,
            "has_profile_pic": [True] * 60,
            "follower_count": [1] * 60,
            "following_count": [1] * 60,
            "video_count": [1] * 60,
        }
    )
    # creator 100 gains one follower a day for 20 days, then 40 on one day
    follows = [(i, 100, T0 + timedelta(days=i)) for i in range(1, 21)]
    follows += [(i, 100, T0 + timedelta(days=30, minutes=i)) for i in range(21, 61)]
    con = _workspace(accounts, follows)
    feats.build_account_features(con)
    frame = con.sql("select * from account_features").pl()
    assert _row(frame, 5)["spike_follow_share"] == 0.0
    assert _row(frame, 40)["spike_follow_share"] == 1.0


def test_without_follows_only_profile_features():
    con = _workspace(_accounts(), None)
    feats.build_account_features(con)
    columns = con.sql("select * from account_features").pl().columns
    assert "lockstep_score" not in columns and "has_profile_pic" in columns


@pytest.mark.parametrize("name", list(catalogue.FEATURES))
def test_every_feature_is_described_and_phrased(name):
    feature = catalogue.FEATURES[name]
    assert feature.description.endswith(".") and feature.group in {
        "profile",
        "behaviour",
        "coordination",
    }
    for value in (None, math.nan):
        assert catalogue.reason(name, value).startswith("Not observed: ")
    for value in (0.0, 1.0, 312.0, 0.35, 45000.0, -3.0):
        sentence = catalogue.reason(name, value)
        assert sentence and not re.search(r"Not observed|\bnan\b|\bNone\b|\{", sentence), sentence


def test_feature_sentences_read_as_written():
    assert catalogue.reason("max_follows_in_hour", 312.0) == "Followed 312 accounts in one hour"
    assert catalogue.reason("has_profile_pic", 0.0) == "No profile picture"
    assert catalogue.reason("first_follow_age_hours", 2.0) == "Created 2 h before its first follow"


def test_unobserved_values_are_never_phrased_as_zero():
    assert (
        catalogue.reason("likes_given", None)
        == "Not observed: likes the account has given to others"
    )
    assert catalogue.reason("spike_follow_share", math.nan).startswith("Not observed: share of its")
    assert catalogue.reason("likes_given", 0.0) == "Never liked anything"
    assert catalogue.reason("extra_listed", 4.0) == "extra_listed = 4"


@pytest.mark.parametrize(
    "name, value, sentence",
    [
        ("video_count", 1, "Posted 1 video"),
        ("video_count", 3, "Posted 3 videos"),
        ("following_count", 1, "Follows 1 account"),
        ("follower_count", 2, "2 followers"),
    ],
)
def test_counts_read_as_english(name, value, sentence):
    assert catalogue.reason(name, value) == sentence


# --- platform context of follows (issue 10) ---------------------------------------------------


def _context_world(rows: list[tuple[int, datetime, int, datetime]]):
    """A workspace from (account, created_at, creator, followed_at) rows."""
    created = {}
    for account, born, _, _ in rows:
        created[account] = born
    accounts = pl.DataFrame(
        {
            "account_id": list(created),
            "username": [f"u{a}" for a in created],
            "created_at": list(created.values()),
            "has_profile_pic": [True] * len(created),
            "follower_count": [1] * len(created),
            "following_count": [1] * len(created),
            "video_count": [0] * len(created),
        }
    )
    follows = [(a, c, t) for a, _, c, t in rows]
    con = _workspace(accounts, follows)
    feats.build_account_features(con)
    return con.sql("select * from account_features").pl()


def _background(creators, days, per_day, first_id):
    """Organic follows: each creator gains `per_day` old accounts a day, each created on its own day."""
    rows, account = [], first_id
    for day in range(days):
        for creator in creators:
            for k in range(per_day):
                born = T0 - timedelta(days=400 + account % 997)
                rows.append((account, born, creator, T0 + timedelta(days=day, hours=10 + k)))
                account += 1
    return rows, account


def test_creation_day_cohort_tells_a_bought_aged_batch_from_a_sign_up_wave():
    rows, next_id = _background([10, 11, 12, 13], days=10, per_day=4, first_id=1000)
    batch_day, wave_day = T0 + timedelta(days=5, hours=14), T0 + timedelta(days=7, hours=14)
    aged = T0 - timedelta(days=700)
    batch = list(range(next_id, next_id + 12))  # aged accounts, one creation day, one creator
    rows += [(a, aged, 10, batch_day + timedelta(minutes=i)) for i, a in enumerate(batch)]
    wave = list(range(next_id + 100, next_id + 120))  # sign-ups of the day, three creators
    rows += [
        (a, wave_day - timedelta(minutes=5), c, wave_day + timedelta(minutes=i))
        for i, a in enumerate(wave)
        for c in (11, 12, 13)
    ]
    frame = _context_world(rows)
    cohort = dict(zip(frame["account_id"], frame["creation_day_cohort"], strict=True))
    assert min(cohort[a] for a in batch) > 5
    assert max(cohort[a] for a in wave) < 2
    assert cohort[1000] == 1.0  # an organic follower: no cohort at all


def test_shared_sequence_finds_accounts_following_the_same_creators_back_to_back():
    rows, account = [], 1
    rng = np.random.default_rng(0)
    for _ in range(40):  # people follow two of ten creators, a few hours apart
        a, b = rng.choice(np.arange(30, 40), 2, replace=False)
        rows += [
            (account, T0, int(a), T0 + timedelta(hours=1)),
            (account, T0, int(b), T0 + timedelta(hours=5)),
        ]
        account += 1
    farm = list(range(500, 506))  # a seller's accounts deliver buyers 20 then 21, days apart
    for i, a in enumerate(farm):
        start = T0 + timedelta(days=i * 3)
        rows += [(a, T0, 20, start), (a, T0, 21, start + timedelta(hours=20))]
    frame = _context_world(rows)
    shared = dict(zip(frame["account_id"], frame["shared_sequence"], strict=True))
    assert min(shared[a] for a in farm) > 3
    assert np.median([shared[a] for a in range(1, 41)]) < 2


def test_newcomer_wave_tells_a_platform_wide_sign_up_wave_from_a_batch_for_one_creator():
    rows, account = [], 1
    for day in range(10):  # a trickle of sign-ups follows the three suggested creators daily
        for creator in (40, 41, 42, 43):
            for _ in range(2 if creator < 43 else 0):
                born = T0 + timedelta(days=day, hours=9)
                rows.append((account, born, creator, born + timedelta(minutes=3)))
                account += 1
    wave_day = T0 + timedelta(days=4, hours=18)
    wave = list(range(900, 930))
    rows += [
        (a, wave_day, c, wave_day + timedelta(minutes=2 + j))
        for a in wave
        for j, c in enumerate((40, 41, 42))
    ]
    batch_day = T0 + timedelta(days=6, hours=3)
    batch = list(range(2000, 2030))
    rows += [(a, batch_day, 43, batch_day + timedelta(minutes=10)) for a in batch]
    frame = _context_world(rows)
    wave_ratio = dict(zip(frame["account_id"], frame["newcomer_wave"], strict=True))
    assert max(wave_ratio[a] for a in wave) < 2
    assert min(wave_ratio[a] for a in batch) > 10


def test_follow_span_activity_after_and_target_popularity():
    accounts = _accounts(last_active_at=[T0 + timedelta(days=30), T0 + timedelta(days=1), None])
    follows = [
        (1, 10, T0 + timedelta(days=1)),
        (1, 11, T0 + timedelta(days=11)),
        (2, 10, T0 + timedelta(hours=12)),
        (3, 10, T0 + timedelta(hours=13)),
    ]
    con = _workspace(accounts, follows)
    feats.build_account_features(con)
    frame = con.sql("select * from account_features").pl()
    one, two, three = _row(frame, 1), _row(frame, 2), _row(frame, 3)
    assert one["follow_span_days"] == pytest.approx(10.0) and two["follow_span_days"] == 0.0
    assert one["active_after_follows_days"] == pytest.approx(19.0)
    assert two["active_after_follows_days"] == pytest.approx(0.5)
    assert three["active_after_follows_days"] is None  # last activity not observed
    # creator 10 has three followers, creator 11 one: ranks 1 and 0
    assert two["target_popularity"] == 1.0 and one["target_popularity"] == 0.5
