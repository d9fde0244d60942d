"""Mapping files: parse, map external tables, name the key on errors, round-trip to a data folder."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from followaudit.cli import import_table as import_cli
from followaudit.cli import main
from followaudit.data import importing
from followaudit.data.importing import read_mapped
from followaudit.data.load import load_folder
from followaudit.data.mapping_file import MappingError, load_mapping
from followaudit.data.validate import validate_folder
from followaudit.store.workspace import PROJECT_ROOT

TABLE = """screen_name,#followers,friends,default_profile_image,listed_count,fake,pic
anna_k,120,80,0,3,no,Y
bot12345,2,4000,1,0,YES,n
carl,55,60,0,1,No,y
"""
MAPPING = """
[source]
format = "csv"
[columns]
username = "screen_name"
follower_count = "#followers"
following_count = "friends"
has_profile_pic = "pic"
[expressions]
bio_length = "length(screen_name) * 2"
[label]
column = "fake"
fake_values = ["yes"]
[extra]
columns = ["listed_count"]
"""


def write(tmp_path: Path, table: str = TABLE, mapping: str = MAPPING, name: str = "t.csv"):
    """The table and mapping files, as paths."""
    (tmp_path / name).write_text(table)
    (tmp_path / "map.toml").write_text(mapping)
    return tmp_path / name, tmp_path / "map.toml"


def test_read_mapped_gives_canonical_columns_labels_and_extras(tmp_path):
    file, mapping = write(tmp_path)
    table = read_mapped(file, load_mapping(mapping))
    assert table.accounts.columns == [
        "username",
        "follower_count",
        "following_count",
        "has_profile_pic",
        "bio_length",
        "extra_listed_count",
    ]
    assert table.accounts["follower_count"].dtype == pl.Int64
    assert table.accounts["has_profile_pic"].to_list() == [True, False, True]
    assert table.accounts["bio_length"].to_list() == [12.0, 16.0, 8.0]
    assert table.labels.tolist() == [0, 1, 0]
    assert table.extra_columns == ["extra_listed_count"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", False), ("1", True), ("TRUE", True), ("false", False), ("Yes", True), ("N", False)],
)
def test_boolean_spellings(tmp_path, text, value):
    file, mapping = write(tmp_path, TABLE.replace(",0,3,no,Y", f",0,3,no,{text}"))
    table = read_mapped(file, load_mapping(mapping))
    assert table.accounts["has_profile_pic"][0] is value


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (('"#followers"', '"followers"'), ["[columns] follower_count", "'followers'"]),
        (('"listed_count"]', '"listed"]'), ["[extra]", "'listed'"]),
        (('column = "fake"', 'column = "is_fake"'), ["[label] column", "'is_fake'"]),
        (("length(screen_name)", "length(nope)"), ["[expressions] bio_length", "nope"]),
        (("username =", "user_name ="), ["[columns] user_name", "not a canonical"]),
        (('format = "csv"', 'format = "xls"'), ["[source] format", "csv, json, parquet"]),
    ],
)
def test_mapping_errors_name_the_key_and_the_column(tmp_path, edit, words):
    file, mapping = write(tmp_path, mapping=MAPPING.replace(*edit))
    with pytest.raises(MappingError) as err:
        read_mapped(file, load_mapping(mapping))
    for word in words:
        assert word in str(err.value)


def test_values_that_do_not_convert_name_key_and_rows(tmp_path):
    file, mapping = write(tmp_path, TABLE.replace("carl,55", "carl,many"))
    with pytest.raises(
        MappingError, match=r"\[columns\] follower_count: 1 value.*BIGINT, rows \[3\]"
    ):
        read_mapped(file, load_mapping(mapping))


def test_missing_labels_are_an_error(tmp_path):
    file, mapping = write(tmp_path, TABLE.replace(",1,No,y", ",1,,y"))
    with pytest.raises(
        MappingError, match=r"\[label\] column = 'fake': 1 row\(s\) have no label, rows \[3\]"
    ):
        read_mapped(file, load_mapping(mapping))


@pytest.mark.parametrize("fmt", ["json", "jsonl", "parquet"])
def test_json_and_parquet_sources(tmp_path, fmt):
    rows = pl.read_csv(TABLE.encode())
    path = tmp_path / f"t.{fmt}"
    if fmt == "parquet":
        rows.write_parquet(path)
    elif fmt == "json":
        path.write_text(json.dumps(rows.to_dicts()))
    else:
        rows.write_ndjson(path)
    kind = "parquet" if fmt == "parquet" else "json"
    (tmp_path / "map.toml").write_text(MAPPING.replace('format = "csv"', f'format = "{kind}"'))
    table = read_mapped(path, load_mapping(tmp_path / "map.toml"))
    assert table.accounts["follower_count"].to_list() == [120, 2, 55]
    assert table.labels.tolist() == [0, 1, 0]


def test_import_round_trip_gives_a_valid_folder_that_loads(tmp_path):
    file, mapping = write(tmp_path)
    out = importing.write_folder(file, load_mapping(mapping), tmp_path / "out")
    assert validate_folder(out) == []
    con = duckdb.connect()
    load_folder(con, out)
    got = con.sql("select account_id, username, follower_count, extra_listed_count from accounts")
    assert got.fetchall() == [
        (1, "anna_k", 120, 3.0),
        (2, "bot12345", 2, 0.0),
        (3, "carl", 55, 1.0),
    ]
    labels = con.sql("select account_id, label from labels order by account_id").fetchall()
    assert labels == [(1, "genuine"), (2, "fake"), (3, "genuine")]
    assert con.sql("select count(*) from accounts where created_at is null").fetchall() == [(3,)]


def test_import_cli_reports_mapping_errors_plainly(tmp_path, capsys):
    file, mapping = write(tmp_path, mapping=MAPPING.replace('"friends"', '"friendz"'))
    argv = ["--accounts", str(file), "--mapping", str(mapping), "--out", str(tmp_path / "out")]
    assert main(["import", *argv]) == 2
    assert "[columns] following_count = 'friendz'" in capsys.readouterr().err


def _args(file, mapping, out):
    import argparse

    parser = argparse.ArgumentParser()
    import_cli.add_arguments(parser)
    return parser.parse_args(
        ["--accounts", str(file), "--mapping", str(mapping), "--out", str(out)]
    )


DATASETS = Path("/work/shared/datasets")
SHIPPED = [
    ("kaggle_instagram.toml", DATASETS / "kaggle_insta_fake_spammer" / "test.csv", 120),
    ("tiktok_aurucci.toml", DATASETS / "tiktok_aurucci" / "tiktok_accounts.csv", 10043),
]


@pytest.mark.parametrize(("mapping", "file", "rows"), SHIPPED)
def test_shipped_mappings_read_their_data_sets(mapping, file, rows):
    if not file.exists():
        pytest.skip(f"{file} is not on this machine")
    table = read_mapped(file, load_mapping(PROJECT_ROOT / "examples" / "mappings" / mapping))
    assert table.accounts.height == rows
    assert set(np.unique(table.labels)) == {0, 1}
    assert 0.4 < table.labels.mean() < 0.6


def test_observed_at_and_created_at_give_the_age_inputs(tmp_path):
    table = "id,created,fake\n7,2024-01-01T00:00:00Z,0\n8,1704153600,1\n"
    mapping = (
        '[source]\nformat = "csv"\nobserved_at = "2024-03-01"\n'
        '[columns]\naccount_id = "id"\ncreated_at = "created"\n[label]\ncolumn = "fake"\nfake_values = ["1"]\n'
    )
    file, path = write(tmp_path, table, mapping)
    accounts = read_mapped(file, load_mapping(path)).accounts
    assert accounts["account_id"].to_list() == [7, 8]
    assert [str(t) for t in accounts["created_at"]] == [
        "2024-01-01 00:00:00",
        "2024-01-02 00:00:00",
    ]
    assert str(accounts["observed_at"][0]) == "2024-03-01 00:00:00"


def test_imported_columns_without_values_are_not_listed_as_loaded(tmp_path):
    file, mapping = write(tmp_path)
    out = importing.write_folder(file, load_mapping(mapping), tmp_path / "out")
    con = duckdb.connect()
    load_folder(con, out)
    loaded = {
        r[0]
        for r in con.sql(
            "select column_name from loaded_columns where table_name = 'accounts'"
        ).fetchall()
    }
    assert {
        "account_id",
        "username",
        "follower_count",
        "bio_length",
        "extra_listed_count",
    } <= loaded
    assert "created_at" not in loaded and "video_count" not in loaded


def test_a_bad_observed_at_is_named(tmp_path):
    file, mapping = write(
        tmp_path, mapping=MAPPING.replace('format = "csv"', 'format = "csv"\nobserved_at = "soon"')
    )
    with pytest.raises(MappingError, match=r"\[source\] observed_at = 'soon'"):
        read_mapped(file, load_mapping(mapping))
