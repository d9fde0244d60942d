"""The import wizard's core: profiling a source table, guessing the mapping, previewing it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from export_table import EXPECTED, write_export

from followaudit.data import suggest
from followaudit.data.importing import write_folder
from followaudit.data.mapping_file import Mapping, MappingError, load_mapping
from followaudit.data.preview import preview_import
from followaudit.data.source_table import format_of, profile_table
from followaudit.store.workspace import PROJECT_ROOT

SHAPES = """id,joined,joined_iso,private,flag_text,followers,ratio,handle,empty
1,1700000000,2023-11-14T22:13:20Z,0,yes,10,0.5,anna,
2,1600000000,2020-09-13 12:26:40,1,No,20,1.25,bob,
3,1500000000000,2017-07-14,1,TRUE,30,2,carl,
"""


def _csv(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_each_column_gets_its_value_shape(tmp_path):
    table = profile_table(_csv(tmp_path, SHAPES))
    shapes = {c.name: c.shape for c in table.columns}
    assert shapes == {
        "id": "integer",
        "joined": "timestamp",  # epoch seconds, and milliseconds in the last row
        "joined_iso": "timestamp",
        "private": "boolean",
        "flag_text": "boolean",
        "followers": "integer",
        "ratio": "number",
        "handle": "text",
        "empty": "empty",
    }
    assert table.rows == 3
    assert table.column("handle").samples == ("anna", "bob", "carl")
    assert table.column("private").levels == ("0", "1")


def test_a_column_with_one_odd_value_loses_that_shape(tmp_path):
    table = profile_table(_csv(tmp_path, SHAPES.replace(",10,0.5,", ",lots,0.5,")))
    followers = table.column("followers")
    assert followers.shape == "text"
    assert not followers.fits_type("BIGINT")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("a.TSV", "csv"), ("a.json", "json"), ("a.jsonl", "json"),
     ("a.ndjson", "json"), ("a.parquet", "parquet")],
)  # fmt: skip
def test_format_comes_from_the_suffix(name, fmt):
    assert format_of(name) == fmt


def test_an_unknown_suffix_is_named():
    with pytest.raises(MappingError, match=r"accounts\.xlsx.*'\.xlsx'"):
        format_of("accounts.xlsx")


@pytest.mark.parametrize("name", ["export.jsonl", "export.json", "export.parquet"])
def test_json_lines_json_arrays_and_parquet_profile_alike(tmp_path, name):
    path = write_export(tmp_path, rows=50, name=name)
    if name == "export.json":  # a JSON array, not lines
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        path.write_text(json.dumps(rows))
    table = profile_table(path)
    assert table.rows == 50
    assert table.column("createTime").shape == "timestamp"
    assert table.column("avatar").shape == "boolean"


def test_guesses_map_a_platform_export_by_name_and_shape(tmp_path):
    table = profile_table(write_export(tmp_path))
    label = suggest.suggest_label(table)
    assert label == suggest.LabelGuess("isFake", ("true",))
    assert suggest.suggest_columns(table, exclude=(label.column,)) == EXPECTED


@pytest.mark.parametrize("example", ["kaggle_instagram", "tiktok_aurucci"])
def test_guesses_reproduce_the_shipped_example_mappings(tmp_path, example):
    """Hand-written rows under the example data sets' headers get the mappings we ship."""
    mapping = load_mapping(PROJECT_ROOT / "examples" / "mappings" / f"{example}.toml")
    headers = [*mapping.columns.values(), mapping.label_column]
    rows = [",".join(_value_for(target) for target in [*mapping.columns, "label"])] * 3
    table = profile_table(_csv(tmp_path, ",".join(headers) + "\n" + "\n".join(rows) + "\n"))
    assert suggest.suggest_columns(table, exclude=(mapping.label_column,)) == mapping.columns
    assert suggest.suggest_label(table).column == mapping.label_column


def _value_for(target: str) -> str:
    kind = suggest.TARGET_TYPES.get(target, "BOOLEAN")
    return {"BOOLEAN": "1", "BIGINT": "12", "DOUBLE": "0.25", "VARCHAR": "some text"}[kind]


