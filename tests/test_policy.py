"""Policies: validation, TOML (current and old score-point files), presets, the versioned store.

What a policy does to accounts is tested in test_decisions.py."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import pytest

from followaudit.decide.policy import (
    PRESETS_DIR,
    Condition,
    Policy,
    PolicyError,
    Rule,
    default_policy,
    from_toml,
    presets,
    tier_problems,
    to_toml,
)
from followaudit.decide.policy_store import PolicyStore, parse_reference
from followaudit.store.crash_points import STOP_AT

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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Bad Name"}, "policy name"),
        ({"threshold": -1}, "threshold"),
        ({"top_percent": 0}, "top_percent"),
        ({"tiers": {"remove": 0.9}}, "tiers lack"),
        ({"tiers": {"remove": 0.9, "suspend": 0.8}}, "remove must be"),
        ({"rules": [Rule("f", "=>", 1, 1, "x")]}, "op '=>'"),
        ({"threshold": 1.2}, "threshold 1.2 not in 0..1"),
        ({"tiers": {"remove": 0.9, "suspend": 1.5}}, "tiers.suspend 1.5 not in 0..1"),
        ({"rules": [Rule("f", ">", 1, 41.0, "x")]}, "weight 41.0 not in -40..40"),
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


OLD_FILE = """
name = "old"
threshold = 0.8
[tiers]
review = 0.8
remove = 0.9
suspend = 0.98
[[rules]]
feature = "video_count"
op = "=="
threshold = 0.0
weight = 0.05
description = "No videos"
[[rules]]
feature = "has_profile_pic"
op = "=="
threshold = 0.0
weight = 1.0
description = "No picture"
"""


def test_an_old_score_point_file_loads_converted_to_log_odds():
    import math

    policy = from_toml(OLD_FILE, "policies/old/v0001.toml")
    small, big = (r.weight for r in policy.rules)
    # a score of 0.75 with the old +0.05 reached the line 0.8; with the converted log-odds too
    assert 1 / (1 + math.exp(-(math.log(0.75 / 0.25) + small))) == pytest.approx(0.8)
    assert big == 40.0  # +1 point flagged on its own: the strongest weight allowed
    assert "v0001.toml used score-point weights" in policy.converted
    assert "risk_scale" in to_toml(policy) and "converted" not in to_toml(policy)
    assert from_toml(to_toml(policy)).converted == ""


def test_an_old_file_above_one_is_refused_naming_the_file():
    above = OLD_FILE.replace("threshold = 0.8\n", "threshold = 1.018\n", 1)
    with pytest.raises(
        PolicyError, match=r"policies/old/v0003.toml .*threshold = 1.018 lies above 1"
    ):
        from_toml(above, "policies/old/v0003.toml")


def test_a_file_with_an_unknown_risk_scale_is_refused():
    with pytest.raises(PolicyError, match="p.toml: risk_scale 'points': expected 'log-odds'"):
        from_toml('risk_scale = "points"\nname = "x"\n', "p.toml")


def test_presets_are_written_in_log_odds():
    for path in sorted((PRESETS_DIR).glob("*.toml")):
        assert 'risk_scale = "log-odds"' in path.read_text(), path.name
        assert not from_toml(path.read_text(), str(path)).converted


def test_tiers_below_the_threshold_are_refused_with_the_reason(tmp_path):
    policy = make_policy(threshold=0.8, tiers={"review": 0.8, "remove": 0.75, "suspend": 0.9})
    problems = tier_problems(policy, 0.8)
    assert (
        len(problems) == 1 and "remove tier (0.750) is below the threshold (0.800)" in problems[0]
    )
    with pytest.raises(PolicyError, match="raise remove to at least 0.800"):
        PolicyStore(tmp_path).save(policy)
    assert PolicyStore(tmp_path).list() == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("conservative", ("conservative", None)), ("mine@v3", ("mine", 3)), ("mine@12", ("mine", 12))],
)
def test_policy_references(text, expected):
    assert parse_reference(text) == expected


@pytest.mark.parametrize("text", ["", "Bad Name", "x@vv2", "x@v-1", "a@b@c"])
def test_bad_policy_references_say_what_is_expected(text):
    with pytest.raises(PolicyError, match="expected NAME or NAME@vN"):
        parse_reference(text)
