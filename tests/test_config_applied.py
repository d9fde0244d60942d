"""A configuration reaches every step it names: no step quietly falls back to the defaults."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import polars as pl
import pytest
from growth_world import make_world

from followaudit.decide.policy import MAX_RISK, Policy, PolicyError
from followaudit.decide.thresholds import ScoreIndex
from followaudit.growth import audience, baseline, verdicts
from followaudit.growth import spikes as growth
from followaudit.store.workspace import materialize, run_query

NEVER = float("inf")
# every route to `suspicious` closed (talk_rise stays: an infinite bar would call every views
# rise bought), and no run long enough to be a drip
LENIENT = dataclasses.replace(
    verdicts.VerdictConfig(),
    **{
        f.name: NEVER
        for f in dataclasses.fields(verdicts.VerdictConfig)
        if f.name not in ("engagement_rise", "talk_rise", "drip_days")
    },
    drip_days=10_000,
)


def _burst_series() -> pl.DataFrame:
    """80 quiet days and one bought burst on day 50 (as in test_growth)."""
    gain = np.random.default_rng(1).poisson(100, 80)
    gain[50] += 3000
    flagged = np.zeros(80, dtype=np.int64)
    flagged[50] = 2900
    return pl.DataFrame(
        {
            "creator_id": [7] * 80,
            "date": [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(80)],
            "new_follows": gain,
            "views": [5000] * 80,
            "likes": [500] * 80,
            "flagged_follows": flagged,
        }
    )


def test_detect_spikes_applies_its_config_to_run_significance():
    assert growth.detect_spikes(_burst_series()).height == 1
    strict = baseline.BaselineConfig(min_run_z=1e9)
    assert growth.detect_spikes(_burst_series(), strict).is_empty()


def test_detect_spikes_applies_its_verdict_config():
    assert growth.detect_spikes(_burst_series())["verdict"].to_list() == ["suspicious"]
    # every route to `suspicious` closed, views flat: nothing in the data explains it
    assert growth.detect_spikes(_burst_series(), verdict=LENIENT)["verdict"].to_list() == [
        "unexplained"
    ]


def test_the_flagged_share_window_follows_the_baseline_config():
    """`_qshare` (the usual flagged share) sums `window` days, trusted after `min_history`."""
    series = _burst_series().with_columns(
        pl.Series("flagged_follows", np.r_[np.zeros(40), np.full(40, 30)]).cast(pl.Int64)
    )
    usual = baseline.expected_gain(series)["_qshare"]
    short = baseline.expected_gain(series, baseline.BaselineConfig(window=7, min_history=3))
    assert not short["_qshare"].equals(usual)


@pytest.fixture()
def world():
    con = make_world()
    materialize(con, "creator_daily", "growth/creator_daily")
    yield con
    con.close()


def test_build_growth_applies_the_verdict_config_to_both_verdicts(world):
    growth.build_growth(world)
    default = world.sql("select verdict, kind from spikes").pl()
    assert "suspicious" in default["verdict"].to_list() and "drip" in default["kind"].to_list()
    # the second verdict (after the spikes' creation cohorts are known) must use it too
    growth.build_growth(world, verdict=LENIENT)
    lenient = world.sql("select verdict, kind from spikes").pl()
    assert lenient.height == default.height
    assert "suspicious" not in set(lenient["verdict"]) and set(lenient["kind"]) == {"burst"}


def test_build_growth_applies_the_baseline_config(world):
    growth.build_growth(world, baseline.BaselineConfig(min_run_z=1e9))
    assert world.sql("select count(*) from spikes").fetchall() == [(0,)]


def test_creator_quality_engagement_window_is_the_named_constant(world, monkeypatch):
    growth.build_growth(world)
    assert audience.quality_params()["engagement_days"] == audience.ENGAGEMENT_DAYS
    usual = run_query(world, "audience/creator_quality", audience.quality_params())
    monkeypatch.setattr(audience, "ENGAGEMENT_DAYS", 1)
    last_day = run_query(world, "audience/creator_quality", audience.quality_params())
    assert not last_day["engagement_rate"].equals(usual["engagement_rate"])


def test_the_optimisers_flag_nobody_is_a_valid_policy_threshold():
    top_genuine = ScoreIndex(np.array([0.9, 0.8]), np.array([0.9, 0.8]), np.array([0, 1]))
    nobody = top_genuine.optimise_cost(1e6, 1.0)["threshold"]
    assert nobody == MAX_RISK
    assert Policy("capped", threshold=nobody).threshold == MAX_RISK
    with pytest.raises(PolicyError, match="not in 0"):
        Policy("above", threshold=MAX_RISK + 0.01)
