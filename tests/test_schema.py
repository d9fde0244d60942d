"""Canonical format: validation finds every problem precisely; loading is all or nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from followaudit.data.load import load_folder
from followaudit.data.spec import TABLES
from followaudit.data.validate import ValidationError, problems_frame, validate_folder
from followaudit.pipeline import build
from followaudit.store import workspace

ACCOUNTS = """account_id,username,created_at,has_profile_pic,follower_count,following_count,video_count
1,alice,2024-01-01 10:00:00,true,10,5,1
2,bob,2024-01-02 10:00:00,false,3,50,0
3,carol,2024-01-03 10:00:00,true,100,2,9
"""
FOLLOWS = """follower_id,creator_id,followed_at,unfollowed_at
2,1,2024-02-01 10:00:00,
3,1,2024-02-02 10:00:00,2024-03-01 00:00:00
"""
ENGAGEMENT = "creator_id,date,views,likes\n1,2024-02-01,100,10\n1,2024-02-02,120,12\n"
LABELS = "account_id,label,source\n2,fake,manual\n3,genuine,manual\n"


def write_folder(folder: Path, **tables: str) -> Path:
    """A data folder with the good tables, each replaceable or removable (None) by keyword."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "accounts.csv": ACCOUNTS,
        "follows.csv": FOLLOWS,
        "engagement_daily.csv": ENGAGEMENT,
        "labels.csv": LABELS,
    }
    files.update({name.replace("__", "."): text for name, text in tables.items()})
    for name, text in files.items():
        if text is not None:
            (folder / name).write_text(text)
    return folder


def only(problems, file, column):
    """The single problem about `file` and `column`."""
    found = [p for p in problems if p.file == file and p.column == column]
    assert len(found) == 1, ValidationError(problems).report()
    return found[0]


def test_good_folder_has_no_problems_and_loads_typed_tables(tmp_path):
    data = write_folder(tmp_path / "data")
    assert validate_folder(data) == []
    con = duckdb.connect()
    load_folder(con, data)
    types = dict(con.execute("select column_name, column_type from (describe accounts)").fetchall())
    assert types["account_id"] == "BIGINT" and types["created_at"] == "TIMESTAMP"
    assert types["has_profile_pic"] == "BOOLEAN" and types["bio"] == "VARCHAR"
    assert con.execute("select count(*) from follows").fetchone()[0] == 2
    assert con.execute("select list(label order by account_id) from labels").fetchone()[0] == [
        "fake",
        "genuine",
    ]
    loaded = con.execute("select column_name from loaded_columns where table_name = 'accounts'")
    assert "bio" not in {row[0] for row in loaded.fetchall()}


def test_missing_labels_file_gives_an_empty_labels_table(tmp_path):
    data = write_folder(tmp_path / "data", labels__csv=None)
    con = duckdb.connect()
    load_folder(con, data)
    assert con.execute("select count(*) from labels").fetchone()[0] == 0
    assert not workspace.table_exists(con, "campaigns")


