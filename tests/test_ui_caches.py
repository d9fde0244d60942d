"""The caching rule of `followaudit.ui` (stated in ui/session.py), checked on the source: every
cached function is keyed by what it reads and reads nothing but its key (never the session)."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[1] / "followaudit" / "ui"
WORKSPACE_KEY = ("path", "version")
# caches keyed by something other than a workspace file, and why
OTHER_KEYS = {
    "_holder": ("path",),  # the connection holder itself: it checks the file version inside
    "_store": ("sidecar",),  # an AnalystStore opens SQLite per call: nothing read is cached
    "_problems": ("folder", "fingerprint"),  # a data folder before any workspace exists
    "spec": ("_build", "name"),  # vega.spec: a chart's Vega-Lite dict, keyed by its inputs
}
# calls that read the session (which workspace, which policy, demo mode) instead of the key
SESSION_READS = {
    "current_workspace",
    "workspace_path",
    "store",
    "run",
    "has_table",
    "cached",
    "decisions",
    "active_policy",
    "model_bundle",
    "workspace_meta",
    "demo_mode",
    "demo_frame",
    "risk_for",
    "lab_for",
    "policy_store",
}


def _is_cache(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in {"cache_data", "cache_resource"}


def _cached_functions():
    for path in sorted(UI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(map(_is_cache, node.decorator_list)):
                yield path.name, node


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def test_there_are_caches_to_check():
    names = {node.name for _, node in _cached_functions()}
    assert {"_query", "_cached_call", "_inputs", "_policy_risk", "_lab", "_queue"} <= names


def test_every_cache_is_keyed_by_what_it_reads():
    for module, node in _cached_functions():
        params = tuple(a.arg for a in node.args.args)
        expected = OTHER_KEYS.get(node.name, WORKSPACE_KEY)
        assert params[: len(expected)] == expected, f"{module}:{node.lineno} {node.name}{params}"


def test_no_cache_reads_the_session():
    for module, node in _cached_functions():
        reads = {
            name
            for call in ast.walk(node)
            if isinstance(call, ast.Call) and (name := _called_name(call)) in SESSION_READS
        }
        assert not reads, f"{module}:{node.lineno} {node.name} reads the session via {reads}"


def test_a_replaced_workspace_file_is_a_new_version(tmp_path):
    """Every cache key carries `file_version`: a rebuild (temp file + rename) must change it."""
    import os

    import duckdb

    from followaudit.store.workspace import Workspace, file_version

    path, fresh = tmp_path / "w.duckdb", tmp_path / "w.building"
    for target in (path, fresh):
        duckdb.connect(str(target)).execute("create table t as select 1 as x").close()
    ws = Workspace.open(path)
    before = ws.version
    assert before == file_version(path)
    ws.close()
    os.replace(fresh, path)  # same size, same name: only the file's identity changed
    assert file_version(path) != before
