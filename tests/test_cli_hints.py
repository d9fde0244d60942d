"""Every command the CLI suggests (in backticks) parses with the real parser; import's runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import duckdb
import pytest
from export_table import EXPECTED, write_export
from streamlit.testing.v1 import AppTest

from followaudit.cli import main, make_parser
from followaudit.store.workspace import PROJECT_ROOT, Workspace

HINT = re.compile(r"`(followaudit [^`]+)`")


def hints(text: str) -> list[list[str]]:
    """The argument lists of every `followaudit ...` command in `text`."""
    return [shlex.split(h)[1:] for h in HINT.findall(text)]


def assert_parses(argv: list[str]) -> None:
    """argparse accepts the command as printed (it exits on a missing or unknown option)."""
    try:
        make_parser(argv[0]).parse_args(argv)
    except SystemExit as exc:
        pytest.fail(f"`followaudit {shlex.join(argv)}` does not parse (exit {exc.code})")


def _mapping(tmp_path: Path) -> Path:
    lines = ["[source]", 'format = "csv"', "[columns]"]
    lines += [f'{target} = "{source}"' for target, source in EXPECTED.items()]
    path = tmp_path / "map.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_ends_with_a_build_command_that_runs_as_printed(tmp_path, capsys):
    export = write_export(tmp_path, rows=300, labels=False)
    out = tmp_path / "my data"  # a space: the hint must quote it
    assert main(["import", "--accounts", str(export), "--mapping", str(_mapping(tmp_path)),
                 "--out", str(out)]) == 0  # fmt: skip
    [argv] = hints(capsys.readouterr().out)
    assert_parses(argv)
    assert argv[:3] == ["build", "--data", str(out)] and "--workspace" in argv
    assert main(argv) == 0
    workspace = Path(argv[argv.index("--workspace") + 1])
    ws = Workspace.open(workspace)
    try:
        assert ws.query("workspace/contents")["accounts"][0] == 300
    finally:
        ws.close()


def test_a_missing_workspace_names_a_complete_build_command(tmp_path, capsys):
    assert main(["spikes", "--workspace", str(tmp_path / "no such.duckdb")]) == 2
    [argv] = hints(capsys.readouterr().err)
    assert_parses(argv)
    assert argv[-1] == str(tmp_path / "no such.duckdb")


def test_a_workspace_without_spikes_gets_the_rebuild_of_its_own_data(tmp_path, capsys):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table meta as select 'data_dir' as key, '/data/my export' as value")
    con.close()
    assert main(["spikes", "--workspace", str(path)]) == 2
    [argv] = hints(capsys.readouterr().err)
    assert_parses(argv)
    assert argv == ["build", "--data", "/data/my export", "--workspace", str(path)]


def test_a_folder_given_as_workspace_names_a_complete_build_command(tmp_path, capsys):
    assert main(["spikes", "--workspace", str(tmp_path)]) == 2
    [argv] = hints(capsys.readouterr().err)
    assert_parses(argv)


def test_the_app_names_a_build_command_for_a_missing_workspace(tmp_path, monkeypatch):
    missing = tmp_path / "my team_ws.duckdb"  # a space and Markdown characters, shown as typed
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(missing))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    [argv] = hints(at.error[0].value)
    assert_parses(argv)
    assert argv[-1] == str(missing)
