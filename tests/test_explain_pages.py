"""AppTest: the explanation pages read aloud (one unit, both sides, values in context, what-if,
interactions) and the Growth, Sandbox, Review and Home defects of issue 11 stay fixed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from test_pages import no_exception, open_page

from followaudit.detect import interactions
from followaudit.pipeline import sandbox
from followaudit.pipeline.build import build_workspace
from followaudit.store.analyst import AnalystStore
from followaudit.store.workspace import PROJECT_ROOT, Workspace, sidecar_dir
from followaudit.ui import spike_view
from followaudit.ui.text import plain

ACCOUNT = "pages/2_Account_Explanation.py"
GLOBAL = "pages/3_Global_Explanations.py"
GROWTH = "pages/1_Growth_Anomalies.py"
REVIEW = "pages/6_Review_Queue.py"
SANDBOX = "pages/8_Attack_Sandbox.py"


def _one(ws_path: Path, sql: str, **params):
    ws = Workspace.open(ws_path)
    try:
        return ws.con.execute(sql, params).fetchall()[0]
    finally:
        ws.close()


@pytest.fixture(scope="module")
def ids(sample_workspace_path) -> dict:
    """The strongest suspicious spike, its creator and its top follower."""
    spike, creator = _one(
        sample_workspace_path,
        "select spike_id, creator_id from spikes where verdict = 'suspicious' "
        "order by score desc limit 1",
    )
    account = _one(
        sample_workspace_path,
        "select account_id from spike_followers where spike_id = $s "
        "order by score desc nulls last limit 1",
        s=spike,
    )[0]
    return {"spike": spike, "creator": creator, "account": account}


@pytest.fixture
def writable_workspace(sample_workspace_path, tmp_path) -> Path:
    """A private copy of the sample workspace and its sidecar (labels land here)."""
    target = tmp_path / "copy.duckdb"
    shutil.copy(sample_workspace_path, target)
    shutil.copytree(sidecar_dir(sample_workspace_path), sidecar_dir(target))
    return target


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _subtitle(spec: dict) -> str:
    title = spec.get("title") or {}
    return " ".join(title.get("subtitle", [])) if isinstance(title, dict) else ""


@pytest.fixture(scope="module")
def profile_only_path(tmp_path_factory) -> Path:
    """2,000 sample accounts without follows or labels: scored by the default model's profile
    twin — the workspace where the header said 100.0 % and the waterfall 96.7 %."""
    data = tmp_path_factory.mktemp("profile_only_data")
    accounts = pl.read_parquet(PROJECT_ROOT / "sample_data" / "accounts.parquet")
    accounts.sample(2000, seed=3).drop("likes_given").write_parquet(data / "accounts.parquet")
    path = tmp_path_factory.mktemp("ws_profile_only") / "profile.duckdb"
    build_workspace(data, path)
    return path


def _top_account(path: Path) -> int:
    return _one(path, "select account_id from account_scores order by score desc limit 1")[0]


@pytest.mark.parametrize("which", ["sample", "profile_only"])
def test_header_and_waterfall_show_the_same_probability(
    which, sample_workspace_path, profile_only_path, monkeypatch
):
    path = sample_workspace_path if which == "sample" else profile_only_path
    account = _top_account(path)
    at = open_page(path, ACCOUNT, monkeypatch, account=str(account))
    no_exception(at)
    header = next(m.value for m in at.metric if m.label == "Calibrated P(fake)")
    waterfall = next(s for s in _charts(at) if s["title"]["text"] == "Why this score")
    assert f"calibrated P(fake) {header})" in _subtitle(waterfall)
    assert "log-odds" in _subtitle(waterfall) and "pts" not in json.dumps(waterfall)


def test_follow_log_counts_say_where_they_come_from(ids, sample_workspace_path, monkeypatch):
    """The profile's "Following 6,075" and the log's "6 follows" never read as one number."""
    at = open_page(sample_workspace_path, ACCOUNT, monkeypatch, account=str(ids["account"]))
    logged = _one(
        sample_workspace_path,
        "select count(*) from follows where follower_id = $a",
        a=ids["account"],
    )[0]
    assert any(f"{logged:,} follows in this data's follow log" in c.value for c in at.caption)


def test_a_missing_column_never_shows_up_on_the_page(profile_only_path, monkeypatch):
    account = _top_account(profile_only_path)
    at = open_page(profile_only_path, ACCOUNT, monkeypatch, account=str(account))
    no_exception(at)
    text = " ".join(m.value for m in at.markdown) + json.dumps(_charts(at))
    assert "likes given" not in text.lower() and "Never liked" not in text and "Gave" not in text


def test_reasons_have_both_sides_with_values_in_context(ids, sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, ACCOUNT, monkeypatch, account=str(ids["account"]))
    no_exception(at)
    headings = [m.value for m in at.markdown if m.value.startswith("**Why it looks")]
    assert headings == ["**Why it looks fake**", "**Why it looks genuine**"]
    reasons = " ".join(m.value for m in at.markdown if m.value.startswith("- "))
    assert "of genuine accounts" in reasons
    assert any("43,042 accounts labelled genuine" in c.value for c in at.caption)
    assert any("follows in this data's follow log" in c.value for c in at.caption)


def test_a_genuine_looking_account_leads_with_why_it_looks_genuine(
    sample_workspace_path, monkeypatch
):
    low = _one(
        sample_workspace_path, "select account_id from account_scores order by score limit 1"
    )[0]
    at = open_page(sample_workspace_path, ACCOUNT, monkeypatch, account=str(low))
    no_exception(at)
    texts = [m.value for m in at.markdown]
    headings = [t for t in texts if t.startswith("**Why it looks")]
    assert headings[0] == "**Why it looks genuine**"
    genuine_list = texts[texts.index(headings[0]) + 1]
    assert genuine_list.startswith("- ") and "\\(\\-" in genuine_list  # negative log-odds


def test_what_if_moves_the_score_and_the_waterfall(sample_workspace_path, monkeypatch):
    # an undecided account: at >99.9 % one changed value may not move the shown probability
    (account,) = _one(
        sample_workspace_path,
        "select account_id from account_scores order by abs(score - 0.5), account_id limit 1",
    )
    at = open_page(sample_workspace_path, ACCOUNT, monkeypatch, account=str(account))
    assert not any(m.label.startswith("Calibrated P(fake) with") for m in at.metric)
    at.multiselect(key=f"acct_whatif_{account}_features").set_value(["video_count"]).run()
    at.number_input(key=f"acct_whatif_{account}_video_count").set_value(200.0).run()
    no_exception(at)
    after = next(m for m in at.metric if m.label == "Calibrated P(fake) with these values")
    before = next(m.value for m in at.metric if m.label == "Calibrated P(fake)")
    assert after.value != before and f"from {before}" in after.proto.delta
    titles = [s["title"]["text"] for s in _charts(at)]
    assert "Why this score, with the changed values" in titles


def test_feature_pairs_come_from_shap_interaction_values(ids, sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, ACCOUNT, monkeypatch, account=str(ids["account"]))
    at.toggle(key="acct_pairs").set_value(True).run()
    no_exception(at)
    pairs = at.dataframe[-1].value
    assert list(pairs.columns) == ["features acting together", "joint effect (log-odds)"]
    assert 0 < len(pairs) <= 5 and pairs.iloc[:, 0].str.contains(" × ").all()


def test_dependence_is_coloured_by_the_strongest_interacting_feature(
    sample_workspace_path, monkeypatch
):
    at = open_page(sample_workspace_path, GLOBAL, monkeypatch)
    no_exception(at)
    feature = at.selectbox(key="global_feature").value
    ws = Workspace.open(sample_workspace_path)
    try:
        pairs = ws.query("explain/shap_interactions", limit=1000)
    finally:
        ws.close()
    assert at.selectbox(key="global_colour").value == interactions.strongest_partner(pairs, feature)
    assert "Features that act together" in [s["title"]["text"] for s in _charts(at)]
    at.selectbox(key="global_colour").set_value("has_profile_pic").run()  # the analyst may override
    assert at.selectbox(key="global_colour").value == "has_profile_pic"


def test_label_radio_has_no_default(ids, writable_workspace, monkeypatch):
    at = open_page(writable_workspace, ACCOUNT, monkeypatch, account=str(ids["account"]))
    assert at.radio(key="acct_label").value is None
    at.text_input(key="acct_note").input("forgot to choose")
    next(b for b in at.button if b.label == "Save label").click().run()
    no_exception(at)
    assert any("Choose fake or genuine" in w.value for w in at.warning)
    assert AnalystStore(sidecar_dir(writable_workspace)).current_label(ids["account"]) is None


# --- Growth ----------------------------------------------------------------------------------


def _spike(path: Path, verdict: str) -> tuple[int, int]:
    return _one(
        path,
        "select creator_id, spike_id from spikes where verdict = $v order by score desc limit 1",
        v=verdict,
    )


def test_an_explained_spike_is_never_called_most_suspicious(sample_workspace_path, monkeypatch):
    creator, spike = _spike(sample_workspace_path, "explained")
    at = open_page(
        sample_workspace_path, GROWTH, monkeypatch, creator=str(creator), spike=str(spike)
    )
    no_exception(at)
    captions = _captions(at)
    assert "most suspicious" not in captions and "The spike is explained" in captions
    creator, spike = _spike(sample_workspace_path, "suspicious")
    at = open_page(
        sample_workspace_path, GROWTH, monkeypatch, creator=str(creator), spike=str(spike)
    )
    assert "suspicious spike, most suspicious first" in _captions(at)


def _captions(at) -> str:
    """Captions as shown: `st.caption`s and the follower table's caption under the spike's
    cards (in their HTML element)."""
    return " ".join([c.value for c in at.caption] + [h.proto.body for h in at.get("html")])


def test_spike_followers_get_their_top_reason_on_demand(ids, sample_workspace_path, monkeypatch):
    at = open_page(
        sample_workspace_path,
        GROWTH,
        monkeypatch,
        creator=str(ids["creator"]),
        spike=str(ids["spike"]),
    )
    table = at.dataframe[0].value
    shown = table["top_reason"].head(spike_view.FOLLOWER_ROWS)
    assert shown.notna().all() and shown.str.contains(r"\(\+\d").any()


def test_quality_colour_follows_the_value(sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, GROWTH, monkeypatch)
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["quality_score"]["type_config"]["color"] == "auto"  # green high, red low


# --- Sandbox, Review, Home -------------------------------------------------------------------


def test_sandbox_says_the_verdict_and_why(sample_workspace_path, monkeypatch):
    def explained_attack(data_dir, workspace, attack, active, progress=None, threshold=None):
        accounts = pl.DataFrame(
            {"account_id": [1, 2], "risk": [0.9, 0.1], "flagged": [True, False]}
        )
        spikes = pl.DataFrame(
            {"spike_id": [7], "verdict": ["explained"], "reason": ["views rose 2.1x with it"]}
        )
        return sandbox.AttackResult(attack, accounts, spikes, 0.8, ("2026-09-01", "2026-09-02"))

    monkeypatch.setattr(sandbox, "run_attack", explained_attack)
    at = open_page(sample_workspace_path, SANDBOX, monkeypatch)
    at.button(key="sandbox_run").click().run()
    no_exception(at)
    metrics = {m.label: m for m in at.metric}
    assert metrics["Spike verdict"].value == "explained"
    assert "Spike detected" not in metrics
    why = plain("explained spike: views rose 2.1x with it")
    assert any(why in m.value for m in at.markdown)
    assert all(not m.proto.delta for m in at.metric)  # counts, not changes: no arrow badges


def test_home_counts_carry_no_arrow_badges(sample_workspace_path, monkeypatch):
    at = open_page(sample_workspace_path, monkeypatch=monkeypatch)
    no_exception(at)
    assert all(not m.proto.delta for m in at.metric)


def test_lab_intervals_carry_no_arrow_badges(writable_workspace, monkeypatch):
    """The reviewed-labels panel shows each figure's interval under it, never as an arrow."""
    rows = Workspace.open(writable_workspace)
    try:
        labelled = (
            rows.con.execute(
                "select account_id, score > 0.5 from account_scores order by score desc limit 6 "
            ).fetchall()
            + rows.con.execute(
                "select account_id, false from account_scores order by score limit 6"
            ).fetchall()
        )
    finally:
        rows.close()
    store = AnalystStore(sidecar_dir(writable_workspace))
    for account, fake in labelled:
        store.add_label(account, "fake" if fake else "genuine", "", "ana")
    at = open_page(writable_workspace, "pages/4_Threshold_Lab.py", monkeypatch)
    no_exception(at)
    shown = {m.label: m for m in at.metric}
    assert "Precision expected" in shown
    no_arrow = MetricProto.MetricDirection.Value("NONE")
    assert all(m.proto.direction == no_arrow for m in shown.values() if m.proto.delta)


