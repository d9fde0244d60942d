"""Spike verdicts against the platform's same-day baseline (issue 10): the rules on hand-made
spikes, and the platform context SQL on a hand-made world."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import polars as pl
import pytest
from growth_world import START

from followaudit.growth import verdicts
from followaudit.store.workspace import run_query


def _spike(**overrides) -> pl.DataFrame:
    """A 1-day spike of 300 extra followers, none flagged, views flat, nothing else known."""
    row = {
        "followers_gained": 330,
        "expected_followers": 30.0,
        "excess": 300.0,
        "flagged_excess": 0.0,
        "quality_z": 0.0,
        "flagged_share": 0.0,
        "young_share": 0.9,
        "views_ratio": 1.1,
        "days": 1,
    } | overrides
    return pl.DataFrame({k: [v] for k, v in row.items()})


@pytest.mark.parametrize(
    ("overrides", "verdict", "words"),
    [
        # sign-ups who also followed many other creators in their first hour: the app's list
        (
            {"platform_young": 297.0, "platform_young_expected": 120.0, "signup_followers": 290.0,
             "wave_breadth": 25.0},
            "explained",
            "platform-wide sign-up wave",
        ),
        # the same followers, but they followed nobody else: bought for this creator
        (
            {"platform_young": 297.0, "platform_young_expected": 4.0, "signup_followers": 290.0,
             "wave_breadth": 0.0},
            "suspicious",
            "brand-new accounts beyond the platform's sign-ups",
        ),
        # 11x the usual gain, flat views, genuine-looking old accounts: never explained
        ({"young_share": 0.0, "platform_young": 0.0, "platform_young_expected": 0.0}, "suspicious", "flat views"),
        # a viral moment: views and comments + shares rose together
        ({"young_share": 0.0, "views_ratio": 8.0, "talk_ratio": 7.0}, "explained", "views rose 8.0x"),
        # views rose but nobody commented or shared: views bought with the followers
        ({"young_share": 0.0, "views_ratio": 8.0, "talk_ratio": 1.0}, "suspicious", "bought"),
        # a 3x gain of genuine-looking accounts without views: nothing accounts for it
        (
            {"followers_gained": 90, "excess": 60.0, "young_share": 0.0, "platform_young": 0.0,
             "platform_young_expected": 0.0},
            "unexplained",
            "neither engagement nor a platform-wide wave",
        ),
        # flagged followers beyond the creator's usual, but the whole platform saw as many
        (
            {"young_share": 0.0, "flagged_excess": 120.0, "quality_z": 9.0, "flagged_share": 0.4,
             "views_ratio": 3.0, "talk_ratio": 3.0, "platform_flagged": 130.0,
             "platform_flagged_expected": 125.0},
            "explained",
            "views rose",
        ),
        # ... and beyond both: low quality
        (
            {"young_share": 0.0, "flagged_excess": 120.0, "quality_z": 9.0, "flagged_share": 0.4,
             "views_ratio": 3.0, "talk_ratio": 3.0, "platform_flagged": 130.0,
             "platform_flagged_expected": 5.0},
            "suspicious",
            "low-quality followers",
        ),
    ],
)  # fmt: skip
def test_verdict_rules(overrides, verdict, words):
    judged = verdicts.assign_verdict(_spike(**overrides)).row(0, named=True)
    assert judged["verdict"] == verdict
    assert words in judged["reason"]


def _at(day: int, hour: float) -> dt.datetime:
    return START + dt.timedelta(days=day, hours=hour)


def _platform_world(wave_creators: tuple[int, ...]) -> duckdb.DuckDBPyConnection:
    """Six creators with a trickle of sign-ups daily; on day 10 a batch of 200 sign-ups follows
    every creator in `wave_creators`. Creator 1 has a spike on day 10."""
    rng = np.random.default_rng(1)
    accounts, follows = [], []
    for day in range(20):
        for creator in range(1, 7):
            for _ in range(int(rng.poisson(6))):
                born = _at(day, 9)
                accounts.append((len(accounts) + 100, born))
                follows.append((accounts[-1][0], creator, _at(day, 9.5)))
    for _ in range(200):
        accounts.append((len(accounts) + 100, _at(10, 2)))
        follows += [(accounts[-1][0], c, _at(10, 2.2)) for c in wave_creators]
    con = duckdb.connect()
    tables = {
        "accounts": pl.DataFrame(
            accounts, schema=["account_id", "created_at"], orient="row"
        ).with_columns(pl.lit(None, pl.String).alias("region")),
        "follows": pl.DataFrame(
            follows, schema=["follower_id", "creator_id", "followed_at"], orient="row"
        ),
        "account_scores": pl.DataFrame(
            {"account_id": [a for a, _ in accounts], "model_flagged": False}
        ),
        "spikes": pl.DataFrame(
            {
                "spike_id": [1],
                "creator_id": [1],
                "start": [_at(10, 0).date()],
                "end": [_at(10, 0).date()],
            }
        ),
    }
    for name, frame in tables.items():
        con.register("_frame", frame.to_arrow())
        con.execute(f"create table {name} as select * from _frame")
        con.unregister("_frame")
    return con


@pytest.mark.parametrize(
    ("wave_creators", "platform_wide"), [((1, 2, 3, 4, 5, 6), True), ((1,), False)]
)
def test_spike_context_measures_the_platforms_same_day_sign_ups(wave_creators, platform_wide):
    context = run_query(_platform_world(wave_creators), "growth/spike_context").row(0, named=True)
    assert context["platform_young"] >= 200 and context["signup_followers"] >= 200
    expected = context["platform_young_expected"]
    assert (expected > 150) if platform_wide else (expected < 20)
    assert context["wave_breadth"] == (5 if platform_wide else 0)
