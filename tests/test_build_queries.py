"""The build's SQL stays portable: every build query transpiles to Spark with no unknown function
(no JVM needed), and the rewrite rules do what they say."""

from __future__ import annotations

import pytest

from followaudit.pipeline import steps
from followaudit.pipeline.build import build_workspace
from followaudit.store import transpile
from followaudit.store.engine import DuckDBEngine
from followaudit.store.workspace import load_sql


@pytest.mark.parametrize("name", steps.BUILD_QUERIES)
def test_build_query_uses_only_spark_functions(name):
    assert transpile.unsupported_functions(load_sql(name)) == set()


@pytest.mark.parametrize("name", steps.BUILD_QUERIES)
def test_build_query_is_portable(name):
    assert transpile.non_portable(load_sql(name)) == set()


def test_the_checks_name_what_spark_lacks_or_computes_differently():
    assert transpile.unsupported_functions("select mad(x) as m from t") == {"MAD"}
    assert transpile.unsupported_functions("select median(x) as m from t") == set()
    sql = "select round(x, 1) as r, arg_max(a, b) as c, mad(x) as m from t"
    assert transpile.non_portable(sql) == {"round(x, n)", "argmax", "mad"}
    assert transpile.non_portable("select floor(x * 10 + 0.5) / 10 as r from t") == set()


def test_a_duckdb_build_runs_exactly_the_listed_queries(tmp_path, monkeypatch, small_world):
    ran: set[str] = set()
    for method in ("run", "materialize"):
        monkeypatch.setattr(DuckDBEngine, method, _recorder(getattr(DuckDBEngine, method), ran))
    build_workspace(small_world, tmp_path / "w.duckdb")
    spark_only = {n for n in steps.BUILD_QUERIES if n.startswith("pack/")}
    # features/profile_rows runs for tables without follows (covered by test_features.py)
    assert ran | {"features/profile_rows"} == set(steps.BUILD_QUERIES) - spark_only


def _recorder(original, ran: set):
    def recording(self, *args, **kwargs):
        query = args[1] if original.__name__ == "materialize" else args[0]
        ran.add(query)
        return original(self, *args, **kwargs)

    return recording


@pytest.mark.parametrize(
    ("duckdb_sql", "spark_part"),
    [
        ("select avg(case when x then 1.0 else 0.0 end) as s from t", "CAST(1.0 AS DOUBLE)"),
        ("select epoch(ts) as e from t", "UNIX_MICROS(CAST(ts AS TIMESTAMP)) / 1e6"),
        ("select string_split(s, '') as c from t", "REGEXP_EXTRACT_ALL(s, '(?s)(.)')"),
        ("select list_sum(l) as s from t", "AGGREGATE(l, CAST(0 AS DOUBLE)"),
        ("select regexp_full_match(s, 'a+') as m from t", "s RLIKE '^(?:a+)\\\\z'"),
        (
            "select date_diff('second', a, b) as d from t",
            "UNIX_MICROS(CAST(b AS TIMESTAMP)) DIV 1000000",
        ),
        (
            "select cast(unnest(generate_series(a, b, interval 1 day)) as date) as d from t",
            "EXPLODE(TRANSFORM(",
        ),
    ],
)
def test_rewrite_rules(duckdb_sql, spark_part):
    spark = " ".join(transpile.to_spark(duckdb_sql).split())
    assert " ".join(spark_part.split()) in spark.replace("( ", "(").replace(" )", ")")
