"""One implementation each: SQL quoting lives in `data/sources.py` (`literal`, `ident`),
frame-to-table writes and a file's version in `store/workspace.py` (`write_frame`,
`file_version`); no other module grows its own."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "followaudit"
SOURCES = sorted(PACKAGE.rglob("*.py"))
QUOTING_HOME = PACKAGE / "data" / "sources.py"
FRAME_WRITER_HOME = FILE_VERSION_HOME = PACKAGE / "store" / "workspace.py"
QUOTE_DOUBLING = {("'", "''"), ('"', '""')}


def _calls(tree: ast.AST, method: str):
    for node in ast.walk(tree):
        is_method = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if is_method and node.func.attr == method:
            yield node


def _strings(tree: ast.AST) -> list[str]:
    return [
        n.value.lower()
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_sql_quoting_only_in_data_sources():
    found = [
        f"{path.relative_to(PACKAGE)}:{call.lineno}"
        for path in SOURCES
        if path != QUOTING_HOME
        for call in _calls(ast.parse(path.read_text()), "replace")
        if tuple(a.value for a in call.args if isinstance(a, ast.Constant)) in QUOTE_DOUBLING
    ]
    assert not found, f"quotes doubled by hand (use data.sources.literal/ident): {found}"


def test_frames_become_tables_only_through_write_frame():
    found = []
    for path in SOURCES:
        if path == FRAME_WRITER_HOME:
            continue
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef):
                continue
            registers = list(_calls(function, "register"))
            creates = [s for s in _strings(function) if "create" in s and "table" in s]
            if registers and creates:
                found.append(f"{path.relative_to(PACKAGE)}:{function.lineno} {function.name}")
    assert not found, f"frame registered and written as a table (use write_frame): {found}"


def test_a_files_version_is_computed_in_one_place():
    found = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in SOURCES
        if path != FILE_VERSION_HOME
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "st_mtime_ns"
    ]
    assert not found, f"a file version computed by hand (use workspace.file_version): {found}"
