"""Every problem of a data folder at once, found in DuckDB SQL so 40M-row files stay fast."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from followaudit.data.casts import always_converts, cast_expr
from followaudit.data.sources import ROW, SUFFIXES, ident, literal, source_sql, source_types
from followaudit.data.spec import TABLES, Column, Table

SAMPLE_ROWS = 5
EARLIEST = "2005-01-01"
TYPE_WORDS = {
    "BIGINT": "a whole number",
    "DOUBLE": "a number",
    "BOOLEAN": "true/false, 1/0, yes/no or y/n",
    "TIMESTAMP": "an ISO time (2024-05-01 13:45:00) or epoch seconds/milliseconds",
    "DATE": "an ISO date (2024-05-01)",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data folder: where it is, a sample of rows, and what was expected."""

    file: str
    column: str
    expected: str
    message: str
    rows: tuple[int, ...] = ()
    count: int = 0  # offending rows (0 when the problem is not about rows)

    def rows_text(self) -> str:
        """'3, 7, 12 (and 40 more)' or '' when the problem is not about rows."""
        if not self.rows:
            return ""
        text = ", ".join(str(r) for r in self.rows)
        more = self.count - len(self.rows)
        return text + (f" (and {more} more)" if more > 0 else "")

    def describe(self) -> str:
        """A one-line description naming file, column, rows and what was expected."""
        where = self.file + (f", column {self.column}" if self.column else "")
        if self.rows:
            where += f", row{'s' if self.count > 1 else ''} {self.rows_text()}"
        return f"{where}: {self.message} (expected {self.expected})"


def table_files(data_dir: Path, tables: dict[str, Table]) -> tuple[dict[str, Path], list[Problem]]:
    """The file of each table in `data_dir`, and problems with the folder's file names."""
    if "\0" in str(data_dir):
        return {}, [Problem(repr(str(data_dir)), "", "a folder name", "the name contains NUL")]
    if not data_dir.is_dir():
        return {}, [Problem(str(data_dir), "", "a folder of CSV/Parquet files", "folder not found")]
    files: dict[str, Path] = {}
    problems = []
    for path in sorted(data_dir.iterdir()):
        if path.suffix.lower() not in SUFFIXES:
            continue
        if not path.is_file():
            what = "a folder" if path.is_dir() else "not a regular file"
            problems.append(Problem(path.name, "", "a CSV or Parquet file", f"this is {what}"))
            continue
        stem = path.stem
        if stem not in tables:
            close = difflib.get_close_matches(stem, list(tables), 1)
            hint = f"; did you mean {close[0]}?" if close else ""
            expected = "one of " + ", ".join(tables)
            problems.append(Problem(path.name, "", expected, f"unknown table {stem!r}{hint}"))
        elif stem in files:
            msg = f"two files for table {stem}: {files[stem].name} and {path.name}"
            problems.append(Problem(path.name, "", "one file per table", msg))
        else:
            files[stem] = path
    for name, table in tables.items():
        if table.required and name not in files:
            msg = f"the {name} table is missing"
            problems.append(Problem(f"{name}.csv", "", f"{name}.csv or {name}.parquet", msg))
    return files, problems


