"""The phenomena of issue 10 in generated worlds: what breaks naive detectors (docs/generator.md)."""

from __future__ import annotations

import argparse
import datetime as dt
from datetime import datetime

import polars as pl
import pytest

from followaudit.cli import generate as generate_cli
from followaudit.synth import WorldConfig, generate_world

TABLES = ("accounts", "follows", "engagement_daily", "labels", "campaigns", "events")
END = datetime(2026, 9, 30)


def _load(folder) -> dict[str, pl.DataFrame]:
    return {t: pl.read_parquet(folder / f"{t}.parquet") for t in TABLES}


def _daily_gains(world) -> pl.DataFrame:
    gains = (
        world["follows"]
        .group_by("creator_id", pl.col("followed_at").dt.date().alias("date"))
        .len("gained")
    )
    return world["engagement_daily"].join(gains, on=["creator_id", "date"], how="left").fill_null(0)


@pytest.fixture(scope="module")
def mid(tmp_path_factory) -> dict[str, pl.DataFrame]:
    """A 20,000-account world (about a second): enough campaigns and waves of every kind."""
    out = tmp_path_factory.mktemp("mid_world")
    generate_world(out, WorldConfig(seed=5, accounts=20_000, creators=120), show_progress=False)
    tables = _load(out)
    tables["accounts"] = tables["accounts"].join(tables["labels"], on="account_id")
    made = (
        tables["follows"]
        .group_by("follower_id")
        .agg(pl.len().alias("made"), pl.col("followed_at").min().alias("first_follow"))
    )
    tables["accounts"] = tables["accounts"].join(
        made, left_on="account_id", right_on="follower_id", how="left"
    )
    return tables


def _kind(world, column: str, kind: str) -> pl.DataFrame:
    return world["accounts"].filter(pl.col(column) == kind)


def _with_age(world) -> pl.DataFrame:
    """Follows with the follower's truth and its age at follow time (hours)."""
    accounts = world["accounts"].select("account_id", "created_at", "fake_kind", "genuine_kind")
    return (
        world["follows"]
        .join(accounts, left_on="follower_id", right_on="account_id")
        .with_columns(
            ((pl.col("followed_at") - pl.col("created_at")).dt.total_minutes() / 60).alias("age_h"),
            pl.col("followed_at").dt.date().alias("date"),
        )
    )


def test_onboarding_waves_send_brand_new_accounts_to_many_top_creators_on_one_day(mid):
    follows = _with_age(mid)
    top = follows.group_by("creator_id").len().sort("len", descending=True).head(30)["creator_id"]
    newcomers = (
        follows.filter(pl.col("age_h") < 1)
        .group_by("date")
        .agg(
            pl.len().alias("n"),
            pl.col("creator_id").n_unique().alias("creators"),
            pl.col("creator_id").is_in(top.implode()).mean().alias("top_share"),
        )
    )
    waves = mid["events"].filter(pl.col("kind") == "onboarding")["date"].unique()
    on_waves = newcomers.filter(pl.col("date").is_in(waves.implode()))
    usual = newcomers.filter(~pl.col("date").is_in(waves.implode()))["n"].median()
    assert on_waves["n"].min() > 3 * usual
    assert on_waves["creators"].min() >= 10 and on_waves["top_share"].median() > 0.6
    users = _kind(mid, "genuine_kind", "onboarding")
    minutes = (users["first_follow"] - users["created_at"]).dt.total_minutes()
    assert (minutes < 10).mean() > 0.9
    # fresh sign-ups have empty profiles; those who stay fill them in within about a month
    fresh = users.filter(pl.col("created_at") >= END - dt.timedelta(days=5))
    settled = users.filter(pl.col("created_at") < END - dt.timedelta(days=90))
    assert fresh["has_profile_pic"].mean() < 0.4 and fresh["video_count"].median() == 0
    assert settled["has_profile_pic"].mean() > fresh["has_profile_pic"].mean() + 0.25


