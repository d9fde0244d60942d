"""The pages show `followaudit decide`'s numbers: Home, the Threshold lab, the Policies comparison
and the Data export, for random active policies and review labels on the sample workspace."""

from __future__ import annotations

import json
import shutil
from argparse import Namespace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shown import metrics
from streamlit.testing.v1 import AppTest
from test_decide_consistency import reviews, rules

from followaudit.cli import decide as decide_cli
from followaudit.decide.policy import Policy
from followaudit.decide.policy_store import PolicyStore
from followaudit.store.analyst import AnalystStore
from followaudit.store.workspace import PROJECT_ROOT, sidecar_dir


@pytest.fixture(scope="module")
def workspace(sample_workspace_path, tmp_path_factory) -> Path:
    """A private copy of the sample workspace: policies and labels land in its own sidecar."""
    target = tmp_path_factory.mktemp("decide_pages") / "sample.duckdb"
    shutil.copy(sample_workspace_path, target)
    return target


@st.composite
def active_policies(draw) -> Policy:
    """Saved policies as a team would write them (coherent tiers, lines as the lab sets them)."""
    line = draw(st.sampled_from([0.0, 0.3, 0.8, 0.999, 1.0]) | st.floats(0, 1))
    top = draw(st.none() | st.sampled_from([0.5, 10.0, 33.33, 100.0]))
    remove = draw(st.floats(line, 1))
    return Policy(
        "team",
        threshold=line,
        top_percent=top,
        rules=draw(rules()),
        tiers={"review": line, "remove": remove, "suspend": draw(st.floats(remove, 1))},
    )


def run_page(page: str, workspace: Path, **params) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_summary(workspace: Path, capsys) -> dict:
    args = Namespace(
        workspace=workspace, policy=None, threshold=None, top_percent=None, json=True, out=None
    )
    assert decide_cli.run(args) == 0
    return json.loads(capsys.readouterr().out)


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(policy=active_policies(), review=reviews())
def test_pages_show_decides_numbers(workspace, monkeypatch, capsys, policy, review):
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(workspace))
    store = PolicyStore(sidecar_dir(workspace))
    saved = store.save(policy)
    store.set_active(saved.name)
    analyst = AnalystStore(sidecar_dir(workspace))
    for account, label in review.items():
        analyst.add_label(account, label, "", "hypothesis")
    s = cli_summary(workspace, capsys)

    home = metrics(run_page("app.py", workspace))
    assert home["Flagged (active policy)"] == f"{s['flagged']:,}"
    assert home["Followers a purge would remove"] == f"{s['purge_followers']:,}"

    lab = run_page("pages/4_Threshold_Lab.py", workspace, policy=saved.name)
    lab.session_state["lab_tab"] = "Creator impact"  # only the open tab is computed
    lab.run()
    shown = metrics(lab)
    assert shown["Flagged"] == f"{s['flagged']:,}"
    tiers = {k.split(" ")[0]: v for k, v in shown.items() if k.split(" ")[0] in s["tiers"]}
    assert tiers == {k: f"{v:,}" for k, v in s["tiers"].items()}
    for level, count in s["creators_losing"].items():
        assert shown[f"Creators losing > {level} %"] == f"{count:,}"
    assert shown["Followers a purge removes"] == f"{s['purge_followers']:,}"
    labelled = s["labelled"]
    sentence = f"{labelled['tp'] + labelled['fp']:,} of the {s['flagged']:,} flagged accounts"
    assert any(sentence in c.value for c in lab.caption)

    policies = run_page("pages/5_Policies.py", workspace)
    policies.selectbox(key="pol_a").set_value(f"team v{saved.version}").run()
    deltas = next(d.value for d in policies.dataframe if "delta" in d.value.columns)
    column_a = dict(zip(deltas["measure"], deltas["a"], strict=True))
    assert column_a["accounts flagged"] == s["flagged"]
    assert column_a["labelled genuine, flagged (fp)"] == labelled["fp"]
    assert column_a["creators losing > 25 %"] == s["creators_losing"]["25"]
    assert column_a["followers a purge removes"] == s["purge_followers"]

    data = run_page("pages/7_Data.py", workspace)
    export = next(m.value for m in data.markdown if m.value.startswith("**flagged accounts**"))
    assert f"({s['flagged']:,} rows)" in export