class ValidationError(ValueError):
    """A data folder has problems; `.problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """Every problem on its own line: file, column, rows, what was expected."""
        lines = [f"{len(self.problems)} problem(s) found (rows count from 1, header excluded):"]
        lines += [f"- {p.describe()}" for p in self.problems]
        return "\n".join(lines)


def problems_frame(problems: list[Problem]) -> pl.DataFrame:
    """Problems as a table for the UI: file, column, rows, expected, message."""
    return pl.DataFrame(
        {
            "file": [p.file for p in problems],
            "column": [p.column for p in problems],
            "rows": [p.rows_text() for p in problems],
            "expected": [p.expected for p in problems],
            "message": [p.message for p in problems],
        },
        schema={k: pl.String for k in ("file", "column", "rows", "expected", "message")},
    )


def validate_folder(data_dir: str | Path, tables: dict[str, Table] = TABLES) -> list[Problem]:
    """Every problem in a data folder at once (an empty list means it loads cleanly)."""
    data_dir = Path(data_dir)
    files, problems = table_files(data_dir, tables)
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    try:
        readable = {}
        for name, path in files.items():
            file_problems, types = _open_source(con, path, name)
            problems += file_problems
            if types is not None:
                readable[name] = types
                problems += _column_problems(con, path, tables[name], types)
        problems += _reference_problems(con, files, tables, readable)
    finally:
        con.close()
    return sorted(problems, key=lambda p: p.file)


def _open_source(con, path: Path, name: str) -> tuple[list[Problem], dict[str, str] | None]:
    """Create view `src_<name>` over the file (+ `__row`); the file's own column types, and
    problems if it is empty or unreadable."""
    kind = "Parquet" if path.suffix.lower() == ".parquet" else "CSV"
    if path.stat().st_size == 0:
        return [
            Problem(
                path.name,
                "",
                f"a {kind} file with rows",
                "the file is empty (0 bytes)",
            )
        ], None
    try:
        if kind == "CSV":
            problems, types = _open_csv(con, path, name)
        else:
            problems, types = [], source_types(con, source_sql(path, False))
            rows = source_sql(path, True, drop_row_column=ROW in types)
            con.execute(f"create or replace temp view src_{name} as {rows}")
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        return [
            Problem(path.name, "", f"a readable {kind} file", f"cannot read the file: {first}")
        ], None
    return problems + _reserved_problems(path, types), types


def _reserved_problems(path: Path, types: dict[str, str]) -> list[Problem]:
    """A file column named like the row number validation adds would shift every reported row."""
    if ROW not in types:
        return []
    message = f"column name {ROW} is reserved for row numbers"
    return [Problem(path.name, ROW, "a different column name", message)]


def _open_csv(con, path: Path, name: str) -> tuple[list[Problem], dict[str, str]]:
    """Read a CSV as text, keeping malformed lines (truncated, extra fields) as problems."""
    con.execute(
        f"create or replace temp table raw_{name} as select * from read_csv({literal(str(path))}, "
        f"all_varchar = true, header = true, store_rejects = true, "
        f"rejects_table = 'rejects_{name}', rejects_scan = 'scans_{name}')"
    )
    types = source_types(con, f"select * from raw_{name}")
    columns = f'* exclude ("{ROW}")' if ROW in types else "*"
    con.execute(
        f"create or replace temp view src_{name} as select {columns}, rowid + 1 as {ROW} "
        f"from raw_{name}"
    )
    rejects = con.execute(
        f"select kind, any_value(msg), count(*), min(line - 1, {SAMPLE_ROWS}) from ("
        f"select error_type::varchar as kind, line, any_value(error_message) as msg "
        f"from rejects_{name} group by 1, 2) group by 1 order by 1"
    ).fetchall()
    problems = [
        Problem(
            path.name,
            "",
            "every row to have the header's columns",
            f"{kind.lower()}: {msg} (is the file truncated or badly quoted?)",
            tuple(rows),
            n,
        )
        for kind, msg, n, rows in rejects
    ]
    return problems, types


def _column_problems(con, path: Path, table: Table, types: dict[str, str]) -> list[Problem]:
    """Missing and unknown columns, then value problems found in one scan of the file."""
    problems = [
        Problem(
            path.name, c.name, f"a column named {c.name} ({c.type})", "required column is missing"
        )
        for c in table.columns
        if c.required and c.name not in types
    ]
    if not table.extra_allowed:
        problems += [
            _unknown_column(path, table, n) for n in types if n != ROW and not table.column(n)
        ]
    checks = [c for n in types if (spec := table.column(n)) for c in _value_checks(spec, types[n])]
    checks += _pair_checks(table, types)
    problems += _run_checks(con, path, table.name, checks)
    problems += _key_problems(con, path, table, types)
    if table.required and not con.execute(f"select count(*) from src_{table.name}").fetchone()[0]:
        problems.append(
            Problem(path.name, "", f"at least one {table.name} row", "the file has no rows")
        )
    return problems


def _unknown_column(path: Path, table: Table, name: str) -> Problem:
    known = list(table.column_names)
    close = difflib.get_close_matches(name, known, 1) or [
        k for k in known if k.lower() == name.lower()
    ]
    hint = f"; did you mean {close[0]}?" if close else ""
    return Problem(path.name, name, "only columns: " + ", ".join(known), f"unknown column{hint}")


def _value_checks(col: Column, source_type: str) -> list[tuple[str, str, str, str]]:
    """(column, expected, message, SQL predicate over src) for one column's values."""
    raw = ident(col.name)
    value = cast_expr(raw, col.type, source_type)
    checks = []
    if col.type != "VARCHAR" and not always_converts(source_type, col.type):
        checks.append(
            (
                col.name,
                TYPE_WORDS.get(col.type, col.type),
                "value cannot be read as " + col.type,
                f"{raw} is not null and {value} is null",
            )
        )
    if not col.nullable:
        checks.append((col.name, "a value in every row", "value is empty", f"{raw} is null"))
    if col.check == "count":
        checks.append((col.name, "a count of 0 or more", "negative count", f"{value} < 0"))
    elif col.check == "time":
        stamp = f"cast({value} as timestamp)"
        expected = f"a time between {EARLIEST} and now"
        checks.append(
            (col.name, expected, f"time before {EARLIEST}", f"{stamp} < timestamp '{EARLIEST}'")
        )
        # a day of slack: exports stamped in a timezone ahead of UTC are not "in the future"
        checks.append(
            (
                col.name,
                expected,
                "time in the future",
                f"{stamp} > now()::timestamp + interval 1 day",
            )
        )
    elif "|" in col.check:
        allowed = ", ".join(literal(v) for v in col.check.split("|"))
        checks.append((col.name, "one of " + col.check.replace("|", ", "), "value not allowed",
                       f"{raw} is not null and lower(trim({value})) not in ({allowed})"))  # fmt: skip
    return checks


