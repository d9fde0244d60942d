"""Rules, presets, applying a policy, and the versioned policy store."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import polars as pl
import pytest

from followaudit.decide.policy import (
    Condition,
    Policy,
    PolicyError,
    Rule,
    apply_policy,
    default_policy,
    evaluate_policy,
    from_toml,
    presets,
    to_toml,
)
from followaudit.decide.policy_store import PolicyStore
from followaudit.store.crash_points import STOP_AT

SCORES = pl.DataFrame({"account_id": [1, 2, 3, 4], "score": [0.95, 0.55, 0.1, 0.75]})
FEATURES = pl.DataFrame(
    {
        "account_id": [1, 2, 3, 4],
        "following_follower_ratio": [80.0, 60.0, None, 1.0],
        "has_profile_pic": [0.0, 1.0, 0.0, 0.0],
        "account_age_days": [100.0, 5.0, 200.0, 10.0],
    }
)
RATIO = Rule("following_follower_ratio", ">=", 50.0, 0.2, "Ratio 50:1")
NOPIC_OLD = Rule(
    "has_profile_pic",
    "==",
    0.0,
    0.1,
    "No pic, old",
    also=(Condition("account_age_days", ">=", 60),),
)


def make_policy(**kw) -> Policy:
    base = {
        "name": "t",
        "threshold": 0.7,
        "rules": [RATIO, NOPIC_OLD],
        "tiers": {"review": 0.7, "remove": 0.9, "suspend": 1.0},
    }
    return Policy(**(base | kw))


def test_rule_points_add_weights_and_hits():
    out = apply_policy(make_policy(), SCORES, FEATURES).sort("account_id")
    assert out["rule_points"].to_list() == pytest.approx([0.3, 0.2, 0.1, 0.0])
    assert out["rule_hits"].to_list() == [
        "Ratio 50:1; No pic, old",
        "Ratio 50:1",
        "No pic, old",
        "",
    ]
    assert out["risk"].to_list() == pytest.approx([1.25, 0.75, 0.2, 0.75])


def test_flagged_and_tiers_follow_risk():
    out = apply_policy(make_policy(), SCORES, FEATURES).sort("account_id")
    assert out["flagged"].to_list() == [True, True, False, True]
    assert out["tier"].to_list() == ["suspend", "review", "none", "review"]


def test_null_feature_never_fires_a_rule():
    out = apply_policy(make_policy(rules=[RATIO]), SCORES, FEATURES).sort("account_id")
    assert out["rule_points"][2] == 0.0


def test_absent_feature_rule_is_skipped_and_reported():
    ghost = Rule("no_such_feature", ">", 1.0, 5.0, "Ghost rule")
    result = evaluate_policy(make_policy(rules=[RATIO, ghost]), SCORES, FEATURES)
    assert result.skipped == ["Ghost rule (feature no_such_feature not available)"]
    assert result.frame["rule_points"].max() == pytest.approx(0.2)


def test_disabled_rule_does_not_count():
    off = Rule("following_follower_ratio", ">=", 50.0, 0.2, "Ratio", enabled=False)
    out = apply_policy(make_policy(rules=[off]), SCORES, FEATURES)
    assert out["rule_points"].sum() == 0.0


def test_top_percent_sets_the_threshold_from_risk():
    result = evaluate_policy(make_policy(rules=[], top_percent=50.0), SCORES, FEATURES)
    assert result.threshold == pytest.approx(0.75)
    assert result.frame["flagged"].sum() == 2


def test_scores_without_features_get_zero_points():
    out = apply_policy(make_policy(), SCORES, FEATURES.head(1))
    assert out.sort("account_id")["rule_points"].to_list() == pytest.approx([0.3, 0, 0, 0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Bad Name"}, "policy name"),
        ({"threshold": -1}, "threshold"),
        ({"top_percent": 0}, "top_percent"),
        ({"tiers": {"remove": 0.9}}, "tiers lack"),
        ({"tiers": {"remove": 0.9, "suspend": 0.8}}, "remove must be"),
        ({"rules": [Rule("f", "=>", 1, 1, "x")]}, "op '=>'"),
    ],
)
def test_invalid_policy_names_the_field(change, message):
    with pytest.raises(PolicyError, match=message):
        make_policy(**change)


def test_toml_round_trip_keeps_everything():
    policy = make_policy(top_percent=2.5, note="why")
    again = from_toml(to_toml(policy))
    assert again.rules == policy.rules
    assert (again.top_percent, again.note, again.tiers["suspend"]) == (2.5, "why", 1.0)


def test_bad_toml_names_the_source_and_rule():
    with pytest.raises(PolicyError, match="p.toml: rule 1: missing key 'op'"):
        from_toml('name = "x"\n[[rules]]\nfeature = "a"\nthreshold = 1\nweight = 1\n', "p.toml")


def test_presets_load_and_default_is_conservative():
    found = presets()
    assert list(found)[0] == "conservative" == default_policy().name
    assert {"fakefollowercheck", "camisani_calzolari"} <= found.keys()
    ratio_rules = [
        r for r in found["fakefollowercheck"].rules if r.op == ">=" and r.threshold == 50
    ]
    assert ratio_rules, "the 50:1 following:followers rule from Cresci et al. is shipped"


def test_store_save_never_overwrites(tmp_path):
    store = PolicyStore(tmp_path)
    first = store.save(make_policy(threshold=0.6), author="ann", note="one")
    second = store.save(make_policy(threshold=0.9), author="bob", note="two")
    assert (first.version, second.version) == (1, 2)
    assert store.load("t", 1).threshold == 0.6
    assert store.load("t").threshold == 0.9
    assert [(v.version, v.author) for v in store.list()] == [(2, "bob"), (1, "ann")]
    assert store.load("t", 1).created_at


def test_store_active_defaults_to_preset_and_switches(tmp_path):
    store = PolicyStore(tmp_path)
    assert store.active().name == "conservative"
    store.save(make_policy())
    store.set_active("t")
    assert PolicyStore(tmp_path).active().name == "t"
    with pytest.raises(PolicyError, match="no saved policy named 'nope'"):
        store.set_active("nope")


def test_store_concurrent_thread_saves_all_land(tmp_path):
    store = PolicyStore(tmp_path)
    threads = [
        threading.Thread(target=store.save, args=(make_policy(threshold=0.5 + i / 100),))
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = store.list()
    assert sorted(v.version for v in versions) == list(range(1, 9))
    assert len({store.load("t", v.version).threshold for v in versions}) == 8


def _save_many(root: str, start: int) -> None:
    store = PolicyStore(root)
    for i in range(10):
        store.save(make_policy(threshold=(start + i) / 100))


def test_store_concurrent_process_saves_all_land(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_save_many, args=(str(tmp_path), s)) for s in (0, 50)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    store = PolicyStore(tmp_path)
    thresholds = sorted(store.load("t", v.version).threshold for v in store.list())
    assert thresholds == sorted([i / 100 for i in range(10)] + [i / 100 for i in range(50, 60)])


def _save_then_die(root: str) -> None:
    """Save three versions, then die while the fourth's text is written but not yet published."""
    store = PolicyStore(root)
    for _ in range(3):
        store.save(make_policy(note="x" * 5000))
    os.environ[STOP_AT] = "files.written"
    store.save(make_policy(note="x" * 5000))


