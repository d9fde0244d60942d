"""The `followaudit` command: every subcommand parses, and a whole tiny world goes through it."""

from __future__ import annotations

import json

import pytest

from followaudit.cli import COMMANDS, main


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert command in capsys.readouterr().out


def test_top_level_help_lists_commands_without_importing_them(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(command in out for command in COMMANDS)


def test_tiny_world_generate_build_spikes(tmp_path, capsys):
    data, ws = tmp_path / "world", tmp_path / "w.duckdb"
    assert main(["generate", "--out", str(data), "--accounts", "3000", "--seed", "3"]) == 0
    assert main(["build", "--data", str(data), "--workspace", str(ws)]) == 0
    assert ws.exists()
    capsys.readouterr()
    assert main(["spikes", "--workspace", str(ws), "--json"]) == 0
    spikes = json.loads(capsys.readouterr().out)
    assert isinstance(spikes, list)
    for spike in spikes:
        assert {"creator_id", "start", "end", "verdict", "excess", "score"} <= spike.keys()


def test_build_of_bad_data_exits_2_and_keeps_the_old_workspace(tmp_path, capsys):
    data = tmp_path / "bad"
    data.mkdir()
    (data / "accounts.csv").write_text("account_id,username\n1,ann\n1,bob\n")
    ws = tmp_path / "w.duckdb"
    ws.write_bytes(b"previous workspace")
    assert main(["build", "--data", str(data), "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "accounts" in err and "account_id" in err
    assert ws.read_bytes() == b"previous workspace"