def _pair_checks(table: Table, types: dict[str, str]) -> list[tuple[str, str, str, str]]:
    if table.name != "follows" or not {"followed_at", "unfollowed_at"} <= types.keys():
        return []
    follow = cast_expr('"followed_at"', "TIMESTAMP", types["followed_at"])
    unfollow = cast_expr('"unfollowed_at"', "TIMESTAMP", types["unfollowed_at"])
    return [
        (
            "unfollowed_at",
            "a time after followed_at",
            "unfollowed before it was followed",
            f"{unfollow} < {follow}",
        )
    ]


def _run_checks(con, path: Path, name: str, checks: list) -> list[Problem]:
    """Count the rows failing each check in one scan; sample row numbers only where some fail."""
    if not checks:
        return []
    counts = ", ".join(f"count(*) filter (where {pred})" for _, _, _, pred in checks)
    row = con.execute(f"select {counts} from src_{name}").fetchone()
    problems = []
    for (column, expected, message, pred), count in zip(checks, row, strict=True):
        if count:
            rows = _sample_rows(con, f"select __row from src_{name} where {pred}")
            problems.append(Problem(path.name, column, expected, message, rows, count))
    return problems


def _sample_rows(con, sql: str) -> tuple[int, ...]:
    """The first row numbers a query returns (row numbers cost a second scan, so only on failure)."""
    found = con.execute(f"select min(__row, {SAMPLE_ROWS}) from ({sql})").fetchone()[0]
    return tuple(sorted(found or ()))


def _key_problems(con, path: Path, table: Table, types: dict[str, str]) -> list[Problem]:
    """Rows repeating a key that must be unique (first occurrence included)."""
    if not table.key or not set(table.key) <= types.keys():
        return []
    casts = [cast_expr(ident(k), table.column(k).type, types[k]) for k in table.key]
    # Empty or unreadable keys are reported as such, not as duplicates of each other.
    known = " and ".join(f"{c} is not null" for c in casts)
    count, rows = con.execute(
        f"select coalesce(sum(n), 0), flatten(list(rows)) from (select count(*) as n, "
        f"min(__row, {SAMPLE_ROWS}) as rows from src_{table.name} where {known} "
        f"group by {', '.join(casts)} having count(*) > 1)"
    ).fetchone()
    if not count:
        return []
    sample = tuple(sorted(rows)[:SAMPLE_ROWS])
    what = " + ".join(table.key)
    return [Problem(path.name, what, f"each {what} once", f"duplicate {what}", sample, int(count))]


def _reference_problems(con, files, tables, readable) -> list[Problem]:
    """Rows of other tables naming an account that is not in accounts."""
    if "accounts" not in readable or "account_id" not in readable["accounts"]:
        return []
    account_id = cast_expr('"account_id"', "BIGINT", readable["accounts"]["account_id"])
    con.execute(
        f"create or replace temp table account_ids as select distinct {account_id} as id "
        f"from src_accounts where {account_id} is not null"
    )
    low, high, n = con.execute("select min(id), max(id), count(*) from account_ids").fetchone()
    dense = n > 0 and high - low + 1 == n
    problems = []
    for name, types in readable.items():
        for column in tables[name].references:
            if column not in types:
                continue
            value = cast_expr(ident(column), "BIGINT", types[column])
            if dense:  # ids 1..N without gaps: a range test replaces a 40M-row hash join
                unknown = f"from src_{name} s where {value} < {low} or {value} > {high}"
            else:
                unknown = f"from src_{name} s anti join account_ids a on {value} = a.id where {value} is not null"
            count = con.execute(f"select count(*) {unknown}").fetchone()[0]
            if count:
                rows = _sample_rows(con, f"select s.__row as __row {unknown}")
                expected = "an account_id listed in accounts"
                problems.append(
                    Problem(
                        files[name].name,
                        column,
                        expected,
                        "refers to an unknown account",
                        rows,
                        count,
                    )
                )
    return problems