def test_a_regional_launch_brings_local_sign_ups_within_a_week_who_follow_local_creators(mid):
    users = _kind(mid, "genuine_kind", "regional_launch")
    assert users.height >= 500 and users["region"].n_unique() == 1
    assert (users["created_at"].max() - users["created_at"].min()).days <= 7
    region = users["region"][0]
    local = _kind(mid, "genuine_kind", "creator").filter(pl.col("region") == region)["account_id"]
    first = (
        mid["follows"]
        .join(
            users.select("account_id", "created_at"), left_on="follower_id", right_on="account_id"
        )
        .filter((pl.col("followed_at") - pl.col("created_at")).dt.total_minutes() < 30)
    )
    assert first["creator_id"].is_in(local.implode()).mean() > 0.9


def _lift(world, kind: str, days: int) -> pl.DataFrame:
    """Views and follows of each event's first `days` days relative to the creator's median day."""
    daily = _daily_gains(world).with_columns(
        (pl.col("views") / pl.col("views").median().over("creator_id")).alias("view_lift"),
        (pl.col("gained") / pl.col("gained").median().over("creator_id").clip(1)).alias("lift"),
    )
    events = world["events"].filter(pl.col("kind") == kind).with_row_index("event")
    return (
        events.join(daily, on="creator_id", suffix="_day")
        .filter(
            pl.col("date_day").is_between(
                pl.col("date"), pl.col("date") + pl.duration(days=days - 1)
            )
        )
        .group_by("event")
        .agg(pl.col("view_lift").median(), pl.col("lift").median())
    )


def test_featured_creators_gain_views_and_followers_together_for_days(mid):
    featured = _lift(mid, "featured", 3)
    assert featured["view_lift"].median() > 2.5 and featured["lift"].median() > 2


def test_organic_acceleration_multiplies_growth_within_a_month(mid):
    events = mid["events"].filter(pl.col("kind") == "acceleration").with_row_index("event")
    daily = _daily_gains(mid)
    joined = events.join(daily, on="creator_id", suffix="_day").with_columns(
        (pl.col("date_day") - pl.col("date")).dt.total_days().alias("offset")
    )
    ratio = joined.group_by("event").agg(
        pl.col("gained").filter(pl.col("offset").is_between(35, 48)).mean()
        / pl.col("gained").filter(pl.col("offset").is_between(-14, -1)).mean()
    )
    assert ratio["gained"].median() > 2


def test_second_accounts_refollow_their_owners_favourites_right_after_creation(mid):
    seconds = _kind(mid, "genuine_kind", "second_account")
    follows = _with_age(mid).filter(pl.col("genuine_kind") == "second_account")
    early = follows.group_by("follower_id").agg((pl.col("age_h") < 6).sum().alias("early"))
    assert seconds.height > 0.02 * mid["accounts"].height
    assert early["early"].median() >= 3
    handles = seconds["username"].str.contains(r"(backup|alt|_priv|_spam|2nd|[._]?2)$")
    assert 0.3 < handles.mean() < 0.9


def test_premium_bots_are_aged_and_real_looking_and_come_in_big_batches_without_views(mid):
    bots = _kind(mid, "fake_kind", "premium")
    age_days = (END - bots["created_at"]).dt.total_days()
    assert age_days.min() >= 365 and age_days.median() > 700
    assert bots["has_profile_pic"].mean() > 0.85 and bots["bio"].is_not_null().mean() > 0.5
    assert bots["video_count"].median() >= 1 and bots["likes_given"].median() > 100
    campaigns = (
        mid["campaigns"]
        .filter(pl.col("kind") == "premium")
        .with_columns(pl.col("start").dt.date().alias("date"))
    )
    days = _daily_gains(mid).with_columns(
        (pl.col("gained") / pl.col("gained").median().over("creator_id").clip(1)).alias("lift"),
        (pl.col("views") / pl.col("views").median().over("creator_id")).alias("view_lift"),
    )
    hit = campaigns.join(days, on=["creator_id", "date"])
    big = hit.filter(pl.col("accounts") >= 100)
    assert big["lift"].median() > 5 and big["view_lift"].median() < 1.5


