"""`followaudit decide`: the JSON keys of issue 11, the Parquet columns, and one clear message
with exit code 2 for every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from policy_world import build

from followaudit.cli import main
from followaudit.decide.policy import default_policy
from followaudit.decide.policy_store import PolicyStore
from followaudit.store.workspace import sidecar_dir

KEYS = [
    "policy",
    "version",
    "threshold",
    "accounts",
    "flagged",
    "tiers",
    "labelled",
    "creators_losing",
    "purge_followers",
]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    path = build(tmp_path_factory.mktemp("cli_decide") / "w.duckdb")
    store = PolicyStore(sidecar_dir(path))
    store.save(default_policy().with_changes(name="team", threshold=0.5))
    store.save(default_policy().with_changes(name="team", threshold=0.6))
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["decide", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_exactly_the_issues_keys(world, capsys):
    code, out, _ = run(capsys, "--workspace", str(world), "--json")
    summary = json.loads(out)
    assert code == 0 and list(summary) == KEYS
    assert (summary["policy"], summary["version"], summary["threshold"]) == ("conservative", 0, 0.8)
    assert list(summary["tiers"]) == ["review", "remove", "suspend"]
    assert list(summary["labelled"]) == ["tp", "fp", "fn", "tn"]
    assert list(summary["creators_losing"]) == ["5", "10", "25"]
    assert sum(summary["labelled"].values()) == 199  # the labelled accounts of the tiny world


def test_policy_versions_thresholds_and_top_percent(world, capsys):
    latest = json.loads(run(capsys, "--workspace", str(world), "--policy", "team", "--json")[1])
    first = json.loads(run(capsys, "--workspace", str(world), "--policy", "team@v1", "--json")[1])
    assert (latest["version"], latest["threshold"], first["version"]) == (2, 0.6, 1)
    moved = json.loads(
        run(
            capsys, "--workspace", str(world), "--policy", "team@v1", "--threshold", "0.9", "--json"
        )[1]
    )
    assert moved["threshold"] == 0.9 and moved["flagged"] < first["flagged"]
    top = json.loads(run(capsys, "--workspace", str(world), "--top-percent", "10", "--json")[1])
    assert top["flagged"] == 40  # 10 % of 400 accounts


def test_out_writes_one_row_per_account_with_64_bit_ids(world, capsys, tmp_path):
    out = tmp_path / "decisions.parquet"
    code, text, _ = run(capsys, "--workspace", str(world), "--out", str(out))
    frame = pl.read_parquet(out)
    assert code == 0 and "flagged" in text
    assert frame.schema == pl.Schema(
        {"account_id": pl.Int64, "risk": pl.Float64, "flagged": pl.Boolean, "tier": pl.String}
    )
    assert frame.height == 400 and set(frame["tier"]) <= {"none", "review", "remove", "suspend"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workspace", "/nonexistent/w.duckdb"], "does not exist"),
        (["--policy", "nope"], "no saved policy named 'nope'"),
        (["--policy", "team@v9"], "has no version 9"),
        (["--policy", "conservative@v2"], "is a preset: it has no saved version 2"),
        (["--policy", "Bad Name!"], "expected NAME or NAME@vN"),
        (["--threshold", "1.5"], "--threshold 1.5: risk is a probability, expected 0..1"),
        (["--threshold", "-0.1"], "expected 0..1"),
        (["--top-percent", "0"], "--top-percent 0: expected more than 0, up to 100"),
        (["--top-percent", "101"], "expected more than 0, up to 100"),
        (["--out", "/nonexistent/dir/d.parquet"], "--out /nonexistent/dir/d.parquet: cannot write"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(world, capsys, args, message):
    if args[0] != "--workspace":
        args = ["--workspace", str(world), *args]
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert message in err and err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    "args", [["--threshold", "x"], ["--threshold", "0.5", "--top-percent", "5"], []]
)
def test_malformed_command_lines_exit_2(world, capsys, args):
    with pytest.raises(SystemExit) as stop:
        main(["decide", *(["--workspace", str(world)] if args else []), *args])
    assert stop.value.code == 2
