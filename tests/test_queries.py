"""Every query in queries/ runs on the sample workspace; values never reach SQL text."""

from __future__ import annotations

import re

import duckdb
import pytest
from growth_world import make_world

from followaudit.growth import audience
from followaudit.growth import spikes as growth
from followaudit.store.workspace import (
    QUERIES_DIR,
    check_identifier,
    load_sql,
    materialize,
    query_params,
    run_query,
)

QUERY_NAMES = sorted(
    str(p.relative_to(QUERIES_DIR).with_suffix("")) for p in QUERIES_DIR.rglob("*.sql")
)
# Build steps' own queries read their scratch tables (`_name`), which the finished workspace no
# longer has: the builds run them (tests/test_build_queries.py, tests/test_spark_parity.py).
ON_WORKSPACE = [n for n in QUERY_NAMES if not re.search(r"\b(from|join)\s+_[a-z]", load_sql(n))]
INJECTIONS = [
    "1;drop table accounts",
    "x'; drop table accounts; --",
    '" or 1=1; drop table follows; --',
    "%' union select * from accounts --",
]


def _first(con: duckdb.DuckDBPyConnection, sql: str, default=None, params=None):
    """The first value of a probe query, or `default` when the workspace lacks the table."""
    try:
        row = con.cursor().execute(sql, params or {}).fetchone()
    except duckdb.Error:
        return default
    return row[0] if row and row[0] is not None else default


@pytest.fixture(scope="module")
def sample_params(sample_workspace) -> dict:
    """One plausible value for every `$name` any query takes, read from the sample workspace."""
    return params_for(sample_workspace.con)


def params_for(con: duckdb.DuckDBPyConnection) -> dict:
    """Sample parameter values taken from a built workspace: the strongest suspicious spike, its
    creator, and that spike's riskiest follower (so account, creator and spike queries all meet)."""
    spike = _first(
        con, "select spike_id from spikes where verdict = 'suspicious' order by score desc limit 1"
    )
    creator = _first(con, "select creator_id from spikes where spike_id = $s", 1, {"s": spike})
    account = _first(
        con,
        "select account_id from spike_followers where spike_id = $s "
        "order by score desc nulls last limit 1",
        1,
        {"s": spike},
    )
    feature = _first(con, "select feature from shap_sample limit 1", "has_profile_pic")
    start = _first(con, "select min(date) from creator_daily")
    end = _first(con, "select max(date) from creator_daily")
    return {
        "account_id": account,
        "creator_id": creator,
        "spike_id": spike if spike is not None else 1,
        "username": _first(
            con, "select username from accounts where account_id = $a", "", {"a": account}
        ),
        "ids": [account],
        "accounts": 50,
        "top_features": 5,
        "feature": feature,
        "color_feature": feature,
        "limit": 20,
        "pattern": "a",
        "text": "a",
        "spike_z": 5.0,
        "seed": 0,
        "fake_take": 3,
        "genuine_take": 3,
        "flagged_take": 3,
        "other_take": 3,
        "sample_size": 3,
        "event_days": 3,
        "window_start": str(start),
        "window_end": str(end),
        "population": "genuine",
        "low_score": 0.1,
        **audience.quality_params(),
    }


# Queries allowed to return no rows on the sample world, each with the reason. Keep it short:
# every other query must return rows, or a broken join or filter would pass unnoticed.
MAY_BE_EMPTY: dict[str, str] = {}


@pytest.mark.parametrize("name", ON_WORKSPACE)
def test_every_query_runs_on_the_sample_workspace(sample_workspace, sample_params, name):
    missing = query_params(name) - sample_params.keys()
    assert not missing, f"add a sample value for {sorted(missing)} to sample_params"
    frame = run_query(sample_workspace.con, name, sample_params)
    assert frame.width > 0
    if name not in MAY_BE_EMPTY:
        assert frame.height > 0, f"{name}.sql returned no rows on the sample workspace"


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_says_what_a_row_is(name):
    first_line = (QUERIES_DIR / f"{name}.sql").read_text().splitlines()[0]
    assert first_line.startswith("/* one row per "), f"{name}.sql: first line {first_line!r}"


def test_check_identifier_allows_only_listed_names():
    assert check_identifier("score", ["score", "excess"]) == "score"
    for value in ["score desc; drop table accounts", "score --", "Score"]:
        with pytest.raises(ValueError, match="is not one of"):
            check_identifier(value, ["score", "excess"])


@pytest.fixture(scope="module")
def writable_world():
    """A read-write workspace: a successful injection here would really drop tables."""
    con = make_world()
    materialize(con, "creator_daily", "growth/creator_daily")
    growth.build_growth(con)
    audience.build_audience(con)
    yield con
    con.close()


def _tables(con) -> dict[str, int]:
    names = [
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    ]
    return {n: con.execute(f'select count(*) from "{n}"').fetchone()[0] for n in sorted(names)}


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_are_only_values(writable_world, value):
    before = _tables(writable_world)
    assert growth.creator_search(writable_world, value, 10).is_empty()
    for name, params in [
        ("growth/spikes", {"creator_id": value}),
        ("growth/creator_series", {"creator_id": value}),
        ("growth/spike_followers", {"spike_id": value, "limit": 5}),
    ]:
        with pytest.raises(duckdb.Error):  # a string where a number belongs: a conversion error
            run_query(writable_world, name, params)
    assert _tables(writable_world) == before


def test_api_rejects_non_numeric_ids(writable_world):
    with pytest.raises(ValueError):
        growth.creator_series(writable_world, "1;drop table accounts")
    assert writable_world.execute("select count(*) from accounts").fetchone()[0] > 0