def test_review_filter_takes_a_username_and_names_the_creator(
    ids, sample_workspace_path, monkeypatch
):
    name = _one(
        sample_workspace_path,
        "select username from accounts where account_id = $c",
        c=ids["creator"],
    )[0]
    at = open_page(sample_workspace_path, REVIEW, monkeypatch)
    at.text_input(key="rev_creator").input(f"@{name}").run()
    no_exception(at)
    assert any(c.value.startswith(f"@{plain(name)} ·") for c in at.caption)
    assert at.selectbox(key="rev_spike") is not None  # the creator's spikes are offered
    at.text_input(key="rev_creator").input("no_such_creator_zz").run()
    assert any("No creator matches" in w.value for w in at.warning)


def test_labels_export_keeps_the_whole_history(tmp_path):
    store = AnalystStore(tmp_path)
    store.add_label(5, "fake", "first look", "ana")
    store.add_label(5, "genuine", "checked the videos", "ben")
    history = pl.read_csv(store.labels_csv(history=True))
    assert history.height == 2
    assert history["reviewer"].to_list() == ["ana", "ben"]
    assert history["note"].to_list() == ["first look", "checked the videos"]
    assert history["created_at"].null_count() == 0


def test_review_page_exports_the_history(sample_workspace_path, monkeypatch, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copy(sample_workspace_path, copy)
    at = open_page(copy, REVIEW, monkeypatch)
    no_exception(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Export labels with their history (CSV)"]
