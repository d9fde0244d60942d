"""An external table as the import wizard sees it: its columns, their types, samples and shapes.

The file is read exactly as `followaudit import` reads it (`importing.read_sql`), so the types
shown are the types the mapping will meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from followaudit.data.casts import FALSE_WORDS, NUMERIC, TRUE_WORDS, cast_expr
from followaudit.data.importing import read_sql
from followaudit.data.mapping_file import FORMATS, MappingError
from followaudit.data.sources import ident
from followaudit.data.validate import EARLIEST

PROFILE_ROWS = 10_000  # shapes are judged on the first rows; the preview checks every row
SAMPLES = 3
LEVELS = 12  # a column with at most this many distinct values lists them all (label values)
SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
}
# What a column's values can become, most specific first: the shape shown is the first that fits.
SHAPES = ("boolean", "timestamp", "integer", "number", "text")
SHAPE_TYPES = {
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "text": "VARCHAR",
}


@dataclass(frozen=True)
class SourceColumn:
    """One column of the source: DuckDB type, sample values and the shapes its values fit."""

    name: str
    type: str
    samples: tuple[str, ...]
    values: int  # non-empty values among the profiled rows
    distinct: int
    fits: frozenset[str]  # shapes every non-empty value converts to
    levels: tuple[str, ...] = ()  # every distinct value, when there are at most LEVELS

    @property
    def shape(self) -> str:
        """The most specific shape the values fit ('empty' when the column has no value)."""
        if not self.values:
            return "empty"
        return next(s for s in SHAPES if s in self.fits)

    def fits_type(self, canonical_type: str) -> bool:
        """Whether every value converts to a canonical column type (an empty column fits any)."""
        return not self.values or any(SHAPE_TYPES[s] == canonical_type for s in self.fits)


@dataclass(frozen=True)
class SourceTable:
    """A profiled source file: format, row count and columns in file order."""

    file: Path
    format: str
    rows: int
    columns: tuple[SourceColumn, ...]

    def column(self, name: str) -> SourceColumn | None:
        """The column called `name`, or None."""
        return next((c for c in self.columns if c.name == name), None)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def format_of(file: str | Path) -> str:
    """The mapping's `[source] format` for a file name; MappingError for an unknown suffix."""
    suffix = Path(file).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise MappingError(
            f"{Path(file).name}: cannot tell its format from {suffix!r}; use {known}"
        )
    return SUFFIX_FORMATS[suffix]


def profile_table(file: str | Path, fmt: str | None = None) -> SourceTable:
    """Read `file` (format from its suffix unless given) and profile every column."""
    file = Path(file)
    fmt = fmt or format_of(file)
    if fmt not in FORMATS:
        raise MappingError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        try:
            con.execute(f"create temp table src as {read_sql(file, fmt)}")
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise MappingError(f"{file.name}: cannot read it as {fmt}: {first}") from exc
        rows = con.execute("select count(*) from src").fetchone()[0]
        types = {r[0]: r[1] for r in con.execute("describe src").fetchall()}
        con.execute(f"create temp table head as select * from src limit {PROFILE_ROWS}")
        columns = _profile_columns(con, types)
    finally:
        con.close()
    return SourceTable(file, fmt, rows, columns)


def _profile_columns(con: duckdb.DuckDBPyConnection, types: dict[str, str]) -> tuple:
    """Every column's counts and fitting shapes, in two passes over the profiled rows."""
    stats = _column_stats(con, types, [s for s in SHAPES if s != "timestamp"])
    timed = _timestamp_columns(con, {n: types[n] for n, st in stats.items() if st[2]})
    levels = _levels(con, [n for n, st in stats.items() if 0 < st[1] <= LEVELS])
    first_rows = con.execute("select * from head limit 100").fetchall()
    columns = []
    for i, (name, kind) in enumerate(types.items()):
        values, distinct, _, fits = stats[name]
        samples = _first_distinct(row[i] for row in first_rows)
        fits = frozenset(fits | ({"timestamp"} if name in timed else set()))
        column = SourceColumn(name, kind, samples, values, distinct, fits, levels.get(name, ()))
        columns.append(column)
    return tuple(columns)


def _levels(con, names: list[str]) -> dict[str, tuple[str, ...]]:
    """Every distinct value (as text, sorted) of columns with few of them, over all rows."""
    if not names:
        return {}
    parts = [
        f"(select list(v order by v) from (select distinct cast({ident(n)} as varchar) as v "
        f"from src where {ident(n)} is not null limit {LEVELS + 1}))"
        for n in names
    ]
    row = con.execute(f"select {', '.join(parts)}").fetchone()
    return {n: tuple(v) for n, v in zip(names, row, strict=True) if v and len(v) <= LEVELS}


def _column_stats(con, types: dict[str, str], shapes: list[str]) -> dict[str, tuple]:
    """name -> (values, distinct, may be times, shapes that fit) in one query."""
    parts = []
    for name, kind in types.items():
        col = ident(name)
        parts += [f"count({col})", f"approx_count_distinct({col})", _may_be_time(col, kind)]
        parts += [f"count(*) filter (where {col} is not null and not ({_fits_sql(col, kind, s)}))"
                  for s in shapes]  # fmt: skip
    row = con.execute(f"select {', '.join(parts)} from head").fetchone()
    width, out = 3 + len(shapes), {}
    for i, name in enumerate(types):
        values, distinct, may_be_time, *misfits = row[i * width : (i + 1) * width]
        fits = {s for s, bad in zip(shapes, misfits, strict=True) if not bad}
        out[name] = (values, distinct, bool(values and may_be_time), fits)
    return out


def _may_be_time(col: str, kind: str) -> str:
    """SQL: whether the column can hold times (text ones only when every value starts with a
    digit, so the costly text-to-time test runs on few columns)."""
    if kind.upper().startswith(("TIMESTAMP", "DATE", *NUMERIC)):
        return "true"
    first = f"left(trim(cast({col} as varchar)), 1)"
    return f"count(*) filter (where {col} is not null and not ({first} between '0' and '9')) = 0"


def _timestamp_columns(con, types: dict[str, str]) -> set[str]:
    """The columns whose every value reads as a time between 2005 and 2100."""
    if not types:
        return set()
    parts = [
        f"count(*) filter (where {ident(n)} is not null and not ({_fits_sql(ident(n), k, 'timestamp')}))"
        for n, k in types.items()
    ]
    row = con.execute(f"select {', '.join(parts)} from head").fetchone()
    return {name for name, bad in zip(types, row, strict=True) if not bad}


def _first_distinct(values) -> tuple[str, ...]:
    """The first few distinct non-empty values, in file order, as text."""
    seen: list[str] = []
    for value in values:
        text = str(value)
        if value is not None and text not in seen:
            seen.append(text)
        if len(seen) == SAMPLES:
            break
    return tuple(seen)


def _fits_sql(col: str, kind: str, shape: str) -> str:
    """SQL true where a non-empty value has `shape`."""
    src = kind.upper()
    if shape == "text":
        return "true"
    if shape == "boolean":
        if src == "BOOLEAN":
            return "true"
        if src.startswith(NUMERIC):
            return f"{col} in (0, 1)"
        words = f"{TRUE_WORDS}, {FALSE_WORDS}"
        return f"lower(trim(cast({col} as varchar))) in ({words})"
    if shape == "timestamp":
        ts = cast_expr(col, "TIMESTAMP", kind)
        return f"coalesce({ts} between timestamp '{EARLIEST}' and timestamp '2100-01-01', false)"
    return f"{cast_expr(col, SHAPE_TYPES[shape], kind)} is not null"
