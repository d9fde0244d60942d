"""Bad input never shows a traceback: exit 2 and one clear message; a bug exits 70 with a log
(issue 12: Low 8 tracebacks, Low 9 overwritten input, Low 10 validation gaps, Low 12 NUL)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from followaudit.cli import main
from followaudit.cli import validate as validate_cli
from followaudit.cli.errors import EXIT_INTERNAL, LOG_DIR_ENV
from followaudit.data.mapping_file import MappingError, load_mapping
from followaudit.data.validate import validate_folder
from followaudit.growth.cohorts import FollowerListError, load_follower_list
from followaudit.pipeline.build import build_workspace
from followaudit.store.workspace import PROJECT_ROOT, Workspace, WorkspaceError

ACCOUNTS_HEADER = (
    "account_id,username,created_at,has_profile_pic,follower_count,following_count,video_count\n"
)
GOOD_ACCOUNTS = ACCOUNTS_HEADER + "1,ann,2020-01-01,true,1,1,1\n2,bob,2021-01-01,false,2,2,2\n"
FOLLOWERS = "follower_id,rank,timestamp\n1,1,1600000000\n2,2,1600000100\n"


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    """Exit code and stderr of `followaudit argv` run in-process (argparse exits included)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse: usage line + "error: ..." and exit 2
        code = exc.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture
def followers(tmp_path) -> Path:
    path = tmp_path / "followers.csv"
    path.write_text(FOLLOWERS)
    return path


# --- cohorts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stamp", ["NaN", "inf", "-inf", "1e30", "-5"])
@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_cohorts_refuses_timestamps_that_are_not_unix_seconds(tmp_path, capsys, stamp, suffix):
    path = tmp_path / f"f{suffix}"
    if suffix == ".csv":
        path.write_text(FOLLOWERS.replace("1,1,1600000000", f"1,1,{stamp}"))
    else:
        value = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(stamp.lower(), stamp)
        rows = {"1": {"rank": 1, "timestamp": "STAMP"}, "2": {"rank": 2, "timestamp": 1600000000}}
        path.write_text(json.dumps(rows).replace('"STAMP"', value))
    code, err = run_cli(capsys, "cohorts", "--followers", str(path), "--json")
    assert code == 2 and "not Unix seconds" in err


def test_cohorts_hints_at_milliseconds(tmp_path, capsys):
    path = tmp_path / "f.csv"
    path.write_text(FOLLOWERS.replace("1600000000", "1600000000000"))
    code, err = run_cli(capsys, "cohorts", "--followers", str(path))
    assert code == 2 and "milliseconds" in err


def test_cohorts_refuses_a_lone_surrogate_id(tmp_path, capsys):
    path = tmp_path / "f.json"
    path.write_text('{"\\ud800": {"rank": 1, "timestamp": 1600000000}}')
    code, err = run_cli(capsys, "cohorts", "--followers", str(path), "--json")
    assert code == 2 and "not valid Unicode" in err


@pytest.mark.parametrize("name", ["list.csv", "list.json", "list"])
def test_cohorts_refuses_a_folder_as_input(tmp_path, capsys, name):
    (tmp_path / name).mkdir()
    code, err = run_cli(capsys, "cohorts", "--followers", str(tmp_path / name))
    assert code == 2 and "folder" in err


@pytest.mark.parametrize(
    ("option", "value"),
    [("--window", "0"), ("--stride", "0"), ("--window", "-3"), ("--threshold", "nan")],
)
def test_cohorts_refuses_window_and_stride_below_one(capsys, followers, option, value):
    code, err = run_cli(capsys, "cohorts", "--followers", str(followers), option, value)
    assert code == 2 and option in err


@pytest.mark.parametrize("out", ["missing/x.csv", "."])
def test_cohorts_refuses_a_bad_out_before_working(tmp_path, capsys, followers, out):
    code, err = run_cli(
        capsys, "cohorts", "--followers", str(followers), "--out", str(tmp_path / out)
    )
    assert code == 2 and err.startswith("error: --out")


