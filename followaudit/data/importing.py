"""External account tables + a TOML column mapping -> canonical accounts (and labels)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from followaudit.data.casts import cast_expr
from followaudit.data.expressions import column_names, to_sql
from followaudit.data.mapping_file import (
    TARGETS,
    Mapping,
    MappingError,
    checked_expression,
    extra_name,
)
from followaudit.data.sources import ident, literal, source_types
from followaudit.data.spec import ACCOUNTS, EXTRA_PREFIX
from followaudit.data.validate import SAMPLE_ROWS


@dataclass
class MappedTable:
    """Canonical account columns present in the source, labels (1 = fake) and extra columns."""

    accounts: pl.DataFrame
    labels: np.ndarray | None
    extra_columns: list[str]


def read_sql(file: str | Path, fmt: str) -> str:
    """The SELECT that reads a source file as `followaudit import` reads it."""
    return _source_sql(Path(file), fmt)


def _source_sql(file: Path, fmt: str, text_column: str | None = None) -> str:
    path = literal(str(file))
    if fmt == "csv" and text_column:
        return f"select * from read_csv({path}, types = {{{literal(text_column)}: 'VARCHAR'}})"
    reader = {"csv": "read_csv", "json": "read_json_auto", "parquet": "read_parquet"}[fmt]
    return f"select * from {reader}({path})"


def _open(con: duckdb.DuckDBPyConnection, file: Path, mapping: Mapping) -> dict[str, str]:
    """Read the file into table `src`, then lock the connection down; returns the column types.

    Everything after this (mapped columns, expressions, casts) runs with file access disabled
    and the configuration locked, so no mapping can read, write or attach anything."""
    if not file.is_file():
        raise MappingError(
            f"{file}: {'is a folder, not a file' if file.is_dir() else 'file not found'}"
        )
    try:
        types = source_types(con, _source_sql(file, mapping.format))
        # Keep the label's own spelling: the CSV sniffer would turn "YES"/"no" into booleans.
        label = mapping.label_column if mapping.label_column in types else None
        con.execute(
            f"create or replace temp table src as {_source_sql(file, mapping.format, label)}"
        )
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise MappingError(
            f"{file}: cannot read it as {mapping.format} ([source] format): {first}"
        ) from exc
    lock_down(con)
    return source_types(con, "select * from src")


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """No file, network or extension access from here on, and no way to turn it back on."""
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


def _raw_selects(mapping: Mapping, types: dict[str, str]) -> list[tuple[str, str, str]]:
    """(target, SQL over src, key named in errors) for every mapped column."""
    missing = []
    out = []
    for target, column in mapping.columns.items():
        if column not in types:
            missing.append(f"[columns] {target} = {column!r}: the file has no column {column!r}")
        out.append((target, ident(column), f"[columns] {target}"))
    by_lower = {}
    for name in types:
        by_lower.setdefault(name.lower(), name)
    for target, text in mapping.expressions.items():
        tree = checked_expression(target, text)
        unknown = [c for c in column_names(tree) if c.lower() not in by_lower]
        if unknown:
            missing.append(
                f"[expressions] {target} = {text!r}: the file has no column {unknown[0]!r}"
            )
            continue
        out.append((target, f"({to_sql(tree, by_lower)})", f"[expressions] {target}"))
    for column in mapping.extra:
        if column not in types:
            missing.append(f"[extra] columns: the file has no column {column!r}")
        out.append((extra_name(column), ident(column), f"[extra] {column}"))
    if mapping.label_column and mapping.label_column not in types:
        missing.append(
            f"[label] column = {mapping.label_column!r}: the file has no column {mapping.label_column!r}"
        )
    if missing:
        known = ", ".join(repr(c) for c in types)
        raise MappingError("\n".join(missing) + f"\n(the file's columns: {known})")
    return out


def _build(
    con: duckdb.DuckDBPyConnection, file: Path, mapping: Mapping, problems: list | None = None
) -> list[str]:
    """Create table `mapped` (typed canonical columns + `__label`); returns its account columns.

    Values that do not convert and missing labels are all reported at once: raised as one
    MappingError, or appended to `problems` when given (the rows keep NULL there)."""
    selects = _raw_selects(mapping, _open(con, file, mapping))
    raw = ["rowid + 1 as __row"]
    raw += [f"{sql} as {ident(target)}" for target, sql, _ in selects]
    if mapping.label_column:
        fakes = ", ".join(literal(v) for v in _fake_texts(mapping.fake_values))
        raw.append(
            f"lower(trim(cast({ident(mapping.label_column)} as varchar))) in ({fakes}) as __label"
        )
    try:
        con.execute(f"create or replace temp table raw as select {', '.join(raw)} from src")
    except duckdb.Error as exc:
        raise MappingError(_expression_error(con, selects, exc)) from exc
    types = source_types(con, "select * from raw")
    typed, names, casts = ["__row"], [], []
    for target, _, key in selects:
        wanted = TARGETS.get(target, "DOUBLE")
        expr = cast_expr(ident(target), wanted, types[target])
        typed.append(f"{expr} as {ident(target)}")
        names.append(target)
        casts.append((target, expr, wanted, key))
    found = _cast_problems(con, casts)
    if mapping.observed_at and "observed_at" not in names:
        observed = cast_expr(literal(mapping.observed_at), "TIMESTAMP", "VARCHAR")
        if con.execute(f"select {observed}").fetchall()[0][0] is None:
            raise MappingError(
                f"[source] observed_at = {mapping.observed_at!r}: expected an ISO time or epoch"
            )
        typed.append(f"{observed} as observed_at")
        names.append("observed_at")
    if mapping.label_column:
        typed.append("__label")
        found += _label_problems(con, mapping.label_column)
    if found and problems is None:
        raise MappingError("\n".join(found), found)
    if problems is not None:
        problems.extend(found)
    con.execute(
        f"create or replace temp table mapped as select {', '.join(typed)} from raw order by __row"
    )
    return names


def _fake_texts(values: tuple[str, ...]) -> set[str]:
    """Lower-case fake values, plus 'true'/'false' so JSON/Parquet booleans match "yes"/"1"."""
    texts = {v.strip().lower() for v in values}
    if texts & {"1", "yes", "y", "t", "true"}:
        texts.add("true")
    if texts & {"0", "no", "n", "f", "false"}:
        texts.add("false")
    return texts


def _label_problems(con, column: str) -> list[str]:
    """Every row of a labelled table needs a label."""
    count, rows = con.execute(
        f"select count(*), min(__row, {SAMPLE_ROWS}) from raw where __label is null"
    ).fetchall()[0]
    if not count:
        return []
    return [f"[label] column = {column!r}: {count} row(s) have no label, rows {sorted(rows)}"]


def _expression_error(con, selects, exc: duckdb.Error) -> str:
    """Name the [expressions] key whose DuckDB expression fails."""
    for _, sql, key in selects:
        try:
            con.execute(f"describe select {sql} as x from src")
        except duckdb.Error as inner:
            return (
                f"{key} = {sql[1:-1] if sql.startswith('(') else sql}: {str(inner).splitlines()[0]}"
            )
    return f"cannot map the file: {str(exc).splitlines()[0]}"


def _cast_problems(con, casts: list[tuple[str, str, str, str]]) -> list[str]:
    """One problem per mapped column whose values do not all convert to its type."""
    if not casts:
        return []
    bad = [f"{ident(target)} is not null and {expr} is null" for target, expr, _, _ in casts]
    counts = con.execute(
        f"select {', '.join(f'count(*) filter (where {b})' for b in bad)} from raw"
    ).fetchone()
    found = []
    for (target, _, wanted, key), where, count in zip(casts, bad, counts, strict=True):
        if not count:
            continue
        rows, sample = con.execute(
            f"select min(__row, {SAMPLE_ROWS}), list(cast({ident(target)} as varchar)) "
            f"filter (where __row in (select __row from raw where {where} limit 3)) "
            f"from raw where {where}"
        ).fetchone()
        found.append(
            f"{key}: {count} value(s) cannot be read as {wanted}, rows {sorted(rows)} "
            f"(e.g. {sample})"
        )
    return found


def read_mapped(file: str | Path, mapping: Mapping) -> MappedTable:
    """Read an external account table through `mapping` into canonical columns and 0/1 labels."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    try:
        names = _build(con, Path(file), mapping)
        frame = con.sql("select * exclude (__row) from mapped").pl()
    finally:
        con.close()
    labels = None
    if "__label" in frame.columns:
        labels = frame["__label"].cast(pl.Int8).to_numpy()
        frame = frame.drop("__label")
    extras = [n for n in names if n.startswith(EXTRA_PREFIX)]
    return MappedTable(frame.select(names), labels, extras)


