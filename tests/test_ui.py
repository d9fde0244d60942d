"""ui helpers that read the URL: integer ids, the `?ws=` allow-list, demo mode."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from followaudit import ui

    st.text(repr(ui.parse_int_param("account")))
    st.text(str(ui.workspace_path()))
    st.text(repr(ui.demo_mode()))


def _run(monkeypatch, **params) -> list[str]:
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", "/tmp/from-env.duckdb")
    at = AppTest.from_function(_script)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return [t.value for t in at.text]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", "42"),
        (" 7 ", "7"),
        ("1;drop table accounts", "None"),
        ("-3", "None"),
        ("1e3", "None"),
        ("99999999999999999999", "None"),
        ("", "None"),
    ],
)
def test_parse_int_param_never_raises(raw, expected, monkeypatch):
    assert _run(monkeypatch, account=raw)[0] == expected


@pytest.mark.parametrize("ws", ["../../etc/passwd", "/etc/passwd", "nope.duckdb", "a b.duckdb"])
def test_ws_param_only_opens_existing_files_in_workspaces(ws, monkeypatch):
    assert _run(monkeypatch, ws=ws)[1] == "/tmp/from-env.duckdb"


@pytest.mark.parametrize(("demo", "expected"), [("1", "True"), ("0", "False"), ("yes", "False")])
def test_demo_mode_starts_from_the_url(demo, expected, monkeypatch):
    assert _run(monkeypatch, demo=demo)[2] == expected