# --- build --------------------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "accounts.csv").write_text(GOOD_ACCOUNTS)
    (folder / "labels.csv").write_text("account_id,label\n1,fake\n2,genuine\n")
    return folder


def test_build_refuses_when_the_sidecar_is_a_file(tmp_path, capsys, data):
    (tmp_path / "w.d").write_text("not a folder")
    code, err = run_cli(
        capsys, "build", "--data", str(data), "--workspace", str(tmp_path / "w.duckdb")
    )
    assert code == 2 and "w.d" in err and "is a file" in err
    assert not (tmp_path / "w.duckdb").exists()


def test_build_refuses_when_the_workspace_is_a_folder(tmp_path, capsys, data):
    (tmp_path / "w.duckdb").mkdir()
    code, err = run_cli(
        capsys, "build", "--data", str(data), "--workspace", str(tmp_path / "w.duckdb")
    )
    assert code == 2 and "is a folder" in err


@pytest.mark.parametrize("name", ["labels.csv", "accounts.csv"])
def test_build_never_overwrites_an_input_file(capsys, data, name):
    """Low 9: `build --workspace DATA/labels.csv` wrote the workspace over the labels."""
    before = (data / name).read_bytes()
    code, err = run_cli(capsys, "build", "--data", str(data), "--workspace", str(data / name))
    assert code == 2 and ".duckdb" in err
    assert (data / name).read_bytes() == before


def test_build_refuses_to_overwrite_a_file_that_is_not_a_workspace(tmp_path, capsys, data):
    target = tmp_path / "notes.duckdb"
    target.write_text("my notes")
    code, err = run_cli(capsys, "build", "--data", str(data), "--workspace", str(target))
    assert code == 2 and "not a workspace" in err and target.read_text() == "my notes"


