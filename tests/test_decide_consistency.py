"""One decision, one number: for random policies and lines across the whole range, `decide`, the
lab's snapshot, the Policies comparison, the report, the exports and the review queue agree, and
`--out` agrees with its JSON, the follow log and the labels (brute force, no shared code)."""

from __future__ import annotations

import json
import shutil
from argparse import Namespace
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_world import build

from followaudit.cli import decide as decide_cli
from followaudit.decide import exports
from followaudit.decide.decisions import PolicyRisk, decide
from followaudit.decide.inputs import load_inputs
from followaudit.decide.lab import build_lab, snapshot
from followaudit.decide.policy import Condition, Policy, Rule, default_policy
from followaudit.decide.policy_store import PolicyStore
from followaudit.decide.report import compare, measures, report_rows
from followaudit.decide.review_queue import review_queue
from followaudit.store.analyst import AnalystStore
from followaudit.store.workspace import Workspace, sidecar_dir

FEATURES = ["has_profile_pic", "video_count", "following_follower_ratio", "following_count"]
OPS = [">=", ">", "<=", "<", "==", "!="]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("consistency") / "w.duckdb")


@pytest.fixture(scope="module")
def inputs(world):
    ws = Workspace.open(world)
    try:
        yield load_inputs(ws)
    finally:
        ws.close()


def rules():
    rule = st.builds(
        Rule,
        feature=st.sampled_from(FEATURES),
        op=st.sampled_from(OPS),
        threshold=st.sampled_from([0.0, 1.0, 4.0, 50.0, 90.0, 900.0]),
        weight=st.one_of(st.floats(-6, 6, allow_nan=False), st.sampled_from([-40.0, 40.0])),
        description=st.sampled_from(["rule a", "rule b", "rule c"]),
        enabled=st.booleans(),
        also=st.sampled_from([(), (Condition("account_age_days", ">=", 60.0),)]),
    )
    return st.lists(rule, max_size=4)


@st.composite
def policies(draw) -> Policy:
    """A policy anywhere on the scale: lines at 0, 1, in between, or a top X %."""
    line = draw(st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0, 1)))
    top = draw(st.one_of(st.none(), st.floats(0.01, 100), st.sampled_from([10.0, 100.0])))
    remove = draw(st.floats(0, 1))
    suspend = draw(st.floats(remove, 1))
    return Policy(
        name=draw(st.sampled_from(["pa", "pb"])),
        threshold=line,
        top_percent=top,
        rules=draw(rules()),
        tiers={"review": line, "remove": remove, "suspend": suspend},
    )


def reviews():
    """Review labels on some accounts (fake / genuine / unsure), overriding the labels table."""
    return st.dictionaries(
        st.integers(4, 400), st.sampled_from(["fake", "genuine", "unsure"]), max_size=30
    )


def _reviewed(review: dict[int, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"account_id": list(review), "label": list(review.values())},
        schema={"account_id": pl.Int64, "label": pl.String},
    )


def oracle(world: Path, out: pl.DataFrame, review: dict[int, str]) -> dict:
    """The JSON's numbers recomputed from `--out`, the follow log and the labels alone."""
    con = duckdb.connect(str(world), read_only=True)
    try:
        follows = con.sql(
            "select follower_id, creator_id from follows where unfollowed_at is null"
        ).pl()
        table = con.sql("select account_id, label from labels").pl()
    finally:
        con.close()
    labels = {r["account_id"]: r["label"] for r in table.iter_rows(named=True)} | review
    known = pl.DataFrame(
        {"account_id": list(labels), "label": list(labels.values())},
        schema={"account_id": pl.Int64, "label": pl.String},
    ).filter(pl.col("label") != "unsure")
    lab = out.join(known, on="account_id")
    fake, flagged = pl.col("label") == "fake", pl.col("flagged")
    per = follows.join(out, left_on="follower_id", right_on="account_id").group_by("creator_id")
    per = per.agg(pl.len().alias("n"), flagged.sum().alias("lost"))
    return {
        "accounts": out.height,
        "flagged": int(out["flagged"].sum()),
        "tiers": {t: int((out["tier"] == t).sum()) for t in ("review", "remove", "suspend")},
        "labelled": {
            "tp": lab.filter(fake & flagged).height,
            "fp": lab.filter(~fake & flagged).height,
            "fn": lab.filter(fake & ~flagged).height,
            "tn": lab.filter(~fake & ~flagged).height,
        },
        "creators_losing": {
            str(v): int((per["lost"] * 100 > v * per["n"]).sum()) for v in (5, 10, 25)
        },
        "purge_followers": int(
            follows.join(out.filter(flagged), left_on="follower_id", right_on="account_id").height
        ),
    }


