"""The `followaudit` command: every subcommand parses, and a whole tiny world goes through it."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import polars as pl
import pytest

from followaudit.cli import COMMANDS, main


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert command in capsys.readouterr().out


# Libraries a command may need; `followaudit --help` must load none of them (it stays instant).
HEAVY = ("polars", "duckdb", "numpy", "pyarrow", "lightgbm", "sklearn", "streamlit", "pandas")
_PROBE = """
import json, sys
from followaudit.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_loaded_by(*argv: str) -> tuple[str, set[str]]:
    """Run `followaudit <argv>` in a fresh interpreter: its output and every module it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True
    )
    return done.stdout, set(json.loads(done.stderr.strip().splitlines()[-1]))


def _heavy_or_command(modules: set[str]) -> list[str]:
    """The heavy libraries (top-level names) and command modules among `modules`."""
    commands = {f"followaudit.cli.{module}" for module, _ in COMMANDS.values()}
    heavy = {m.split(".")[0] for m in modules if m.split(".")[0] in HEAVY}
    return sorted(heavy | (modules & commands))


def test_top_level_help_lists_commands_without_importing_them():
    out, modules = _modules_loaded_by("--help")
    assert all(command in out for command in COMMANDS)
    assert _heavy_or_command(modules) == []


def test_a_command_help_imports_only_that_command():
    """The probe above sees imports: asking for one command's help loads that command's module."""
    _, modules = _modules_loaded_by("spikes", "--help")
    loaded = _heavy_or_command(modules)
    assert "followaudit.cli.spikes" in loaded and "followaudit.cli.build" not in loaded


def test_tiny_world_generate_build_spikes(tmp_path, capsys):
    """generate -> build -> spikes finds the tiny world's bought campaigns (its ground truth)."""
    data, ws = tmp_path / "world", tmp_path / "w.duckdb"
    assert main(["generate", "--out", str(data), "--accounts", "3000", "--seed", "3"]) == 0
    assert main(["build", "--data", str(data), "--workspace", str(ws)]) == 0
    capsys.readouterr()
    assert main(["spikes", "--workspace", str(ws), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows, "the tiny world has bought campaigns: spikes must be found"
    spikes = pl.DataFrame(rows).with_columns(pl.col("start", "end").str.to_date())
    accounts = pl.read_parquet(data / "accounts.parquet", columns=["account_id"])["account_id"]
    assert (spikes["start"] <= spikes["end"]).all() and spikes["creator_id"].is_in(
        accounts.implode()
    ).all()
    assert (spikes["followers_gained"] > 0).all() and (spikes["expected_followers"] >= 0).all()
    assert spikes["flagged_share"].is_between(0, 1).all()
    assert spikes["young_share"].is_between(0, 1).all()
    assert set(spikes["verdict"]) <= {"suspicious", "explained", "unexplained"}
    campaigns = pl.read_parquet(data / "campaigns.parquet")
    caught = _campaigns_caught(campaigns, spikes.filter(pl.col("verdict") == "suspicious"))
    # The tiny world has bursts, drips and the issue-10 kinds: most must be caught, bursts and
    # drips among them.
    assert caught.height >= campaigns.height / 2, f"{caught.height} of {campaigns.height} caught"
    assert {"burst", "drip"} <= set(caught["kind"])


def _campaigns_caught(campaigns: pl.DataFrame, spikes: pl.DataFrame) -> pl.DataFrame:
    """The campaigns that a spike of the same creator overlaps in time."""
    pairs = campaigns.join(spikes, on="creator_id", suffix="_spike")
    overlapping = pairs.filter(
        (pl.col("start_spike") <= pl.col("end").dt.date())
        & (pl.col("end_spike") >= pl.col("start").dt.date())
    )
    return campaigns.filter(pl.col("campaign_id").is_in(overlapping["campaign_id"].implode()))


def test_build_of_bad_data_exits_2_and_keeps_the_old_workspace(tmp_path, capsys):
    data = tmp_path / "bad"
    data.mkdir()
    (data / "accounts.csv").write_text("account_id,username\n1,ann\n1,bob\n")
    ws = tmp_path / "w.duckdb"
    duckdb.connect(str(ws)).execute("create table previous as select 1 as x").close()
    before = ws.read_bytes()
    assert main(["build", "--data", str(data), "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "accounts" in err and "account_id" in err
    assert ws.read_bytes() == before