def test_build_into_an_unwritable_folder_exits_2(data):
    """Root ignores permissions, so the child drops to `nobody` when the suite runs as root."""
    base = Path(tempfile.mkdtemp(prefix="h12-ro-"))
    try:
        os.chmod(base, 0o755)
        shutil.copytree(data, base / "data")
        readonly = base / "readonly"
        readonly.mkdir(mode=0o555)
        os.chmod(readonly, 0o555)
        result = _run_as_nobody(
            [sys.executable, "-m", "followaudit.cli", "build", "--data", str(base / "data"),
             "--workspace", str(readonly / "w.duckdb")], base,
        )  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert "Permission denied" in result.stderr and "Traceback" not in result.stderr
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _run_as_nobody(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a folder unwritable")
        argv = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    env = {**os.environ, "HOME": str(cwd), "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_build_refuses_a_workspace_path_with_nul(data):
    with pytest.raises(WorkspaceError, match="NUL"):
        build_workspace(data, Path("w\0.duckdb"))


# --- import, spikes -----------------------------------------------------------------------------


def test_import_refuses_a_binary_mapping(tmp_path, capsys, data):
    mapping = tmp_path / "map.toml"
    mapping.write_bytes(bytes(range(256)) * 4)
    code, err = run_cli(
        capsys, "import", "--accounts", str(data / "accounts.csv"), "--mapping", str(mapping),
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 2 and "not a UTF-8 text file" in err


def test_import_refuses_an_out_that_is_a_file(tmp_path, capsys, data):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[source]\nformat = "csv"\n[columns]\nusername = "username"\n')
    out = tmp_path / "out"
    out.write_text("a file")
    code, err = run_cli(
        capsys, "import", "--accounts", str(data / "accounts.csv"), "--mapping", str(mapping),
        "--out", str(out),
    )  # fmt: skip
    assert code == 2 and "is a file, not a folder" in err and out.read_text() == "a file"


@pytest.mark.parametrize("name", ["accounts.csv", "folder"])
def test_spikes_refuses_a_file_that_is_not_a_workspace(capsys, data, name):
    target = data / name
    if name == "folder":
        target.mkdir()
    code, err = run_cli(capsys, "spikes", "--workspace", str(target))
    assert code == 2 and "build one with" in err


# --- validation gaps ----------------------------------------------------------------------------


def test_a_folder_named_like_a_table_is_a_problem(data):
    (data / "follows.csv").mkdir()
    problems = validate_folder(data)
    assert [(p.file, p.message) for p in problems] == [("follows.csv", "this is a folder")]


def test_a_row_column_in_the_file_does_not_shift_row_numbers(data):
    (data / "accounts.csv").write_text(
        "__row,"
        + ACCOUNTS_HEADER
        + "99,1,ann,2020-01-01,true,1,1,1\n98,x,bob,2020-01-01,true,1,1,1\n"
    )
    problems = {p.column: p for p in validate_folder(data)}
    assert problems["account_id"].rows == (2,)
    assert "reserved" in problems["__row"].message


def test_a_row_column_in_a_parquet_file_does_not_shift_row_numbers(data):
    con = duckdb.connect()
    con.execute(
        "copy (select 7 as __row, 1 as account_id, 'a' as username, timestamp '2020-01-01' as "
        "created_at, true as has_profile_pic, 1 as follower_count, 1 as following_count, "
        f"-1 as video_count) to '{data / 'accounts.parquet'}' (format parquet)"
    )
    (data / "accounts.csv").unlink()
    problems = {p.column: p for p in validate_folder(data)}
    assert problems["video_count"].rows == (1,)


def test_unreadable_ids_are_not_reported_as_duplicates(data):
    (data / "accounts.csv").write_text(
        ACCOUNTS_HEADER + "NaN,ann,2020-01-01,true,1,1,1\nNaN,bob,2020-01-01,true,1,1,1\n"
    )
    messages = [p.message for p in validate_folder(data) if p.file == "accounts.csv"]
    assert messages == ["value cannot be read as BIGINT"]


# --- NUL in file names (Low 12) -----------------------------------------------------------------


def test_nul_in_names_is_a_clear_error_everywhere(tmp_path):
    assert "NUL" in validate_folder(Path("data\0x"))[0].message
    with pytest.raises(FollowerListError, match="NUL"):
        load_follower_list(Path("f\0.csv"))
    with pytest.raises(MappingError, match="cannot read"):
        load_mapping(Path("m\0.toml"))
    with pytest.raises(WorkspaceError):
        Workspace.open(Path("w\0.duckdb"))


# --- unexpected errors --------------------------------------------------------------------------


def test_a_bug_exits_70_with_internal_error_and_a_log(tmp_path, capsys, monkeypatch, data):
    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(validate_cli, "run", broken)
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))
    code, err = run_cli(capsys, "validate", "--data", str(data))
    assert code == EXIT_INTERNAL and "internal error" in err
    logs = list((tmp_path / "logs").iterdir())
    assert len(logs) == 1 and str(logs[0]) in err
    assert "Traceback" in logs[0].read_text() and "a bug" in logs[0].read_text()


def test_a_panic_that_is_not_an_exception_is_an_internal_error(tmp_path, capsys, monkeypatch, data):
    """Polars raises Rust panics as a BaseException subclass; they must not escape either."""

    class Panic(BaseException):
        pass

    def panics(args):
        raise Panic("called `Result::unwrap()` on an `Err` value")

    monkeypatch.setattr(validate_cli, "run", panics)
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))
    code, err = run_cli(capsys, "validate", "--data", str(data))
    assert code == EXIT_INTERNAL and "internal error: Panic" in err


@pytest.mark.parametrize("seed", ["-1", str(2**32), "x"])
@pytest.mark.parametrize("command", ["generate", "evaluate"])
def test_a_seed_numpy_refuses_is_refused_by_the_parser(tmp_path, capsys, command, seed):
    argv = ["--out", str(tmp_path / "w")] if command == "generate" else []
    if command == "evaluate":
        argv = ["--accounts", str(tmp_path / "t.csv"), "--mapping", str(tmp_path / "m.toml")]
    code, err = run_cli(capsys, command, *argv, "--seed", seed)
    assert code == 2 and "--seed" in err
