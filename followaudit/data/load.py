"""Loading a validated data folder into a workspace's canonical tables."""

from __future__ import annotations

from pathlib import Path

import duckdb

from followaudit.data.casts import cast_expr
from followaudit.data.sources import ident, source_sql, source_types
from followaudit.data.spec import CANONICAL, TABLES, Column, Table
from followaudit.data.validate import ValidationError, table_files, validate_folder


def load_folder(con: duckdb.DuckDBPyConnection, data_dir: str | Path) -> None:
    """Validate `data_dir` (raising ValidationError before touching `con`), then load its tables."""
    data_dir = Path(data_dir)
    problems = validate_folder(data_dir)
    if problems:
        raise ValidationError(problems)
    files = table_files(data_dir, TABLES)[0]
    loaded: list[tuple[str, str]] = []
    con.execute("begin transaction")
    try:
        for name, table in TABLES.items():
            if name in files:
                loaded += load_table(con, files[name], table)
            elif name in CANONICAL:
                _create_empty(con, table)
        con.execute(
            "create or replace table loaded_columns (table_name varchar, column_name varchar)"
        )
        if loaded:
            con.executemany("insert into loaded_columns values (?, ?)", loaded)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _create_empty(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    cols = ", ".join(f"{ident(c.name)} {c.type}" for c in table.columns)
    con.execute(f"create or replace table {table.name} ({cols})")


def load_table(con: duckdb.DuckDBPyConnection, path: Path, table: Table) -> list[tuple[str, str]]:
    """Create `table` from a validated file; returns the (table, column) pairs it has values for."""
    types = source_types(con, source_sql(path, with_rows=False))
    selects, loaded = [], []
    for col in table.columns:
        if col.name in types:
            selects.append(f"{_value_expr(col, types[col.name])} as {ident(col.name)}")
            loaded.append((table.name, col.name))
        else:
            selects.append(f"cast(null as {col.type}) as {ident(col.name)}")
    for name, source_type in types.items():
        if name in table.column_names:
            continue
        spec = table.column(name)
        if spec is not None:
            selects.append(f"{_value_expr(spec, source_type)} as {ident(name)}")
        else:  # only reached for tables that keep extra columns
            selects.append(ident(name))
        loaded.append((table.name, name))
    sql = f"create or replace table {table.name} as select {', '.join(selects)} from ({source_sql(path, False)})"
    con.execute(sql)
    return _observed(con, table.name, loaded)


def _observed(con, table: str, loaded: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The loaded columns holding at least one value (an all-empty column was not observed)."""
    if not loaded:
        return []
    counts = con.execute(
        f"select {', '.join(f'count({ident(c)})' for _, c in loaded)} from {table}"
    ).fetchone()
    return [pair for pair, n in zip(loaded, counts, strict=True) if n]


def _value_expr(col: Column, source_type: str) -> str:
    expr = cast_expr(ident(col.name), col.type, source_type)
    if "|" in col.check:  # allowed-value columns are stored lower case, trimmed
        expr = f"lower(trim({expr}))"
    return expr