@pytest.mark.parametrize(
    ("files", "file", "column", "rows", "words"),
    [
        (
            {"accounts__csv": ACCOUNTS.replace("3,carol", "2,carol")},
            "accounts.csv",
            "account_id",
            (2, 3),
            "duplicate",
        ),
        (
            {"accounts__csv": ACCOUNTS.replace("false,3,50", "maybe,3,50")},
            "accounts.csv",
            "has_profile_pic",
            (2,),
            "BOOLEAN",
        ),
        (
            {"accounts__csv": ACCOUNTS.replace("true,100", "true,lots")},
            "accounts.csv",
            "follower_count",
            (3,),
            "BIGINT",
        ),
        (
            {"accounts__csv": ACCOUNTS.replace("false,3,50", "false,-3,50")},
            "accounts.csv",
            "follower_count",
            (2,),
            "negative",
        ),
        (
            {"accounts__csv": ACCOUNTS.replace("2024-01-03", "2001-01-03")},
            "accounts.csv",
            "created_at",
            (3,),
            "before 2005",
        ),
        (
            {"follows__csv": FOLLOWS.replace("2024-02-02", "2099-02-02")},
            "follows.csv",
            "followed_at",
            (2,),
            "future",
        ),
        (
            {"follows__csv": FOLLOWS.replace("3,1,", "77,1,")},
            "follows.csv",
            "follower_id",
            (2,),
            "unknown account",
        ),
        (
            {"labels__csv": LABELS.replace("3,genuine", "9,genuine")},
            "labels.csv",
            "account_id",
            (2,),
            "unknown account",
        ),
        (
            {"labels__csv": LABELS.replace("fake", "bot")},
            "labels.csv",
            "label",
            (1,),
            "not allowed",
        ),
        (
            {"accounts__csv": ACCOUNTS.replace("video_count", "video_cnt")},
            "accounts.csv",
            "video_cnt",
            (),
            "did you mean video_count",
        ),
        (
            {"accounts__csv": ACCOUNTS.replace("video_count", "video_cnt")},
            "accounts.csv",
            "video_count",
            (),
            "missing",
        ),
        ({"follows__csv": FOLLOWS[:-30]}, "follows.csv", "", (2,), "truncated"),
        ({"follows__csv": ""}, "follows.csv", "", (), "empty"),
        ({"accounts__csv": None}, "accounts.csv", "", (), "missing"),
        ({"folows__csv": FOLLOWS}, "folows.csv", "", (), "did you mean follows"),
    ],
)
def test_each_bad_input_is_named_precisely(tmp_path, files, file, column, rows, words):
    data = write_folder(tmp_path / "data", **files)
    problem = only(validate_folder(data), file, column)
    assert problem.rows == rows
    assert words in problem.describe()
    assert problem.expected


def test_zero_byte_parquet_is_reported(tmp_path):
    data = write_folder(tmp_path / "data", engagement_daily__csv=None)
    (data / "engagement_daily.parquet").write_bytes(b"")
    problem = only(validate_folder(data), "engagement_daily.parquet", "")
    assert "empty" in problem.message


def test_corrupt_parquet_is_reported_not_raised(tmp_path):
    data = write_folder(tmp_path / "data", engagement_daily__csv=None)
    (data / "engagement_daily.parquet").write_bytes(b"PAR1 not really")
    problem = only(validate_folder(data), "engagement_daily.parquet", "")
    assert "cannot read" in problem.message


def test_every_problem_is_reported_at_once(tmp_path):
    data = write_folder(
        tmp_path / "data",
        accounts__csv=ACCOUNTS.replace("false,3,50", "false,-3,50").replace("true,100", "true,x"),
        labels__csv=LABELS.replace("fake", "bot"),
        follows__csv=FOLLOWS[:-30],
    )
    problems = validate_folder(data)
    assert sorted((p.file, p.column, p.rows) for p in problems) == [
        ("accounts.csv", "follower_count", (2,)),
        ("accounts.csv", "follower_count", (3,)),
        ("follows.csv", "", (2,)),
        ("labels.csv", "label", (1,)),
    ]
    frame = problems_frame(problems)
    assert frame.columns == ["file", "column", "rows", "expected", "message"]
    assert frame.height == 4


def test_many_offending_rows_show_a_sample_and_a_count(tmp_path):
    rows = "".join(f"{i},u{i},2024-01-01,true,-1,0,0\n" for i in range(1, 31))
    data = write_folder(tmp_path / "data", accounts__csv=ACCOUNTS.splitlines()[0] + "\n" + rows)
    problem = only(validate_folder(data), "accounts.csv", "follower_count")
    assert problem.count == 30 and problem.rows == (1, 2, 3, 4, 5)
    assert problem.rows_text() == "1, 2, 3, 4, 5 (and 25 more)"


