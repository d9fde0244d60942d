"""Loading a validated data folder into a workspace's canonical tables."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from followaudit.data.casts import cast_expr
from followaudit.data.sources import ident, source_sql, source_types
from followaudit.data.spec import CANONICAL, TABLES, Column, Table
from followaudit.data.validate import ValidationError, table_files, validate_folder


def load_folder(con: duckdb.DuckDBPyConnection, data_dir: str | Path, beside: bool = False) -> None:
    """Validate `data_dir` (raising ValidationError before touching `con`), then load its tables
    in one transaction. `beside`, for a caller that throws the whole file away when loading
    fails (the build's staged workspace): the tables load while the folder is validated, each on
    a cursor of its own, and ValidationError is still raised for any problem found."""
    data_dir = Path(data_dir)
    if beside:
        _load_while_validating(con, data_dir)
        return
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
        _write_loaded(con, loaded)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _write_loaded(con: duckdb.DuckDBPyConnection, loaded: list[tuple[str, str]]) -> None:
    con.execute("create or replace table loaded_columns (table_name varchar, column_name varchar)")
    if loaded:
        con.executemany("insert into loaded_columns values (?, ?)", loaded)


def _load_while_validating(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """Load the tables while `validate_folder` reads the same files (its own connection): the
    problems it finds win over whatever a load of bad data raised."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        check = pool.submit(validate_folder, data_dir)
        try:
            _load_beside(con, table_files(data_dir, TABLES)[0])
        except Exception:
            if problems := check.result():
                raise ValidationError(problems) from None
            raise
        if problems := check.result():
            raise ValidationError(problems)


def _load_beside(con: duckdb.DuckDBPyConnection, files: dict[str, Path]) -> None:
    """Every table, two at a time, biggest file first. DuckDB reads a Parquet file one row group
    per thread, and a file written in one row group (the generator's accounts; a user's may be
    too) loads on one core: beside the follows, the other core is busy too."""
    for name, table in TABLES.items():
        if name not in files and name in CANONICAL:
            _create_empty(con, table)
    names = sorted(files, key=lambda n: files[n].stat().st_size, reverse=True)

    def load(name: str) -> list[tuple[str, str]]:
        cursor = con.cursor()
        try:
            return load_table(cursor, files[name], TABLES[name])
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=2) as pool:  # queries release the GIL
        loaded = [pair for pairs in pool.map(load, names) for pair in pairs]
    _write_loaded(con, sorted(loaded, key=lambda pair: list(TABLES).index(pair[0])))


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
