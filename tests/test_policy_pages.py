"""AppTest: Threshold lab, Policies and Review queue on a tiny hand-made workspace."""

from __future__ import annotations

import pytest
from policy_world import build
from shown import metrics
from streamlit.testing.v1 import AppTest

from followaudit.decide.policy import default_policy
from followaudit.decide.policy_store import PolicyStore
from followaudit.store.analyst import AnalystStore
from followaudit.store.workspace import PROJECT_ROOT, sidecar_dir

LAB, POLICIES, REVIEW = "pages/4_Threshold_Lab.py", "pages/5_Policies.py", "pages/6_Review_Queue.py"


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A fresh tiny labelled workspace that the app opens."""
    path = build(tmp_path / "w.duckdb")
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(path))
    return path


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return metrics(at)[label]


def table_with(at: AppTest, column: str):
    """The first dataframe shown that has `column` (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", [LAB, POLICIES, REVIEW])
def test_policy_pages_render_without_labels(tmp_path, monkeypatch, page):
    path = build(tmp_path / "w.duckdb", labelled=False)
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(path))
    at = ok(open_page(page))
    assert [e.value for e in at.error] == [] and at.title


def test_lab_slider_changes_the_metrics(world):
    at = ok(open_page(LAB))
    before = (metric(at, "Flagged"), metric(at, "Recall"))
    at.slider(key="lab_threshold").set_value(0.4)
    ok(at.run())
    after = (metric(at, "Flagged"), metric(at, "Recall"))
    assert int(after[0]) > int(before[0]) and float(after[1]) > float(before[1])


def test_lab_top_percent_mode_flags_that_share(world):
    at = ok(open_page(LAB))
    at.radio(key="lab_mode").set_value("top X %")
    ok(at.run())
    at.number_input(key="lab_top").set_value(10.0)
    ok(at.run())
    assert metric(at, "Flagged") == "40"  # 10 % of 400 accounts


def test_lab_without_labels_says_why_metrics_are_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(build(tmp_path / "w.duckdb", labelled=False)))
    at = ok(open_page(LAB))
    assert any("No metrics" in i.value for i in at.info)
    assert int(metric(at, "Flagged")) > 0  # flags need no labels; only the metrics do
    assert "Precision" not in metrics(at)


def test_lab_loads_the_policy_named_in_the_url(world):
    PolicyStore(sidecar_dir(world)).save(
        default_policy().with_changes(name="strict", threshold=0.33)
    )
    at = ok(open_page(LAB, policy="strict"))
    assert at.slider(key="lab_threshold").value == pytest.approx(0.33)


def test_save_makes_a_new_version_appear(world):
    at = ok(open_page(POLICIES))
    at.text_input(key="pol_save_name").set_value("team_a")
    at.text_input(key="pol_save_note").set_value("first try")
    next(b for b in at.button if b.label == "Save as new version").click()
    ok(at.run())
    assert any("Saved **team\\_a** version 1" in s.value for s in at.success)
    table = table_with(at, "note")
    assert ("team_a", 1, "first try") in set(
        zip(table["policy"], table["version"], table["note"], strict=True)
    )


def test_lab_changes_show_up_as_flips_in_the_comparison(world):
    at = ok(open_page(LAB))
    at.slider(key="lab_threshold").set_value(0.3)
    ok(at.run())
    at.switch_page(POLICIES)
    ok(at.run())
    flips = [m.value for m in at.markdown if "accounts change flag" in m.value]
    assert flips and not flips[0].startswith("**0 ")
    assert len(table_with(at, "flagged_a")) > 0


def test_comparing_a_policy_with_itself_shows_no_empty_tables(world):
    at = ok(open_page(POLICIES))
    at.selectbox(key="pol_b").set_value(at.selectbox(key="pol_a").value)
    ok(at.run())
    assert any("**0 accounts change flag**" in m.value for m in at.markdown)
    assert any("flag exactly the same accounts" in c.value for c in at.caption)
    assert all(len(d.value) > 0 for d in at.dataframe)


def test_set_active_policy(world):
    at = ok(open_page(POLICIES))
    at.selectbox(key="pol_active").set_value("fakefollowercheck")
    at.button(key="pol_set_active").click()
    ok(at.run())
    assert PolicyStore(sidecar_dir(world)).active_name() == "fakefollowercheck"