@pytest.mark.parametrize(
    ("text", "value"),
    [("TRUE", True), ("1", True), ("yes", True), ("Y", True), ("False", False), ("0", False)],
)
def test_boolean_spellings_are_accepted(tmp_path, text, value):
    data = write_folder(
        tmp_path / "data", accounts__csv=ACCOUNTS.replace("true,10,", f"{text},10,")
    )
    con = duckdb.connect()
    load_folder(con, data)
    got = con.execute("select has_profile_pic from accounts where account_id = 1").fetchone()[0]
    assert got is value


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-01 10:00:00",
        "2024-01-01T10:00:00",
        "2024-01-01T10:00:00Z",
        "2024-01-01T12:00:00+02:00",
        "1704103200",
        "1704103200000",
    ],
)
def test_iso_and_epoch_timestamps_are_accepted(tmp_path, text):
    data = write_folder(
        tmp_path / "data", accounts__csv=ACCOUNTS.replace("2024-01-01 10:00:00", text)
    )
    con = duckdb.connect()
    load_folder(con, data)
    got = con.execute(
        "select strftime(created_at, '%Y-%m-%d %H:%M:%S') from accounts where account_id = 1"
    )
    assert got.fetchone()[0] == "2024-01-01 10:00:00"


def test_parquet_tables_load_like_csv(tmp_path):
    csv_dir = write_folder(tmp_path / "csv")
    pq_dir = tmp_path / "pq"
    pq_dir.mkdir()
    con = duckdb.connect()
    load_folder(con, csv_dir)
    for table in ("accounts", "follows"):
        con.execute(f"copy {table} to '{pq_dir / table}.parquet' (format parquet)")
    assert validate_folder(pq_dir) == []
    other = duckdb.connect()
    load_folder(other, pq_dir)
    assert other.execute("select sum(follower_count) from accounts").fetchone()[0] == 113


def test_failed_load_raises_before_touching_the_connection(tmp_path):
    data = write_folder(tmp_path / "data", labels__csv=LABELS.replace("fake", "bot"))
    con = duckdb.connect()
    with pytest.raises(ValidationError) as err:
        load_folder(con, data)
    assert "labels.csv, column label, row 1" in err.value.report()
    assert con.execute("select count(*) from information_schema.tables").fetchone()[0] == 0


def test_failed_build_leaves_the_existing_workspace_untouched(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "derived_steps", lambda: [])
    target = tmp_path / "ws" / "w.duckdb"
    build.build_workspace(write_folder(tmp_path / "good"), target)
    before = target.read_bytes()
    bad = write_folder(tmp_path / "bad", follows__csv=FOLLOWS[:-30])
    with pytest.raises(ValidationError):
        build.build_workspace(bad, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["w.d", "w.duckdb"]
    ws = workspace.Workspace.open(target)
    assert ws.con.execute("select count(*) from accounts").fetchone()[0] == 3
    ws.close()


def test_every_table_spec_is_documented():
    for table in TABLES.values():
        assert table.description
        for column in table.columns:
            assert column.description and column.type in {
                "BIGINT",
                "VARCHAR",
                "BOOLEAN",
                "TIMESTAMP",
                "DATE",
                "DOUBLE",
            }


def test_unknown_accounts_are_found_when_ids_have_gaps(tmp_path):
    accounts = ACCOUNTS.replace("\n2,bob", "\n5,bob").replace("\n3,carol", "\n9,carol")
    follows = "follower_id,creator_id,followed_at\n5,1,2024-02-01\n4,1,2024-02-01\n9,1,2024-02-01\n"
    data = write_folder(
        tmp_path / "data", accounts__csv=accounts, follows__csv=follows, labels__csv=None
    )
    problem = only(validate_folder(data), "follows.csv", "follower_id")
    assert problem.rows == (2,) and problem.count == 1


def test_typed_parquet_values_are_still_range_checked(tmp_path):
    data = write_folder(tmp_path / "data", follows__csv=None)
    con = duckdb.connect()
    con.execute(
        f"copy (select 2::bigint as follower_id, 1::bigint as creator_id, "
        f"timestamp '2001-01-01' as followed_at) to '{data / 'follows.parquet'}' (format parquet)"
    )
    problem = only(validate_folder(data), "follows.parquet", "followed_at")
    assert problem.rows == (1,) and "before 2005" in problem.message


def test_accounts_with_a_header_but_no_rows_is_reported(tmp_path):
    data = write_folder(
        tmp_path / "data",
        accounts__csv=ACCOUNTS.splitlines()[0] + "\n",
        follows__csv=None,
        labels__csv=None,
        engagement_daily__csv=None,
    )
    problem = only(validate_folder(data), "accounts.csv", "")
    assert "no rows" in problem.message
