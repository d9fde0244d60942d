"""The policy team's defects on the Threshold lab and Policies pages, each pinned by a test."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from pandas.api.types import is_numeric_dtype
from policy_world import build
from shown import metrics
from streamlit.testing.v1 import AppTest

from followaudit.decide.policy_store import PolicyStore
from followaudit.store.workspace import PROJECT_ROOT, sidecar_dir

LAB, POLICIES = "pages/4_Threshold_Lab.py", "pages/5_Policies.py"


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A fresh tiny labelled workspace that the app opens."""
    path = build(tmp_path / "w.duckdb")
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(path))
    return path


def open_page(page: str, tab: str | None = None, **params) -> AppTest:
    """`page` run once; on the lab, with `tab` open (only the open tab is computed)."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    ok(at.run())
    if tab is not None:  # a tab's key takes a value once the page has drawn the tabs
        at.session_state["lab_tab"] = tab
        ok(at.run())
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return metrics(at)[label]


def test_tiers_below_the_threshold_are_refused_and_say_why(world):
    at = open_page(LAB)
    at.slider(key="lab_threshold").set_value(0.95)
    ok(at.run())
    errors = [e.value for e in at.error]
    assert any("remove tier (0.900) is below the threshold (0.950)" in e for e in errors), errors
    at.text_input(key="lab_save_name").set_value("bad_tiers")
    next(b for b in at.button if b.label == "Save as new version").click()
    ok(at.run())
    assert any(e.value.startswith("Not saved:") for e in at.error)
    assert PolicyStore(sidecar_dir(world)).names() == []


def test_after_a_save_the_header_names_the_saved_policy_and_version(world):
    at = open_page(LAB)
    at.slider(key="lab_threshold").set_value(0.6)
    ok(at.run())
    at.text_input(key="lab_save_name").set_value("team_a")
    next(b for b in at.button if b.label == "Save as new version").click()
    ok(at.run())
    assert any("Editing **team\\_a v1**." in c.value for c in at.caption)
    assert any("Saved **team\\_a** version 1" in s.value for s in at.success)
    at.slider(key="lab_threshold").set_value(0.65)
    ok(at.run())
    assert any("Editing **team\\_a v1 \\(changed\\, not saved\\)**" in c.value for c in at.caption)


def test_cost_tab_button_puts_the_cheapest_threshold_on_the_slider(world):
    at = open_page(LAB, tab="Cost")
    button = at.button(key="lab_use_cost")
    best = float(button.label.split("(")[1].rstrip(")"))
    button.click()
    ok(at.run())
    assert at.radio(key="lab_mode").value == "risk value"
    assert at.slider(key="lab_threshold").value == pytest.approx(best, abs=5e-4)


def test_labelled_counts_and_every_auc_name_their_population(world):
    at = open_page(LAB)
    captions = " ".join(c.value for c in at.caption)
    assert f"of the {metric(at, 'Flagged')} flagged accounts are labelled" in captions
    assert "estimated on the out-of-fold risk of 199 labelled accounts" in captions
    assert "this policy's risk (model score and rules), out-of-fold, on 199 labelled" in captions
    assert "The model score alone on the same accounts" in captions


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_curves_are_zoomed_or_on_a_log_axis_with_the_operating_point(world):
    at = open_page(LAB)
    specs = [json.dumps(s, ensure_ascii=False) for s in _charts(at)]
    roc = next(s for s in specs if "ROC (AUC" in s)
    pr = next(s for s in specs if "Precision–recall" in s)
    for spec in (roc, pr):  # a labelled red dot from the per-move dataset `current`
        assert '"name": "current"' in spec and '"text": {"field": "label"' in spec
    assert '"type": "log"' in roc
    assert "zoomed" in pr and '"domain": [0.0, 1.0]' not in pr


def test_score_distribution_is_split_by_label(world):
    at = open_page(LAB, tab="Score distribution")
    spec = next(s for s in _charts(at) if "split by label" in json.dumps(s))
    text = json.dumps(spec)
    for label in ("labelled fake", "labelled genuine", "unlabelled"):
        assert label in text


def test_collateral_chart_shows_every_segment_label(world):
    at = open_page(LAB, tab="Collateral damage")
    spec = next(s for s in _charts(at) if "genuine accounts flagged (FPR)" in json.dumps(s))
    axis = (
        spec["spec"]["encoding"]["y"]["axis"] if "spec" in spec else spec["encoding"]["y"]["axis"]
    )
    assert axis["labelOverlap"] is False and axis["labelLimit"] >= 300


def _columns(at: AppTest) -> list[tuple[list[str], dict]]:
    return [(list(d.value.columns), json.loads(d.proto.columns or "{}")) for d in at.dataframe]


def test_only_the_open_tab_is_computed(world):
    at = open_page(LAB)
    assert [s for s in _charts(at) if "ROC (AUC" in json.dumps(s)]  # Curves, the first tab
    assert not [s for s in _charts(at) if "split by label" in json.dumps(s)]
    at.session_state["lab_tab"] = "Score distribution"
    ok(at.run())
    assert [s for s in _charts(at) if "split by label" in json.dumps(s)]
    assert not [s for s in _charts(at) if "ROC (AUC" in json.dumps(s)]


@pytest.mark.parametrize("tab", ["Curves", "Cost", "Collateral damage", "Creator impact"])
def test_tables_have_human_headers(world, tab):
    at = open_page(LAB, tab=tab)
    for columns, config in _columns(at):
        for column in columns:
            label = config.get(column, {}).get("label")
            assert label and "_" not in label, (column, config.get(column))


def test_impact_table_has_separators_and_text_ids(world):
    at = open_page(LAB, tab="Creator impact")
    impact = next(d.value for d in at.dataframe if "creator_id" in d.value.columns)
    assert not is_numeric_dtype(impact["creator_id"])  # text: never 1,234 or JS-rounded
    assert impact["username"].notna().all()  # usernames beside ids
    counts = next(cfg for cols, cfg in _columns(at) if "followers_before" in cols)
    assert counts["followers_before"]["type_config"]["format"] == "localized"


def test_policies_comparison_names_both_policies_with_usernames(world):
    at = open_page(LAB)
    at.slider(key="lab_threshold").set_value(0.3)
    ok(at.run())
    at.switch_page(POLICIES)
    ok(at.run())
    deltas = next(cfg for cols, cfg in _columns(at) if "delta" in cols)
    assert deltas["a"]["label"].startswith("A: conservative, lab settings")
    assert deltas["b"]["label"] == "B: conservative"
    flips = next(d.value for d in at.dataframe if "account_id" in d.value.columns)
    assert not is_numeric_dtype(flips["account_id"])
    assert flips["username"].str.startswith("user").all()  # usernames beside ids


def _metric_calls(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "metric":
            yield node


REAL_CHANGES = {"explain_view.py"}


@pytest.mark.parametrize(
    "path",
    sorted(
        [
            *(PROJECT_ROOT / "followaudit" / "ui").glob("*.py"),
            *(PROJECT_ROOT / "pages").glob("*.py"),
        ]
    )
    + [PROJECT_ROOT / "app.py"],
    ids=lambda p: p.name,
)
def test_no_metric_wears_a_delta_badge(path):
    """Arrow badges say "changed by"; none of our counts is a change (the what-if panel's score
    after an edit is one)."""
    if path.name in REAL_CHANGES:
        return
    for call in _metric_calls(path):
        keywords = {k.arg for k in call.keywords}
        assert len(call.args) <= 2 and not {"delta", "delta_color"} & keywords, (
            f"{path.name}:{call.lineno} passes a delta to st.metric"
        )


def test_top_percent_tiers_are_shares_that_never_start_below_the_line(world):
    at = open_page(LAB)
    at.radio(key="lab_mode").set_value("top X %")
    ok(at.run())
    at.number_input(key="lab_top").set_value(10.0)
    ok(at.run())
    assert at.number_input(key="lab_tier_remove_pct").max == 10.0  # no tier below the line
    at.number_input(key="lab_tier_remove_pct").set_value(5.0)
    ok(at.run())
    at.number_input(key="lab_tier_suspend_pct").set_value(2.0)
    ok(at.run())
    assert not at.error
    tiers = {k.split(" ")[0]: int(v) for k, v in metrics(at).items() if "(≥" in k}
    assert tiers == {"review": 20, "remove": 12, "suspend": 8}  # 10 %, 5 %, 2 % of 400
    at.text_input(key="lab_save_name").set_value("top_ten")
    next(b for b in at.button if b.label == "Save as new version").click()
    ok(at.run())
    saved = PolicyStore(sidecar_dir(world)).load("top_ten")
    assert saved.top_percent == 10.0 and saved.tiers["remove"] >= saved.threshold