def test_a_name_alone_is_not_enough(tmp_path):
    """`followers` holding words is no follower count; `created` holding words is no time."""
    table = profile_table(
        _csv(tmp_path, "followers,created,handle\nmany,yesterday,a\nfew,today,b\n")
    )
    guesses = suggest.suggest_columns(table)
    assert "follower_count" not in guesses and "created_at" not in guesses
    assert guesses["username"] == "handle"


def test_label_values_are_read_from_every_level(tmp_path):
    table = profile_table(_csv(tmp_path, "user,class\na,bot\nb,human\nc,human\n"))
    assert suggest.suggest_label(table) == suggest.LabelGuess("class", ("bot",))


def test_extra_candidates_are_the_unmapped_numeric_columns(tmp_path):
    table = profile_table(_csv(tmp_path, SHAPES))
    assert suggest.extra_candidates(table, {"id", "followers"}) == [
        "joined",
        "private",
        "flag_text",
        "ratio",
    ]


def test_preview_shows_canonical_rows_and_what_is_not_observed(tmp_path):
    path = write_export(tmp_path, rows=200)
    mapping = Mapping("csv", columns=dict(EXPECTED), label_column="isFake", fake_values=("true",))
    preview = preview_import(path, mapping)
    assert preview.ok, preview.problems
    assert preview.rows == 200 and preview.accounts.height == 20
    assert preview.accounts["account_id"].to_list()[:2] == pl.read_csv(path)["uid"].to_list()[:2]
    assert preview.accounts["created_at"].dtype == pl.Datetime
    assert preview.fake + preview.genuine == 200 and preview.fake > 0
    assert set(preview.missing) == {
        "has_external_link", "is_private", "last_active_at", "observed_at",
    }  # fmt: skip


def test_preview_lists_every_problem_at_once(tmp_path):
    """Two columns that do not convert, a duplicate id, a negative count and a missing label."""
    path = _csv(
        tmp_path,
        "uid,handle,followers,joined,fake\n"
        "1,anna,10,2024-01-01,1\n"
        "1,bob,-3,last week,0\n"
        "3,carl,many,2024-01-03,\n",
    )
    mapping = Mapping(
        "csv",
        columns={"account_id": "uid", "username": "handle", "follower_count": "followers",
                 "created_at": "joined"},
        label_column="fake",
        fake_values=("1",),
    )  # fmt: skip
    problems = "\n".join(preview_import(path, mapping).problems)
    assert "[columns] follower_count: 1 value(s) cannot be read as BIGINT, rows [3]" in problems
    assert "[columns] created_at: 1 value(s) cannot be read as TIMESTAMP, rows [2]" in problems
    assert "[label] column = 'fake': 1 row(s) have no label, rows [3]" in problems
    assert "t.csv, column account_id, rows 1, 2: duplicate account_id" in problems
    assert "t.csv, column follower_count" not in problems  # its cause is said once, above
    assert len(preview_import(path, mapping).problems) == 4


def test_import_lists_every_unreadable_column_at_once(tmp_path):
    """`followaudit import` too: one error naming both columns, not the first only."""
    path = _csv(tmp_path, "handle,followers,joined\nanna,many,2024-01-01\nbob,3,someday\n")
    mapping = Mapping("csv", columns={"username": "handle", "follower_count": "followers",
                                      "created_at": "joined"})  # fmt: skip
    with pytest.raises(MappingError) as caught:
        write_folder(path, mapping, tmp_path / "out")
    assert len(caught.value.problems) == 2
    assert "follower_count" in str(caught.value) and "created_at" in str(caught.value)


def test_preview_of_a_column_the_file_lacks_names_it(tmp_path):
    path = _csv(tmp_path, "handle\nanna\n")
    preview = preview_import(path, Mapping("csv", columns={"username": "nick"}))
    assert not preview.ok and preview.accounts.is_empty()
    assert "the file has no column 'nick'" in preview.problems[0]