def counts(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k not in ("policy", "version", "threshold")}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(policy=policies(), review=reviews())
def test_every_consumer_gives_decides_numbers(inputs, policy, review):
    reviewed = _reviewed(review)
    d = decide(inputs, policy, reviewed)
    summary = d.summary()
    assert 0.0 <= d.threshold <= 1.0 and np.all((d.risk.risk >= 0) & (d.risk.risk <= 1))
    assert sum(summary["tiers"].values()) == summary["flagged"]  # tiers partition flagged

    lab = build_lab(PolicyRisk(inputs, policy), reviewed)
    snap = snapshot(lab, policy)
    same = {k: snap[k] for k in ("flagged", "labelled", "creators_losing", "purge_followers")}
    assert same == {k: summary[k] for k in same}
    assert {k: v for k, v in snap["tiers"].items() if k != "none"} == summary["tiers"]

    other = default_policy()
    comparison = compare(lab, policy, build_lab(PolicyRisk(inputs, other), reviewed), other)
    column_a = dict(zip(comparison.deltas["measure"], comparison.deltas["a"], strict=True))
    expected = measures(snap)
    assert column_a == pytest.approx({k: float(v) for k, v in expected.items() if k in column_a})
    column_b = dict(zip(comparison.deltas["measure"], comparison.deltas["b"], strict=True))
    other_summary = decide(inputs, other, reviewed).summary()
    assert column_b["accounts flagged"] == other_summary["flagged"]
    assert column_b["followers a purge removes"] == other_summary["purge_followers"]

    rows = report_rows(policy, snap, comparison)
    report = dict(zip(rows["measure"], rows["value"], strict=True))
    assert report["accounts flagged"] == summary["flagged"]
    assert report["tier suspend"] == summary["tiers"]["suspend"]
    assert report["labelled genuine, flagged (fp)"] == summary["labelled"]["fp"]
    assert report["creators losing > 10 %"] == summary["creators_losing"]["10"]
    assert report["followers a purge removes"] == summary["purge_followers"]
    compared = dict(zip(rows["measure"], rows["compared_value"], strict=True))
    assert compared["accounts flagged"] == other_summary["flagged"]

    flagged = d.flagged_frame()
    export = exports.with_policy(pl.DataFrame({"account_id": flagged["account_id"]}), flagged)
    assert export.height == summary["flagged"]
    assert {t: int((export["tier"] == t).sum()) for t in summary["tiers"]} == summary["tiers"]

    queue = review_queue(d.risk_frame(), d.threshold, "score", limit=summary["flagged"] + 1)
    assert int((queue["risk"] >= d.threshold).sum()) == summary["flagged"]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(policy=policies(), review=reviews())
def test_decide_out_agrees_with_its_json_the_follow_log_and_the_labels(
    world, tmp_path_factory, policy, review, capsys
):
    folder = tmp_path_factory.mktemp("cli")
    workspace = folder / "w.duckdb"
    shutil.copy(world, workspace)
    remove = max(policy.tiers["remove"], policy.threshold)  # a file's tiers are coherent
    tiers = {
        "review": policy.threshold,
        "remove": remove,
        "suspend": max(remove, policy.tiers["suspend"]),
    }
    saved = PolicyStore(sidecar_dir(workspace)).save(policy.with_changes(tiers=tiers))
    store = AnalystStore(sidecar_dir(workspace))
    for account, label in review.items():
        store.add_label(account, label, "", "hypothesis")
    out = folder / "decisions.parquet"
    args = Namespace(
        workspace=workspace,
        policy=f"{saved.name}@v{saved.version}",
        threshold=None,
        top_percent=None,
        json=True,
        out=out,
    )
    assert decide_cli.run(args) == 0
    summary = json.loads(capsys.readouterr().out)
    written = pl.read_parquet(out)
    assert written.schema == pl.Schema(decide_cli.OUT_SCHEMA)
    assert counts(summary) == oracle(workspace, written, review)
    assert (written["flagged"] == (written["risk"] >= summary["threshold"])).all()
