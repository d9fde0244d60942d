"""SQL text for reading data-folder files: quoting, and a SELECT over a CSV or Parquet file."""

from __future__ import annotations

from pathlib import Path

import duckdb

SUFFIXES = (".csv", ".parquet")
ROW = (
    "__row"  # the row number validation adds to every file (a file column of that name is refused)
)


def literal(text: str) -> str:
    """A SQL string literal; file paths cannot be bound as parameters inside DDL."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier (column names come from files)."""
    return '"' + name.replace('"', '""') + '"'


def source_sql(path: Path, with_rows: bool, drop_row_column: bool = False) -> str:
    """A SELECT reading `path`: CSV as text columns, Parquet as typed; `__row` counts from 1
    (`drop_row_column`: leave out the file's own `__row` column so it cannot shadow it)."""
    if path.suffix.lower() == ".parquet":
        rows = f", file_row_number + 1 as {ROW}" if with_rows else ""
        dropped = f', "{ROW}"' if drop_row_column else ""
        exclude = f" exclude (file_row_number{dropped})" if with_rows else ""
        return (
            f"select *{exclude}{rows} from read_parquet({literal(str(path))}"
            f"{', file_row_number = true' if with_rows else ''})"
        )
    return f"select * from read_csv({literal(str(path))}, all_varchar = true, header = true)"


def source_types(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, str]:
    """Column name -> DuckDB type of a SELECT."""
    rows = con.execute(f"describe {sql}").fetchall()
    return {row[0]: row[1] for row in rows}
