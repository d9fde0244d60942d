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
        ("with a as not materialized (select 1 as x) select * from a", "WITH a AS (SELECT"),
    ],
)
def test_rewrite_rules(duckdb_sql, spark_part):
    spark = " ".join(transpile.to_spark(duckdb_sql).split())
    assert " ".join(spark_part.split()) in spark.replace("( ", "(").replace(" )", ")")


def test_shared_ctes_are_split_out_in_order_with_what_they_read():
    sql = transpile.to_spark(
        "with a as (select x from t), b as (select x from a), c as (select x from b), "
        "d as (select x from a where x > $p) "
        "select * from c join c as c2 using (x) join d using (x) order by x"
    )
    shared, main = transpile.split_shared_ctes(sql, "_q")
    assert [name for name, _ in shared] == ["_q_a", "_q_c"]  # each read twice
    body = " ".join(shared[1][1].split())
    assert body.startswith("WITH b AS ( SELECT x FROM _q_a AS a )") and "d AS" not in body
    flat = " ".join(main.split())
    assert "FROM _q_c AS c JOIN _q_c AS c2" in flat and "FROM _q_a AS a WHERE x > :p" in flat
    assert "ORDER BY" not in transpile.without_final_order(main)
    limited = transpile.to_spark("select x from t order by x limit 3")
    assert transpile.without_final_order(limited) == limited


def test_every_shared_cte_of_the_build_queries_splits_into_valid_spark_sql():
    for name in steps.BUILD_QUERIES:
        shared, main = transpile.split_shared_ctes(transpile.to_spark(load_sql(name)), "_t")
        for _, sql in [*shared, ("main", main)]:
            assert transpile.function_names(sql) is not None  # parses as Spark SQL
