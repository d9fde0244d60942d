"""Audience quality and the purge simulation on hand-made worlds."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from growth_world import make_world

from followaudit.growth import audience
from followaudit.growth import spikes as growth
from followaudit.store.workspace import materialize

ENGAGEMENT = pl.DataFrame(
    {"creator_id": [1, 2, 3], "username": ["a", "b", "c"], "daily_engagement": [50.0, 1.0, 1.0]}
)


def test_purge_simulation_removes_what_the_decision_removes():
    losses = pl.DataFrame(
        {"creator_id": [1, 2, 3], "followers": [1000, 100, 100], "followers_lost": [100, 6, 30]}
    )
    sim = audience.purge_simulation(ENGAGEMENT, losses)
    assert sim["creator_id"].to_list() == [3, 1, 2]  # biggest loss first
    row = sim.filter(pl.col("creator_id") == 1).row(0, named=True)
    assert (row["followers_before"], row["removed"], row["followers_after"]) == (1000, 100, 900)
    assert row["loss_share"] == pytest.approx(0.1)
    assert row["engagement_rate_before"] == pytest.approx(0.05)
    assert row["engagement_rate_after"] == pytest.approx(50 / 900)


@pytest.fixture(scope="module")
def world():
    con = make_world()
    materialize(con, "creator_daily", "growth/creator_daily")
    growth.build_growth(con)
    audience.build_audience(con)
    yield con
    con.close()


def test_creator_quality_components(world):
    row = audience.creator_quality(world, 1).row(0, named=True)
    fakes = world.execute("select count(*) from account_scores where model_flagged").fetchone()[0]
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
        "update account_scores set model_flagged = true, score = 0.99 where account_id in "
        "(select account_id from account_scores where not model_flagged order by account_id limit $n)",
        {"n": flagged_extra},
    )
    materialize(con, "creator_daily", "growth/creator_daily")
    growth.build_growth(con)
    audience.build_audience(con)
    return audience.creator_quality(con, 1)["quality_score"][0]


def test_purge_base_gives_each_creators_engagement(world):
    base = audience.purge_base(world)
    assert base.columns == ["creator_id", "username", "daily_engagement"]
    quality = audience.creator_quality(world)
    assert base.height == quality.height


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
