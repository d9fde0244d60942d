"""Mapping expressions are scalar formulas over the source's columns, nothing more (issue 12, High 1)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from followaudit.cli import main
from followaudit.data import importing, mapping_file
from followaudit.data.expressions import UnsafeExpression, parse_expression
from followaudit.data.importing import read_mapped
from followaudit.data.mapping_file import MappingError, load_mapping, parse_mapping
from followaudit.store.workspace import PROJECT_ROOT

TABLE = """screen_name,followers,default_profile_image,created,fake
anna_k,120,0,2021-03-04,no
bot12345,2,1,2024-01-01,yes
"""
MAPPING = """
[source]
format = "csv"
[columns]
username = "screen_name"
follower_count = "followers"
[expressions]
{key} = {value}
[label]
column = "fake"
fake_values = ["yes"]
"""

# The attacks of the issue (and their relatives), each with the part the refusal must name.
ATTACKS = [
    (
        "(select string_agg(column0,'|') from read_csv('/etc/passwd', header=false, sep='\t'))",
        "subquery",
    ),
    ("read_csv('/etc/passwd')", "READ_CSV"),
    # Breaks out of the statement it was pasted into (the old code wrote this file):
    ("1) as x from src; copy (select 'pwned') to '/tmp/h12_pwned.csv'; select (1", "not a SQL"),
    ("1; copy (select 1) to '/tmp/h12_pwned.csv'", "no ';'"),
    ("1; attach '/tmp/h12_pwned.db' as x", "no ';'"),
    ("attach '/tmp/h12_pwned.db' as x", "ATTACH"),
    ("install httpfs", "INSTALL"),
    ("load httpfs", "COMMAND"),
    ("set enable_external_access = true", "SET"),
    ("getenv('HOME')", "getenv"),
    ("query('select 1')", "query"),
    ("length(screen_name) in (select 1)", "subquery"),
    ("exists(select 1)", "EXISTS"),
    ("main.src.screen_name", "plain column names"),
    ("*", "*"),
    ("cast(screen_name as int[])", "INT[]"),
    ("read_parquet('x.parquet')", "READ_PARQUET"),
    ("current_setting('threads')", "current_setting"),
    ("", "empty"),
]

# Legitimate expressions: the examples' and those an importer would plausibly write.
LEGITIMATE = [
    ("has_profile_pic", "default_profile_image is null or default_profile_image = 0", [True, False]),
    ("bio_length", "length(screen_name) * 2", [12.0, 16.0]),
    ("username_digit_count", "length(regexp_replace(screen_name, '[^0-9]', '', 'g'))", [0.0, 5.0]),
    ("is_private", "if(followers < 10, true, false)", [False, True]),
    ("created_at", "strptime(cast(created as varchar), '%Y-%m-%d')", None),
    ("account_age_days", "date_diff('day', cast(created as date), date '2024-06-01')", [1185.0, 152.0]),
    ("display_name", "upper(trim(\"screen_name\"))", ["ANNA_K", "BOT12345"]),
    ("likes_given", "coalesce(nullif(followers, 2), 0)", [120, 0]),
]  # fmt: skip


PWNED = [Path("/tmp/h12_pwned.csv"), Path("/tmp/h12_pwned.db")]


@pytest.fixture(autouse=True)
def _no_pwned_files():
    """The files an attack would write: absent before each test, so their absence means something."""
    for path in PWNED:
        path.unlink(missing_ok=True)
    yield
    for path in PWNED:
        path.unlink(missing_ok=True)


def write(tmp_path: Path, key: str, value: str) -> tuple[Path, Path]:
    table, mapping = tmp_path / "t.csv", tmp_path / "map.toml"
    table.write_text(TABLE)
    mapping.write_text(MAPPING.format(key=key, value=_toml_string(value)))
    return table, mapping


def _toml_string(value: str) -> str:
    return "'''" + value + "'''" if "'''" not in value else repr(value)


@pytest.mark.parametrize(("attack", "part"), ATTACKS)
def test_attacks_are_refused_naming_the_key_and_the_part(tmp_path, attack, part):
    _, mapping = write(tmp_path, "bio", attack)
    with pytest.raises(MappingError) as err:
        load_mapping(mapping)
    assert "[expressions] bio" in str(err.value)
    assert part in str(err.value)


@pytest.mark.parametrize("command", ["import", "evaluate"])
@pytest.mark.parametrize(("attack", "part"), ATTACKS[:6])
def test_cli_refuses_attacks_with_exit_2_and_touches_nothing(
    tmp_path, capsys, command, attack, part
):
    table, mapping = write(tmp_path, "bio", attack)
    args = ["--accounts", str(table), "--mapping", str(mapping)]
    if command == "import":
        args += ["--out", str(tmp_path / "out")]
    assert main([command, *args]) == 2
    out = capsys.readouterr()
    assert "[expressions] bio" in out.err and "root:" not in out.out + out.err
    assert not any(path.exists() for path in PWNED)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("target", "expression", "values"), LEGITIMATE)
def test_legitimate_expressions_map(tmp_path, target, expression, values):
    table, mapping = write(tmp_path, target, expression)
    mapped = read_mapped(table, load_mapping(mapping)).accounts
    if values is not None:
        assert mapped[target].to_list() == values
    else:
        assert mapped[target].null_count() == 0


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "examples/mappings").glob("*.toml")))
def test_the_shipped_example_mappings_still_load(path):
    assert load_mapping(path).format in mapping_file.FORMATS


def test_the_readme_example_expression_is_accepted():
    readme = (PROJECT_ROOT / "examples/mappings/README.md").read_text()
    block = readme.split("```toml")[1].split("```")[0]
    mapping = parse_mapping(block, "README")
    assert mapping.expressions == {
        "has_profile_pic": "default_profile_image is null or default_profile_image = 0"
    }
    assert parse_mapping(mapping_file.mapping_toml(mapping), "round trip") == mapping


def test_an_expression_naming_a_missing_column_names_key_and_column(tmp_path):
    table, mapping = write(tmp_path, "bio_length", "length(nope)")
    with pytest.raises(MappingError, match=r"\[expressions\] bio_length.*'nope'"):
        read_mapped(table, load_mapping(mapping))


def test_columns_are_matched_case_insensitively_as_duckdb_does(tmp_path):
    table, mapping = write(tmp_path, "bio_length", "length(SCREEN_NAME)")
    assert read_mapped(table, load_mapping(mapping)).accounts["bio_length"].to_list() == [6, 8]


def test_what_runs_is_the_checked_tree_not_the_text():
    tree = parse_expression("length(screen_name) /* '); copy */ * 2")
    assert "copy" not in importing.to_sql(tree, {"screen_name": "screen_name"})


def test_expressions_run_with_file_access_off_even_if_the_checker_were_bypassed(
    tmp_path, monkeypatch
):
    """Defence in depth: the connection that evaluates mappings cannot read files."""
    table, mapping = write(tmp_path, "bio_length", "length(screen_name)")
    monkeypatch.setattr(
        importing, "to_sql", lambda tree, columns: "(select count(*) from read_csv('/etc/passwd'))"
    )
    with pytest.raises(MappingError, match="disabled by configuration"):
        read_mapped(table, load_mapping(mapping))


def test_unsafe_expression_carries_the_part():
    with pytest.raises(UnsafeExpression) as err:
        parse_expression("lower(read_csv('/etc/passwd'))")
    assert err.value.part == "READ_CSV('/etc/passwd')"


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "examples/mappings").glob("*.toml")))
def test_a_mapping_written_as_toml_reads_back_the_same(path):
    """The import wizard writes the mapping the CLI reads (issue 15): a round trip is lossless."""
    mapping = load_mapping(path)
    again = parse_mapping(mapping_file.mapping_toml(mapping), "round trip")
    assert again == dataclasses.replace(mapping, path=None)