def canonical_frames(
    file: str | Path, mapping: Mapping, problems: list | None = None
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The canonical `accounts` (and `labels`) tables of a mapped file, as `write_folder` writes
    them. With `problems` given, values that do not convert are listed there and left NULL."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    try:
        names = _build(con, Path(file), mapping, problems)
        id_sql = "account_id" if "account_id" in names else "__row"
        cols = [f"{id_sql} as account_id"]
        for col in ACCOUNTS.columns[1:]:
            if col.name in names:
                cols.append(ident(col.name))
            elif col.required:  # present but empty: NULL means "not observed"
                cols.append(f"cast(null as {col.type}) as {ident(col.name)}")
        cols += [ident(n) for n in names if n not in ACCOUNTS.column_names]
        accounts = con.sql(f"select {', '.join(cols)} from mapped order by __row").pl()
        labels = None
        if mapping.label_column:
            source = literal(f"import:{Path(file).name}")
            labels = con.sql(
                f"select {id_sql} as account_id, case when __label then 'fake' else 'genuine' end "
                f"as label, {source} as source from mapped order by __row"
            ).pl()
    finally:
        con.close()
    return accounts, labels


def write_folder(file: str | Path, mapping: Mapping, out_dir: str | Path) -> Path:
    """Write `accounts.parquet` (+ `labels.parquet`) to `out_dir` as a canonical data folder."""
    out_dir = Path(out_dir)
    accounts, labels = canonical_frames(file, mapping)
    # Written by Polars: the mapping's connection has no file access.
    out_dir.mkdir(parents=True, exist_ok=True)
    accounts.write_parquet(out_dir / "accounts.parquet")
    if labels is not None:
        labels.write_parquet(out_dir / "labels.parquet")
    else:
        (out_dir / "labels.parquet").unlink(missing_ok=True)
    return out_dir
