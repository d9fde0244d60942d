"""The decision layer: one risk scale, rules, flags, tiers, and exact creator impact and purge."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from followaudit.decide.decisions import PolicyRisk, decide, score_frame_decisions
from followaudit.decide.impact import CreatorLoss, FollowGraph
from followaudit.decide.inputs import inputs_from_frames
from followaudit.decide.policy import Condition, Policy, Rule
from followaudit.decide.risk import combine, logit, risk_text, sigmoid

SCORES = pl.DataFrame({"account_id": [1, 2, 3, 4], "score": [0.95, 0.55, 0.1, 0.75]})
FEATURES = pl.DataFrame(
    {
        "account_id": [1, 2, 3, 4],
        "following_follower_ratio": [80.0, 60.0, None, 1.0],
        "has_profile_pic": [0.0, 1.0, 0.0, 0.0],
        "account_age_days": [100.0, 5.0, 200.0, 10.0],
    }
)
RATIO = Rule("following_follower_ratio", ">=", 50.0, 1.0, "Ratio 50:1")
NOPIC_OLD = Rule(
    "has_profile_pic",
    "==",
    0.0,
    0.5,
    "No pic, old",
    also=(Condition("account_age_days", ">=", 60),),
)


def make_policy(**kw) -> Policy:
    base = {
        "name": "t",
        "threshold": 0.7,
        "rules": [RATIO, NOPIC_OLD],
        "tiers": {"review": 0.7, "remove": 0.9, "suspend": 0.98},
    }
    return Policy(**(base | kw))


def decided(policy: Policy, features: pl.DataFrame = FEATURES):
    return decide(inputs_from_frames(SCORES, features), policy)


def test_risk_is_the_score_moved_in_log_odds():
    d = decided(make_policy())
    expected = sigmoid(logit(np.array([0.95, 0.55, 0.1])) + np.array([1.5, 1.0, 0.5]))
    assert d.risk.risk[:3].tolist() == pytest.approx(expected.tolist(), rel=1e-12)
    assert d.risk.risk[3] == 0.75  # no rule fired: exactly the calibrated score
    assert d.risk.rule_hits().to_list() == [
        "Ratio 50:1; No pic, old",
        "Ratio 50:1",
        "No pic, old",
        "",
    ]


@pytest.mark.parametrize("weight", [-40.0, -3.0, 0.7, 40.0])
def test_risk_stays_a_probability_at_the_extremes(weight):
    scores = np.array([0.0, 1e-12, 0.5, 1 - 1e-12, 1.0])
    risk = combine(scores, np.full(5, weight))
    assert np.all((risk >= 0) & (risk <= 1)) and not np.isnan(risk).any()
    assert risk[0] == 0.0 and risk[-1] == 1.0  # certainty stays certain


def test_flagged_and_tiers_follow_risk():
    frame = decided(make_policy()).frame()
    assert frame["flagged"].to_list() == [True, True, False, True]
    assert frame["tier"].to_list() == ["suspend", "review", "none", "review"]  # 0.988, 0.768


def test_null_feature_never_fires_and_absent_feature_is_skipped_and_reported():
    ghost = Rule("no_such_feature", ">", 1.0, 5.0, "Ghost rule")
    d = decided(make_policy(rules=[RATIO, ghost]))
    assert d.risk.hits.log_odds.tolist() == [1.0, 1.0, 0.0, 0.0]  # account 3's ratio is NULL
    assert d.risk.skipped == ("Ghost rule (feature no_such_feature not available)",)
    assert "Rule skipped: Ghost rule" in d.notes[0]


def test_disabled_rules_and_accounts_without_features_get_no_weight():
    off = Rule("following_follower_ratio", ">=", 50.0, 2.0, "Ratio", enabled=False)
    assert decided(make_policy(rules=[off])).risk.hits.log_odds.sum() == 0.0
    partial = decided(make_policy(), FEATURES.head(1))
    assert partial.risk.hits.log_odds.tolist() == [1.5, 0.0, 0.0, 0.0]


def test_top_percent_resolves_on_risk_and_maps_back():
    d = decided(make_policy(rules=[], top_percent=50.0))
    assert d.threshold == 0.75 and d.flagged == 2 and d.top_percent == 50.0


def test_tiers_partition_the_flagged_accounts_and_rise_to_a_top_percent_line():
    d = decided(make_policy(rules=[], top_percent=25.0, tiers={"remove": 0.8, "suspend": 0.9}))
    assert d.threshold == 0.95 and d.tiers == {"review": 0.95, "remove": 0.95, "suspend": 0.95}
    assert sum(d.summary()["tiers"].values()) == d.flagged == 1
    assert any("lies above this policy's tiers" in n for n in d.notes)


def test_risk_text_never_rounds_a_line_to_one_or_zero():
    assert risk_text(0.8) == "0.800"
    assert risk_text(0.99999999278) == "0.99999999"
    assert risk_text(1e-7) == "0.0000001"


def _random_world(seed: int, accounts: int = 300, creators: int = 7):
    rng = np.random.default_rng(seed)
    ids = np.sort(rng.choice(10**18, accounts, replace=False)).astype(np.int64)  # 19-digit ids
    score = np.round(rng.random(accounts), 2)  # ties on purpose
    pairs = {(int(rng.integers(accounts)), int(rng.integers(creators))) for _ in range(900)}
    follower, creator = (np.array(v) for v in zip(*sorted(pairs), strict=True))
    follows = pl.DataFrame({"follower_id": ids[follower], "creator_id": ids[creator]})
    return ids, score, follows


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_creator_loss_and_purge_equal_brute_force_at_every_line(seed):
    ids, score, follows = _random_world(seed)
    inputs = inputs_from_frames(
        pl.DataFrame({"account_id": ids, "score": score}),
        pl.DataFrame({"account_id": ids}),
        follows,
    )
    risk = PolicyRisk(inputs, Policy("p"))
    for t in [0.0, *np.unique(score), 0.555, 1.0]:
        d = decide(
            inputs, Policy("p", threshold=float(t), tiers={"remove": 1, "suspend": 1}), risk=risk
        )
        flagged = set(ids[score >= t].tolist())
        follows_lost = follows.with_columns(pl.col("follower_id").is_in(flagged).alias("lost"))
        per = follows_lost.group_by("creator_id").agg(pl.len().alias("n"), pl.col("lost").sum())
        assert d.purge_followers == int(follows_lost["lost"].sum())
        losing = {str(v): int((per["lost"] * 100 > v * per["n"]).sum()) for v in (5, 10, 25)}
        assert d.creators_losing == losing
        frame = d.creator_losses().join(per, on="creator_id")
        assert frame["followers_lost"].to_list() == frame["lost"].to_list()


def test_creator_loss_checkpoints_agree_with_a_direct_count_for_every_prefix():
    rng = np.random.default_rng(5)
    n = 2000
    follower = rng.integers(0, n, 20_000)
    creator = rng.choice(np.arange(0, n, 97), 20_000)
    graph = FollowGraph.from_positions(np.arange(n), follower, creator)
    order = rng.permutation(n)
    loss = CreatorLoss(graph, order)
    assert loss.step > 1  # the test crosses checkpoints
    creators = np.searchsorted(graph.creator_ids, creator)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    for k in [0, 1, loss.step - 1, loss.step, loss.step + 1, 777, n - 1, n]:
        direct = np.bincount(creators[rank[follower] < k], minlength=len(graph.creator_ids))
        assert np.array_equal(loss.lost(k), direct), k
        assert loss.purge_followers(k) == int((rank[follower] < k).sum())


def test_the_top_ten_percent_line_removes_followers():
    """The bug that started it: at 'top 10 %' (risk 1.018 on the old scale) impact and purge read 0."""
    ids, score, follows = _random_world(3)
    accounts = pl.DataFrame({"account_id": ids, "score": score * 0.2 + 0.8})
    features = pl.DataFrame({"account_id": ids, "f": np.ones(len(ids))})
    heavy = Rule("f", ">=", 1.0, 40.0, "Always", enabled=True)
    d = decide(
        inputs_from_frames(accounts, features, follows),
        Policy("p", top_percent=10.0, rules=[heavy]),
    )
    assert 0.0 <= d.threshold <= 1.0
    assert d.flagged >= 30 and d.purge_followers > 0 and d.creators_losing["5"] > 0


def test_the_sandbox_decides_at_the_line_it_is_given():
    frame, line = score_frame_decisions(make_policy(), SCORES, FEATURES, threshold=0.76)
    assert line == 0.76  # not the policy's own 0.7, which would flag account 4 (0.75) too
    assert frame.filter(pl.col("flagged"))["account_id"].to_list() == [1, 2]
    assert frame["rule_hits"][0] == "Ratio 50:1; No pic, old"
