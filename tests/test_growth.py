"""Growth spikes on hand-made series: a bought burst, an explained viral day, a drip-feed."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import polars as pl
import pytest
from growth_world import BURST_DAY, DRIP_DAYS, START, VIRAL_DAY, make_world

from followaudit.cli import spikes as spikes_cli
from followaudit.growth import baseline, verdicts
from followaudit.growth import spikes as growth
from followaudit.store.workspace import materialize


def _series(gain, views=None, flagged=None) -> pl.DataFrame:
    n = len(gain)
    return pl.DataFrame(
        {
            "creator_id": [7] * n,
            "date": [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(n)],
            "new_follows": np.asarray(gain, dtype=np.int64),
            "views": np.asarray(views if views is not None else [5000] * n, dtype=np.int64),
            "likes": np.asarray(views if views is not None else [5000] * n, dtype=np.int64) // 10,
            "flagged_follows": np.asarray(flagged if flagged is not None else [0] * n),
        }
    )


def _noisy(n=80, level=100, seed=1) -> np.ndarray:
    return np.random.default_rng(seed).poisson(level, n)


def test_flat_series_has_no_spikes():
    assert growth.detect_spikes(_series(_noisy())).is_empty()


def test_known_spike_is_found_with_its_excess():
    gain = _noisy()
    gain[50] += 3000
    flagged = np.zeros(80, dtype=np.int64)
    flagged[50] = 2900
    spikes = growth.detect_spikes(_series(gain, flagged=flagged))
    assert spikes.height == 1
    spike = spikes.row(0, named=True)
    assert spike["start"] == spike["end"] == dt.date(2024, 2, 20)
    assert spike["excess"] == pytest.approx(3000, rel=0.05)
    assert spike["verdict"] == "suspicious"
    assert spike["kind"] == "burst"


def test_viral_spike_with_views_is_explained():
    gain, views = _noisy(), np.full(80, 5000)
    gain[50] += 4000  # twice what 20x views alone predict, but genuine followers
    views[50] *= 20
    spikes = growth.detect_spikes(_series(gain, views=views))
    assert spikes.height == 1
    assert spikes["verdict"][0] == "explained"
    assert "views rose" in spikes["reason"][0]


def test_same_gain_without_views_and_young_cohort_is_suspicious():
    gain = _noisy()
    gain[50] += 2500
    daily = _series(gain).with_columns(
        pl.when(pl.col("date") == dt.date(2024, 2, 20))
        .then(2400)
        .otherwise(0)
        .alias("young_follows")
    )
    spikes = growth.detect_spikes(daily)
    assert spikes["verdict"].to_list() == ["suspicious"]


def test_drip_feed_is_found_from_follower_quality():
    gain, flagged = _noisy(90), np.random.default_rng(2).poisson(1, 90)
    gain[50:75] += 25  # +25 % a day for weeks: invisible in the count alone
    flagged[50:75] += 25
    spikes = growth.detect_spikes(_series(gain, flagged=flagged))
    assert spikes.height == 1
    spike = spikes.row(0, named=True)
    assert spike["kind"] == "drip" and spike["verdict"] == "suspicious"
    assert spike["start"] <= dt.date(2024, 2, 21) and spike["end"] >= dt.date(2024, 3, 14)
    assert spike["excess"] > 400


def _fading_creator(seed=3, n=180):
    """Organic gain falling from 400 to 60 a day; stray flagged followers at a steady 3 a day."""
    rng = np.random.default_rng(seed)
    gain = rng.poisson(np.linspace(400, 60, n))
    return gain, rng.poisson(3, n)


def test_steady_stray_fakes_on_a_fading_creator_are_not_suspicious():
    # A whole-series flagged *share* would expect ~1 a day late on and call the tail a drip.
    gain, flagged = _fading_creator()
    spikes = growth.detect_spikes(_series(gain, views=np.full(180, 5000), flagged=flagged))
    assert spikes.filter(pl.col("verdict") == "suspicious").is_empty()


def test_drip_while_a_creator_grows_fast_is_found():
    # +2 flagged a day for 5 weeks on 3 stray a day: invisible as a share of 350 follows a day.
    gain, flagged = _fading_creator()
    flagged[20:55] += 2
    gain[20:55] += 2
    spikes = growth.detect_spikes(_series(gain, views=np.full(180, 5000), flagged=flagged))
    found = spikes.filter(pl.col("verdict") == "suspicious")
    assert found.height == 1
    drip = found.row(0, named=True)
    assert drip["kind"] == "drip"
    assert drip["start"] <= dt.date(2024, 1, 21) + dt.timedelta(days=7)
    assert drip["end"] >= dt.date(2024, 1, 21) + dt.timedelta(days=27)


def test_flagged_followers_from_one_creation_day_make_a_spike_suspicious():
    spike = {
        "excess": [-50.0],
        "flagged_excess": [30.0],
        "quality_z": [4.5],
        "flagged_share": [0.04],
        "young_share": [0.02],
        "views_ratio": [1.0],
        "days": [30],
        "flagged_cohort": [25],
        "flagged_cohort_share": [0.5],
    }
    batch = verdicts.assign_verdict(pl.DataFrame(spike))
    assert batch["verdict"][0] == "suspicious"
    spread = verdicts.assign_verdict(
        pl.DataFrame({**spike, "flagged_cohort": [4], "flagged_cohort_share": [0.08]})
    )
    assert spread["verdict"][0] == "unexplained"  # genuine-looking, but nothing accounts for it


def test_weekday_seasonality_is_not_a_spike():
    weekday = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 2.2, 2.2] * 12)
    gain = np.random.default_rng(3).poisson(100 * weekday)
    assert growth.detect_spikes(_series(gain)).is_empty()


def test_expected_band_brackets_expected():
    frame = baseline.expected_gain(_series(_noisy()))
    assert (frame["expected_low"] <= frame["expected"]).all()
    assert (frame["expected"] <= frame["expected_high"]).all()


def test_quiet_days_are_filled_with_zero_gain():
    daily = _series([5, 6]).with_columns(
        pl.Series("date", [dt.date(2024, 1, 1), dt.date(2024, 1, 4)])
    )
    dense = baseline.densify(daily)
    assert dense["new_follows"].to_list() == [5, 0, 0, 6]


@pytest.fixture(scope="module")
def world():
    con = make_world()
    materialize(con, "creator_daily", "growth/creator_daily")
    growth.build_growth(con)
    yield con
    con.close()


def _day(i: int) -> dt.date:
    return (START + dt.timedelta(days=i)).date()


def test_build_growth_finds_burst_viral_and_drip(world):
    spikes = growth.list_spikes(world).sort("start")
    by_start = {row["start"]: row for row in spikes.iter_rows(named=True)}
    burst, viral = by_start[_day(BURST_DAY)], by_start[_day(VIRAL_DAY)]
    assert burst["verdict"] == "suspicious" and burst["cohort_share"] > 0.8
    assert burst["young_share"] > 0.8 and burst["nopic_share"] > 0.8
    assert viral["verdict"] == "explained"
    drip = spikes.filter(pl.col("kind") == "drip").row(0, named=True)
    assert drip["verdict"] == "suspicious"
    assert drip["start"] <= _day(DRIP_DAYS[2]) and drip["end"] >= _day(DRIP_DAYS[-3])


def test_spike_followers_lists_the_burst_accounts(world):
    spike_id = growth.list_spikes(world).filter(pl.col("start") == _day(BURST_DAY))["spike_id"][0]
    followers = growth.spike_followers(world, spike_id)
    assert followers.height > 800
    top = followers.row(0, named=True)
    assert top["score"] > 0.9 and top["age_at_follow_days"] < 2 and not top["has_profile_pic"]
    assert top["cohort_size"] >= 800
    assert growth.spike_followers(world, spike_id, limit=10).height == 10


def test_creator_series_marks_spike_days(world):
    series = growth.creator_series(world, 1)
    assert series.height == 90
    marked = series.filter(pl.col("date") == _day(BURST_DAY))
    assert marked["spike_verdict"].to_list() == ["suspicious"]
    assert growth.creator_series(world, 999).is_empty()


def test_annotated_spike_leaves_the_suspicious_list(world):
    notes = pl.DataFrame(
        {
            "creator_id": [1],
            "start": [_day(BURST_DAY)],
            "end": [_day(BURST_DAY)],
            "kind": ["giveaway"],
            "note": ["known"],
        }
    )
    spikes = growth.list_spikes(world, annotations=notes)
    row = spikes.filter(pl.col("start") == _day(BURST_DAY)).row(0, named=True)
    assert row["verdict"] == "annotated" and row["annotation"] == "giveaway: known"
    assert (spikes["verdict"] == "annotated").sum() == 1


def test_list_spikes_by_creator(world):
    assert growth.list_spikes(world, creator_id=1).height >= 3
    assert growth.list_spikes(world, creator_id=2).is_empty()


def test_spikes_json_fields(world):
    rows = spikes_cli.spikes_json(growth.list_spikes(world))
    assert set(rows[0]) == set(spikes_cli.JSON_FIELDS)
    assert dt.date.fromisoformat(rows[0]["start"])
    json.dumps(rows)


def test_cli_spikes_json(tmp_path, world, capsys):
    path = tmp_path / "w.duckdb"
    world.execute(f"attach '{path}' as out")
    world.execute("copy from database memory to out")
    world.execute("detach out")
    args = _spikes_args(["--workspace", str(path), "--json"])
    assert spikes_cli.run(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["verdict"] for r in rows} == {"suspicious", "explained"}


def test_cli_spikes_missing_workspace(tmp_path, capsys):
    from followaudit.cli import main

    assert main(["spikes", "--workspace", str(tmp_path / "no.duckdb")]) == 2
    assert "does not exist" in capsys.readouterr().err


def _spikes_args(argv):
    import argparse

    parser = argparse.ArgumentParser()
    spikes_cli.add_arguments(parser)
    return parser.parse_args(argv)


def test_empty_workspace_builds_empty_tables():

    con = duckdb.connect()
    con.execute(
        "create table accounts(account_id bigint, username varchar, created_at timestamp, has_profile_pic boolean)"
    )
    con.execute(
        "create table follows(follower_id bigint, creator_id bigint, followed_at timestamp, unfollowed_at timestamp)"
    )
    con.execute(
        "create table engagement_daily(creator_id bigint, date date, views bigint, likes bigint, comments bigint, shares bigint)"
    )
    con.execute(
        "create table account_scores(account_id bigint, score double, model_flagged boolean)"
    )
    materialize(con, "creator_daily", "growth/creator_daily")
    growth.build_growth(con)
    assert growth.list_spikes(con).is_empty()
    assert con.execute("select count(*) from spike_followers").fetchone()[0] == 0


def test_densify_keeps_each_creator_from_its_first_day():
    daily = pl.DataFrame(
        {
            "creator_id": [2, 1, 2],
            "date": [dt.date(2024, 1, 3), dt.date(2024, 1, 1), dt.date(2024, 1, 1)],
            "new_follows": [3, 1, 2],
            "followers_total": [5, 1, 2],
        }
    )
    dense = baseline.densify(daily)
    assert dense["creator_id"].to_list() == [1, 1, 1, 2, 2, 2]
    assert dense["new_follows"].to_list() == [1, 0, 0, 2, 0, 3]
    assert dense["followers_total"].to_list() == [1, None, None, 2, None, 5]


def test_window_sums_stay_inside_each_creator():
    blocks = baseline._Blocks(np.array([1, 1, 1, 2, 2]))
    values = np.array([1.0, 2.0, 3.0, 10.0, 20.0])
    assert np.allclose(blocks.trailing_sum(values, 2), [np.nan, 3, 5, np.nan, 30], equal_nan=True)
    assert np.allclose(blocks.sum_before(values, 2, 1), [np.nan, 1, 3, np.nan, 10], equal_nan=True)
    ahead = blocks.any_ahead(np.array([False, False, True, False, False]), 2)
    assert ahead.tolist() == [False, True, True, False, False]