def test_low_and_slow_farms_deliver_a_few_accounts_a_day_for_months(mid):
    slow = mid["campaigns"].filter(pl.col("kind") == "slow")
    assert ((slow["end"] - slow["start"]).dt.total_days() >= 45).all()
    per_day = (slow["accounts"] / (slow["end"] - slow["start"]).dt.total_days()).max()
    assert per_day <= 8
    bots = _kind(mid, "fake_kind", "slow")
    assert (bots["created_at"].max() - bots["created_at"].min()).days >= 45


def test_bundled_packages_add_views_and_likes_but_no_shares(mid):
    daily = _daily_gains(mid).with_columns(
        (pl.col("views") / pl.col("views").median().over("creator_id")).alias("view_lift"),
        (pl.col("shares") / pl.col("views")).alias("share_rate"),
        (pl.col("shares") / pl.col("views")).median().over("creator_id").alias("usual_rate"),
    )
    bundled = (
        mid["campaigns"]
        .filter(pl.col("kind") == "bundled")
        .with_columns(pl.col("start").dt.date().alias("date"))
    )
    hit = bundled.join(daily, on=["creator_id", "date"])
    assert hit["view_lift"].median() > 2.5
    assert hit.height >= 2 and (hit["share_rate"] < 0.6 * hit["usual_rate"]).all()


def test_single_target_batches_follow_one_creator_and_nobody_else(mid):
    bots = _with_age(mid).filter(pl.col("fake_kind") == "single_target")
    assert (
        bots.group_by("follower_id").agg(pl.col("creator_id").n_unique())["creator_id"].max() == 1
    )
    assert bots["age_h"].median() < 24


def test_viral_cover_campaigns_start_inside_a_viral_moment_of_their_creator(mid):
    viral = mid["events"].filter(pl.col("kind") == "viral").select("creator_id", "date")
    cover = (
        mid["campaigns"]
        .filter(pl.col("kind") == "viral_cover")
        .with_columns(pl.col("start").dt.date().alias("start_day"))
    )
    inside = cover.join(viral, on="creator_id").filter(
        pl.col("start_day").is_between(pl.col("date"), pl.col("date") + pl.duration(days=2))
    )
    assert cover.height > 0 and inside["campaign_id"].n_unique() == cover.height


def test_observed_follows_are_a_small_part_of_what_genuine_users_follow(mid):
    genuine = (
        mid["accounts"]
        .filter(pl.col("label") == "genuine")
        .with_columns(pl.col("made").fill_null(0))
    )
    fakes = mid["accounts"].filter(pl.col("label") == "fake")
    # following_count is not the observed follows: people follow many creators we do not see
    assert (genuine["following_count"] > genuine["made"]).mean() > 0.97
    assert (genuine["made"] / genuine["following_count"]).median() < 0.2
    # and following few of the observed creators is common among genuine users too
    assert (genuine["made"] <= 5).mean() > 0.3
    low, high = genuine["made"].quantile(0.1), genuine["made"].quantile(0.9)
    assert low <= fakes["made"].median() <= high


def test_generate_command_sets_any_knob(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    generate_cli.add_arguments(parser)
    args = ["--out", str(tmp_path / "w"), "--accounts", "2000", "--creators", "20"]
    assert generate_cli.run(parser.parse_args([*args, "--set", "fake_share=0.02"])) == 0
    labels = pl.read_parquet(tmp_path / "w" / "labels.parquet")
    assert (labels["label"] == "fake").sum() == round(1980 * 0.02)


@pytest.mark.parametrize(
    ("knob", "message"),
    [
        ("nonsense=1", "expected KNOB=VALUE with KNOB one of"),
        ("fake_share=lots", "is not a number"),
        ("fake_share=1.5", "fake_share is a share"),
        ("premium_share=0.6", "must add up to at most 1"),
    ],
)
def test_generate_command_rejects_bad_knobs(tmp_path, capsys, knob, message):
    parser = argparse.ArgumentParser()
    generate_cli.add_arguments(parser)
    args = parser.parse_args(
        ["--out", str(tmp_path / "w"), "--set", knob, "--set", "slow_share=0.5"]
    )
    assert generate_cli.run(args) == 2
    assert message in capsys.readouterr().err