def test_label_button_changes_the_counts(world):
    at = ok(open_page(REVIEW))
    assert metric(at, "fake") == "0"
    at.text_input(key="rev_note").set_value("bought batch")
    at.button(key="rev_fake").click()
    ok(at.run())
    assert (metric(at, "fake"), metric(at, "reviewed")) == ("1", "1")
    current = AnalystStore(sidecar_dir(world)).current_labels()
    assert current["note"].to_list() == ["bought batch"]


def test_a_conflicting_label_from_another_session_is_not_overwritten(world):
    at = ok(open_page(REVIEW))
    at.toggle(key="rev_redo").set_value(True)
    ok(at.run())
    shown = int(at.markdown[0].value.split("@user")[1].split(" ")[0])
    AnalystStore(sidecar_dir(world)).add_label(shown, "genuine", "", "other session")
    at.button(key="rev_fake").click()
    ok(at.run())
    assert any("after you loaded it" in w.value for w in at.warning)
    assert AnalystStore(sidecar_dir(world)).current_label(shown)["label"] == "genuine"


def test_queue_filters_by_creator_and_spike(world):
    at = ok(open_page(REVIEW, creator="1"))
    left_all = int(metric(at, "left in queue"))
    at.selectbox(key="rev_spike").set_value(1)
    ok(at.run())
    assert 0 < int(metric(at, "left in queue")) < left_all


def test_review_labels_feed_the_lab_at_once(world):
    at = ok(open_page(LAB))
    before = metric(at, "Recall")
    store = AnalystStore(sidecar_dir(world))
    for account in range(5, 400, 2):  # unlabelled odd ids: review them as genuine
        store.add_label(account, "genuine", "", "rev")
    at.slider(key="lab_threshold").set_value(0.8)
    ok(at.run())
    assert any("198 reviewed in the queue" in c.value for c in at.caption)
    assert metric(at, "Recall") == before  # genuine labels do not change recall, precision drops
    assert float(metric(at, "Precision")) < 1.0


@pytest.mark.parametrize("value", ["../../etc/passwd", "'; drop table x; --"])
def test_unknown_or_hostile_policy_param_falls_back_with_a_warning(world, value):
    store = PolicyStore(sidecar_dir(world))
    store.save(default_policy().with_changes(name="strict", threshold=0.33))
    store.set_active("strict")  # the active policy is not the default one
    plain = ok(open_page(LAB))
    at = ok(open_page(LAB, policy=value))
    assert at.warning and "Showing the active policy instead" in at.warning[0].value
    assert at.slider(key="lab_threshold").value == pytest.approx(0.33)
    assert metric(at, "Flagged") == metric(plain, "Flagged")


@pytest.mark.parametrize("value", ["-1", "1;drop table follows"])
def test_hostile_creator_param_in_the_review_queue(world, value):
    """A malformed creator or spike id is ignored: the whole queue, unfiltered."""
    plain = ok(open_page(REVIEW))
    at = ok(open_page(REVIEW, creator=value, spike=value))
    assert at.text_input(key="rev_creator").value == value  # shown as typed, as text
    assert any("No creator matches" in w.value for w in at.warning)
    filtered = ok(open_page(REVIEW, creator="1"))  # the filter does change the count ...
    left = [metric(page, "left in queue") for page in (at, plain, filtered)]
    assert left[0] == left[1] != left[2]  # ... and the hostile one left the queue unfiltered


def test_rule_table_edits_become_the_policy_rules():
    import polars as pl

    from followaudit.ui.lab import _edited_rules

    policy = default_policy()
    edited = pl.DataFrame(
        {
            "enabled": [False, True, True],
            "rule": [r.description for r in policy.rules],
            "feature": [r.feature for r in policy.rules],
            "op": [r.op for r in policy.rules],
            "threshold": [20.0, 0.0, 0.0],
            "weight": [0.05, 0.5, 0.03],
        }
    )
    rules = _edited_rules(policy, edited)
    assert [r.enabled for r in rules] == [False, True, True]
    assert (rules[0].threshold, rules[1].weight) == (20.0, 0.5)
    assert rules[1].also == policy.rules[1].also  # extra conditions survive the table


def test_policies_page_survives_a_hand_broken_version_file(world):
    store = PolicyStore(sidecar_dir(world))
    store.save(default_policy().with_changes(name="broken"))
    (sidecar_dir(world) / "policies" / "broken" / "v0001.toml").write_text("threshold = [")
    at = ok(open_page(POLICIES))
    at.selectbox(key="pol_a").set_value("broken v1")
    ok(at.run())
    assert any("not valid TOML" in e.value for e in at.error)
