"""Audience quality and the purge simulation on hand-made worlds and score histograms."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from growth_world import make_world

from followaudit.growth import audience
from followaudit.growth import spikes as growth
from followaudit.store.workspace import materialize


def _hist(rows) -> pl.DataFrame:
    """Purge input rows: (creator_id, bin, followers, followers_total, daily_engagement)."""
    frame = pl.DataFrame(
        rows,
        schema=["creator_id", "bin", "followers", "followers_total", "daily_engagement"],
        orient="row",
    )
    return frame.with_columns(pl.format("c{}", "creator_id").alias("username"))


def test_purge_removes_bins_at_or_above_threshold():
    hist = _hist([(1, 100, 900, 1000, 50.0), (1, 500, 60, 1000, 50.0), (1, 999, 40, 1000, 50.0)])
    row = audience.purge_simulation(hist, 0.5).row(0, named=True)
    assert row["followers_before"] == 1000 and row["followers_after"] == 900
    assert row["loss_share"] == pytest.approx(0.1)
    assert row["engagement_rate_before"] == pytest.approx(0.05)
    assert row["engagement_rate_after"] == pytest.approx(50 / 900)
    assert audience.purge_simulation(hist, 0.501).row(0, named=True)["removed"] == 40


def test_purge_counts_levels():
    hist = _hist(
        [
            (1, 0, 100, 100, 1.0),
            (2, 0, 94, 100, 1.0),
            (2, 900, 6, 100, 1.0),
            (3, 0, 70, 100, 1.0),
            (3, 900, 30, 100, 1.0),
        ]
    )
    counts = audience.purge_counts(audience.purge_simulation(hist, 0.9))
    assert counts == {
        "over_5pct": 2,
        "over_10pct": 1,
        "over_25pct": 1,
        "creators": 3,
        "followers_removed": 36,
    }


def test_purge_rejects_bad_threshold():
    with pytest.raises(ValueError, match="between 0 and 1"):
        audience.purge_simulation(_hist([(1, 0, 1, 1, 0.0)]), 1.5)


@pytest.fixture(scope="module")
def world():
    con = make_world()
    materialize(con, "creator_daily", "growth/creator_daily")
    growth.build_growth(con)
    audience.build_audience(con)
    yield con
    con.close()


def test_score_hist_counts_current_followers(world):
    hist = world.execute("select sum(followers) from creator_score_hist").fetchone()[0]
    follows = world.execute("select count(*) from follows where unfollowed_at is null").fetchone()[
        0
    ]
    assert hist == follows
    bins = world.execute("select distinct bin from creator_score_hist order by bin").fetchall()
    assert [b for (b,) in bins] == [20, 970]


def test_creator_quality_components(world):
    row = audience.creator_quality(world, 1).row(0, named=True)
    fakes = world.execute("select count(*) from account_scores where flagged").fetchone()[0]
    assert row["flagged_share"] == pytest.approx(fakes / row["followers"])
    assert 0 < row["suspicious_growth_share"] < 1
    assert 0 <= row["consistency"] <= 1 and row["size_tier"] == "micro"
    assert 0 <= row["quality_score"] <= 100


def test_quality_drops_with_more_fakes():
    clean, dirty = _quality_for(flagged_extra=0), _quality_for(flagged_extra=3000)
    assert dirty < clean


def _quality_for(flagged_extra: int) -> float:
    con = make_world()
    con.execute(
        "update account_scores set flagged = true, score = 0.99 where account_id in "
        "(select account_id from account_scores where not flagged order by account_id limit $n)",
        {"n": flagged_extra},
    )
    materialize(con, "creator_daily", "growth/creator_daily")
    growth.build_growth(con)
    audience.build_audience(con)
    return audience.creator_quality(con, 1)["quality_score"][0]


def test_purge_from_workspace_connection(world):
    sim = audience.purge_simulation(world, 0.5)
    fakes = world.execute("select count(*) from account_scores where score >= 0.5").fetchone()[0]
    assert sim["removed"].sum() == fakes
    assert (sim["engagement_rate_after"] >= sim["engagement_rate_before"]).all()


def test_quality_without_engagement_leaves_the_engagement_parts_out(
    no_engagement_workspace_path,
):
    """No engagement table: engagement and consistency are unknown (NULL), not zero, and the
    quality score is the weighted mean of the parts that are known (never NaN)."""
    con = duckdb.connect(str(no_engagement_workspace_path), read_only=True)
    try:
        quality = con.sql("select * from creator_quality").pl()
    finally:
        con.close()
    assert quality.height > 0
    assert quality["engagement_rate"].null_count() == quality.height
    assert quality["consistency"].null_count() == quality.height
    assert not quality["quality_score"].is_nan().any()
    assert quality["quality_score"].null_count() == 0
    only_flagged_and_growth = (
        100
        * (
            audience.QUALITY_WEIGHTS["w_flagged"]
            * (1 - (quality["flagged_share"] / audience.QUALITY_CAPS["flagged_cap"]).clip(0, 1))
            + audience.QUALITY_WEIGHTS["w_growth"]
            * (
                1
                - (quality["suspicious_growth_share"] / audience.QUALITY_CAPS["growth_cap"]).clip(
                    0, 1
                )
            )
        )
        / (audience.QUALITY_WEIGHTS["w_flagged"] + audience.QUALITY_WEIGHTS["w_growth"])
    )
    assert (quality["quality_score"] - only_flagged_and_growth.round(1)).abs().max() < 0.051