def test_killed_save_leaves_only_whole_versions(tmp_path):
    child = multiprocessing.get_context("fork").Process(
        target=_save_then_die, args=(str(tmp_path),)
    )
    child.start()
    child.join()
    assert child.exitcode == -signal.SIGKILL  # it died at the crash point, mid-write
    store = PolicyStore(tmp_path)
    versions = store.list()
    assert [v.version for v in versions] == [3, 2, 1]
    assert all(len(store.load("t", v.version).note) == 5000 for v in versions)
    assert store.save(make_policy()).version == 4


def test_preset_features_exist_in_the_feature_catalogue():
    from followaudit.detect.features import FEATURES

    rules = [(name, rule) for name, policy in presets().items() for rule in policy.rules]
    assert rules, "the presets have rules to check"
    for name, rule in rules:
        assert set(rule.features) <= FEATURES.keys(), (name, rule.description)


def test_a_broken_version_file_is_listed_as_unreadable_not_fatal(tmp_path):
    store = PolicyStore(tmp_path)
    store.save(make_policy())
    broken = store.save(make_policy())
    (tmp_path / "policies" / "t" / f"v{broken.version:04d}.toml").write_text("threshold = [")
    notes = [v.note for v in store.list()]
    assert notes[0].startswith("unreadable: ") and "v0002.toml" in notes[0]
    with pytest.raises(PolicyError, match="v0002.toml: not valid TOML"):
        store.load("t")
    assert store.load("t", 1).name == "t"
