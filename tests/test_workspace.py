"""The workspace's query runner: named queries, $named parameters, allow-listed identifiers."""

from __future__ import annotations

import duckdb
import pytest

from followaudit.store import workspace
from followaudit.store.workspace import Workspace, WorkspaceError, check_identifier


@pytest.mark.parametrize("name", ["../secrets", "growth/../../x", "Growth/Upper", "a;b", ""])
def test_load_sql_rejects_names_outside_queries(name):
    with pytest.raises(ValueError):
        workspace.load_sql(name)


def test_unknown_query_names_the_file_it_looked_for():
    with pytest.raises(ValueError, match="no query named 'growth/nope'"):
        workspace.load_sql("growth/nope")


def test_query_params_ignore_comments(tmp_path, monkeypatch):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "q.sql").write_text(
        "/* one row per x: $not_a_param */\nselect $a as a, $b as b -- $c\n"
    )
    monkeypatch.setattr(workspace, "QUERIES_DIR", tmp_path)
    workspace.load_sql.cache_clear()
    assert workspace.query_params("t/q") == {"a", "b"}
    con = duckdb.connect()
    frame = workspace.run_query(con, "t/q", {"a": 1, "b": "x", "unused": 3})
    assert frame.to_dicts() == [{"a": 1, "b": "x"}]
    with pytest.raises(ValueError, match=r"needs parameters \['b'\]"):
        workspace.run_query(con, "t/q", {"a": 1})
    workspace.load_sql.cache_clear()


def test_parameters_are_never_pasted_into_sql(tmp_path, monkeypatch):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "q.sql").write_text(
        "select count(*) as n from accounts where username = $u\n"
    )
    monkeypatch.setattr(workspace, "QUERIES_DIR", tmp_path)
    workspace.load_sql.cache_clear()
    con = duckdb.connect()
    con.execute("create table accounts as select 1 as account_id, 'ann' as username")
    frame = workspace.run_query(con, "t/q", {"u": "x'; drop table accounts; --"})
    assert frame["n"].to_list() == [0]
    assert con.execute("select count(*) from accounts").fetchone() == (1,)
    workspace.load_sql.cache_clear()


def test_check_identifier_allows_only_listed_values():
    assert check_identifier("score", ["score", "username"]) == "score"
    with pytest.raises(ValueError):
        check_identifier("score; drop table accounts", ["score", "username"])


def test_materialize_creates_a_table(tmp_path, monkeypatch):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "q.sql").write_text("select range as i from range($n)\n")
    monkeypatch.setattr(workspace, "QUERIES_DIR", tmp_path)
    workspace.load_sql.cache_clear()
    con = duckdb.connect()
    workspace.materialize(con, "numbers", "t/q", {"n": 4})
    assert con.execute("select count(*) from numbers").fetchone() == (4,)
    with pytest.raises(ValueError):
        workspace.materialize(con, "x; drop table numbers", "t/q", {"n": 1})
    workspace.load_sql.cache_clear()


def test_missing_workspace_gets_a_plain_message(tmp_path):
    with pytest.raises(WorkspaceError, match="does not exist"):
        Workspace.open(tmp_path / "nope.duckdb")


def test_sidecar_sits_beside_the_workspace(tmp_path):
    assert workspace.sidecar_dir(tmp_path / "w.duckdb") == tmp_path / "w.d"
