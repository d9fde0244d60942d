"""The synthetic world: determinism, schema, integrity, every phenomenon, inject_campaign."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from followaudit.cli import generate as generate_cli
from followaudit.synth import WorldConfig, generate_world, inject_campaign

TABLES = ("accounts", "follows", "engagement_daily", "labels", "campaigns", "events")
END = datetime(2026, 9, 30)
SCHEMA = {
    "accounts": {
        "account_id": pl.Int64, "username": pl.String, "display_name": pl.String,
        "created_at": pl.Datetime("us"), "has_profile_pic": pl.Boolean, "bio": pl.String,
        "has_external_link": pl.Boolean, "is_private": pl.Boolean, "is_verified": pl.Boolean,
        "follower_count": pl.Int64, "following_count": pl.Int64, "video_count": pl.Int64,
        "likes_received": pl.Int64, "likes_given": pl.Int64, "region": pl.String,
        "last_active_at": pl.Datetime("us"),
    },
    "follows": {
        "follower_id": pl.Int64, "creator_id": pl.Int64,
        "followed_at": pl.Datetime("us"), "unfollowed_at": pl.Datetime("us"),
    },
    "engagement_daily": {
        "creator_id": pl.Int64, "date": pl.Date, "views": pl.Int64, "likes": pl.Int64,
        "comments": pl.Int64, "shares": pl.Int64, "videos_posted": pl.Int64,
    },
    "labels": {
        "account_id": pl.Int64, "label": pl.String, "source": pl.String, "fake_kind": pl.String,
        "genuine_kind": pl.String,
    },
    "campaigns": {
        "campaign_id": pl.Int64, "creator_id": pl.Int64, "kind": pl.String,
        "start": pl.Datetime("us"), "end": pl.Datetime("us"), "accounts": pl.Int64,
    },
    "events": {"creator_id": pl.Int64, "date": pl.Date, "kind": pl.String, "days": pl.Int64},
}  # fmt: skip


def _load(folder: Path) -> dict[str, pl.DataFrame]:
    return {t: pl.read_parquet(folder / f"{t}.parquet") for t in TABLES}


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory) -> Path:
    """A 3,000-account world, small enough to generate in about a second."""
    out = tmp_path_factory.mktemp("small_world")
    generate_world(out, WorldConfig(seed=11, accounts=3000, creators=40), show_progress=False)
    return out


@pytest.fixture(scope="module")
def world(small_dir) -> dict[str, pl.DataFrame]:
    """The small world's tables, with each account's kind of truth joined in."""
    tables = _load(small_dir)
    tables["accounts"] = tables["accounts"].join(tables["labels"], on="account_id")
    return tables


def test_same_seed_gives_identical_frames(small_dir, tmp_path):
    generate_world(
        tmp_path / "again", WorldConfig(seed=11, accounts=3000, creators=40), show_progress=False
    )
    again = _load(tmp_path / "again")
    for table, frame in _load(small_dir).items():
        assert_frame_equal(frame, again[table])


def test_other_seed_gives_another_world(small_dir, tmp_path):
    generate_world(
        tmp_path / "other", WorldConfig(seed=12, accounts=3000, creators=40), show_progress=False
    )
    assert not _load(tmp_path / "other")["follows"].equals(_load(small_dir)["follows"])


@pytest.mark.parametrize("table", TABLES)
def test_columns_and_types_match_the_canonical_format(small_dir, table):
    assert dict(pl.read_parquet_schema(small_dir / f"{table}.parquet")) == SCHEMA[table]


def test_references_and_times_are_consistent(world):
    accounts, follows = world["accounts"], world["follows"]
    ids = accounts["account_id"]
    assert ids.is_unique().all() and accounts["username"].is_unique().all()
    assert follows["follower_id"].is_in(ids.implode()).all()
    assert follows["creator_id"].is_in(ids.implode()).all()
    assert follows.select(pl.struct("follower_id", "creator_id").is_unique().all()).item()
    assert (follows["follower_id"] != follows["creator_id"]).all()
    joined = follows.join(
        accounts.select("account_id", "created_at"), left_on="follower_id", right_on="account_id"
    )
    assert (joined["followed_at"] > joined["created_at"]).all()
    assert follows["followed_at"].max() < END and follows["unfollowed_at"].max() < END
    assert (
        (
            follows.drop_nulls("unfollowed_at").select(
                pl.col("unfollowed_at") > pl.col("followed_at")
            )
        )
        .to_series()
        .all()
    )
    assert (accounts["last_active_at"] >= accounts["created_at"]).all()
    creators = set(world["engagement_daily"]["creator_id"])
    assert (
        set(world["campaigns"]["creator_id"]) <= creators
        and set(world["events"]["creator_id"]) <= creators
    )
    assert world["labels"]["account_id"].sort().equals(ids.sort())
    assert set(world["labels"]["source"]) == {"synthetic_truth"}


def test_counts_never_contradict_the_follows_table(world):
    made = world["follows"].group_by("follower_id").len()
    joined = world["accounts"].join(made, left_on="account_id", right_on="follower_id")
    assert (joined["following_count"] >= joined["len"]).all()
    numeric = ["follower_count", "following_count", "video_count", "likes_received", "likes_given"]
    assert world["accounts"].select((pl.col(numeric) >= 0).all()).row(0) == (True,) * len(numeric)


def test_creator_popularity_is_heavy_tailed(world):
    # (40 creators: heavy users who follow nearly all of them flatten the top a little)
    gained = world["follows"].group_by("creator_id").len()["len"]
    assert gained.max() > 3 * gained.median()


def test_views_follow_a_weekly_rhythm(world):
    daily = world["engagement_daily"].group_by("date").agg(pl.col("views").sum())
    weekend = daily["date"].dt.weekday() >= 6
    assert daily.filter(weekend)["views"].mean() > 1.08 * daily.filter(~weekend)["views"].mean()


def _daily_gains(world) -> pl.DataFrame:
    gains = (
        world["follows"]
        .group_by("creator_id", pl.col("followed_at").dt.date().alias("date"))
        .len("gained")
    )
    return world["engagement_daily"].join(gains, on=["creator_id", "date"], how="left").fill_null(0)


def test_viral_moments_lift_views_and_followers_together(world):
    daily = _daily_gains(world).with_columns(
        (pl.col("views") / pl.col("views").median().over("creator_id")).alias("view_lift"),
        (pl.col("gained") / pl.col("gained").median().over("creator_id").clip(1)).alias(
            "follow_lift"
        ),
    )
    viral = daily.join(world["events"].filter(pl.col("kind") == "viral"), on=["creator_id", "date"])
    assert viral["view_lift"].median() > 3 and viral["follow_lift"].median() > 2


def test_every_event_kind_is_present(world):
    assert set(world["events"]["kind"]) == {
        "viral", "giveaway", "shoutout", "featured", "acceleration", "onboarding", "regional_launch"
    }  # fmt: skip


def test_every_campaign_and_account_kind_is_present(world):
    kinds = {"burst", "drip", "bundled", "viral_cover", "premium", "slow", "single_target"}
    assert set(world["campaigns"]["kind"]) == kinds
    labels = world["labels"]
    assert set(labels["fake_kind"].drop_nulls()) == kinds | {"camouflaged"}
    assert set(labels["genuine_kind"].drop_nulls()) == {
        "creator", "regular", "lurker", "new_user", "onboarding", "regional_launch",
        "viral_signup", "second_account",
    }  # fmt: skip
    fake = labels["label"] == "fake"
    assert labels.filter(fake)["genuine_kind"].null_count() == fake.sum()
    assert labels.filter(~fake)["fake_kind"].null_count() == (~fake).sum()


def test_bursts_last_a_day_and_drips_last_weeks(world):
    spans = world["campaigns"].with_columns(
        ((pl.col("end") - pl.col("start")).dt.total_hours()).alias("hours")
    )
    assert spans.filter(pl.col("kind") == "burst")["hours"].max() <= 24
    drips = spans.filter((pl.col("kind") == "drip") & (pl.col("accounts") >= 20))
    assert drips.height and drips["hours"].min() >= 10 * 24


def _campaign_followers(world, campaign: dict) -> pl.DataFrame:
    fakes = world["accounts"].filter(pl.col("label") == "fake")
    return (
        world["follows"]
        .filter(
            (pl.col("creator_id") == campaign["creator_id"])
            & pl.col("followed_at").is_between(campaign["start"], campaign["end"])
        )
        .join(fakes, left_on="follower_id", right_on="account_id")
    )


def test_campaign_fakes_are_created_together_and_follow_buyers_in_lockstep(world):
    campaigns = world["campaigns"].filter(pl.col("kind") == "burst").sort("start")
    pairs = campaigns.with_columns(
        pl.col("creator_id").shift(-1).alias("next_creator"),
        pl.col("start").shift(-1).alias("next_start"),
    )
    close = pairs.filter((pl.col("next_start") - pl.col("start")).dt.total_minutes() < 30)
    first = close.row(0, named=True)
    cohort = _campaign_followers(world, first)
    assert (cohort["created_at"].max() - cohort["created_at"].min()).days <= 6
    second = (
        world["follows"]
        .filter(pl.col("creator_id") == first["next_creator"])
        .select("follower_id", pl.col("followed_at").alias("second_at"))
    )
    both = cohort.join(second, on="follower_id")
    minutes = (both["second_at"] - both["followed_at"]).dt.total_minutes()
    assert both.height > 0.5 * cohort.height and (minutes.abs() <= 60).mean() > 0.9


def test_fake_kinds_differ_in_camouflage_but_overlap_with_genuine(world):
    acc = world["accounts"].with_columns(pl.col("fake_kind").fill_null("genuine"))
    share = acc.group_by("fake_kind").agg(
        pl.col("has_profile_pic").mean(), pl.col("bio").is_not_null().mean()
    )
    pic = dict(zip(share["fake_kind"], share["has_profile_pic"], strict=True))
    assert {"genuine", "burst", "drip", "camouflaged", "premium"} <= set(pic)
    assert pic["camouflaged"] > 0.75 and pic["burst"] < 0.5 and 0.5 < pic["genuine"] < 0.98
    assert pic["premium"] > 0.85
    camo = acc.filter(pl.col("fake_kind") == "camouflaged")
    assert camo["likes_given"].median() > 0 and camo["bio"].is_not_null().mean() > 0.3


def test_genuine_lurkers_have_no_picture_or_videos_but_like_things(world):
    genuine = world["accounts"].filter(pl.col("label") == "genuine")
    lurkers = genuine.filter(
        ~pl.col("has_profile_pic") & (pl.col("video_count") == 0) & (pl.col("likes_given") > 0)
    )
    assert lurkers.height > 0.08 * genuine.height


def test_platform_removals_cause_follower_drops(world):
    fakes = world["accounts"].filter(pl.col("label") == "fake")["account_id"]
    undone = (
        world["follows"]
        .drop_nulls("unfollowed_at")
        .with_columns(pl.col("unfollowed_at").dt.date().alias("day"))
    )
    by_day = undone.group_by("day").agg(
        pl.col("follower_id").is_in(fakes.implode()).sum().alias("fake_removed"), pl.len()
    )
    sweep = by_day.sort("fake_removed").row(-1, named=True)
    assert (
        sweep["fake_removed"] >= 20 and sweep["fake_removed"] > 10 * by_day["fake_removed"].median()
    )


def test_inject_campaign_plants_labelled_followers(small_dir, tmp_path):
    creator = int(pl.read_parquet(small_dir / "events.parquet")["creator_id"][0])
    before = _load(small_dir)
    info = inject_campaign(
        small_dir, tmp_path / "attacked", creator, size=120, duration_days=1, camouflage=0.5, seed=3
    )
    after = _load(tmp_path / "attacked")
    assert len(info["account_ids"]) == 120 and info["kind"] == "burst"
    assert after["accounts"].height == before["accounts"].height + 120
    new = after["follows"].filter(
        pl.col("follower_id").is_in(info["account_ids"]) & (pl.col("creator_id") == creator)
    )
    assert new.height == 120 and (new["followed_at"].max() - new["followed_at"].min()).days <= 1
    labels = after["labels"].filter(pl.col("account_id").is_in(info["account_ids"]))
    assert (
        set(labels["label"]) == {"fake"} and 20 < (labels["fake_kind"] == "camouflaged").sum() < 100
    )
    assert (
        after["campaigns"].filter(pl.col("campaign_id") == info["campaign_id"])["accounts"].item()
        == 120
    )
    assert_frame_equal(_load(small_dir)["follows"], before["follows"])  # the source is untouched


def test_inject_drip_spreads_over_the_requested_weeks(small_dir, tmp_path):
    creator = int(pl.read_parquet(small_dir / "campaigns.parquet")["creator_id"][0])
    info = inject_campaign(
        small_dir, tmp_path / "drip", creator, size=200, duration_days=21, camouflage=0.0, seed=4
    )
    assert (
        info["kind"] == "drip"
        and (info["end"] - info["start"]).days >= 15
        and info["camouflaged"] == 0
    )


def test_inject_rejects_an_unknown_creator(small_dir, tmp_path):
    with pytest.raises(ValueError, match="no account_id 999999"):
        inject_campaign(
            small_dir, tmp_path / "x", 999999, size=10, duration_days=1, camouflage=0.0, seed=1
        )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--accounts", "500"], "--accounts must be at least 1000"),
        (["--accounts", "2000", "--creators", "200"], "20 x creators"),
        (["--days", "7"], "--days must be between 28 and 3650"),
        (["--accounts", "6000000"], "at most 5,000,000"),
    ],
)
def test_generate_command_rejects_impossible_sizes(tmp_path, capsys, argv, message):
    parser = argparse.ArgumentParser()
    generate_cli.add_arguments(parser)
    assert generate_cli.run(parser.parse_args(["--out", str(tmp_path / "w"), *argv])) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "w").exists()


def test_generate_command_reports_an_unwritable_folder(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    generate_cli.add_arguments(parser)
    (tmp_path / "taken").write_text("a file, not a folder")
    assert (
        generate_cli.run(
            parser.parse_args(["--out", str(tmp_path / "taken"), "--accounts", "1000"])
        )
        == 2
    )
    assert "cannot write" in capsys.readouterr().err


def test_committed_sample_data_is_small_and_complete():
    folder = Path(__file__).resolve().parent.parent / "sample_data"
    assert {p.stem for p in folder.glob("*.parquet")} == set(TABLES)
    assert sum(p.stat().st_size for p in folder.iterdir()) < 30 * 2**20
    assert pl.scan_parquet(folder / "accounts.parquet").select(pl.len()).collect().item() == 50_000


def test_inject_into_a_folder_without_ground_truth_adds_none(small_dir, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for table in ("accounts", "follows", "engagement_daily"):
        (source / f"{table}.parquet").symlink_to(small_dir / f"{table}.parquet")
    creator = int(pl.read_parquet(small_dir / "campaigns.parquet")["creator_id"][0])
    info = inject_campaign(
        source, tmp_path / "out", creator, size=50, duration_days=0, camouflage=1.0, seed=5
    )
    assert {p.stem for p in (tmp_path / "out").iterdir()} == {
        "accounts",
        "follows",
        "engagement_daily",
    }
    accounts = pl.read_parquet(tmp_path / "out" / "accounts.parquet")
    assert (
        accounts.filter(pl.col("account_id").is_in(info["account_ids"]))["has_profile_pic"].mean()
        > 0.7
    )
