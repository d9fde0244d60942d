"""Mapping files: how an outside account table's columns become canonical account columns.

A mapping is TOML with sections [source] (format, observed_at), [columns] (canonical = source
column), [expressions] (canonical = a checked scalar formula), [label] and [extra]. Every problem
raises MappingError naming the file, the section and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w
from sqlglot import exp

from followaudit.data.expressions import UnsafeExpression, parse_expression
from followaudit.data.spec import ACCOUNTS, DERIVED_FEATURES, EXTRA_PREFIX

FORMATS = ("csv", "json", "parquet")
TARGETS = {c.name: c.type for c in ACCOUNTS.columns} | dict.fromkeys(DERIVED_FEATURES, "DOUBLE")
SECTIONS = {"source", "columns", "expressions", "label", "extra"}


class MappingError(ValueError):
    """A mapping file or the table it maps is wrong; the message names the key and the column.

    `problems` lists each problem on its own (the message joins them)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems) if problems else [message]


@dataclass
class Mapping:
    """A parsed mapping file: how source columns become canonical account columns."""

    format: str
    columns: dict[str, str] = field(default_factory=dict)
    expressions: dict[str, str] = field(default_factory=dict)
    label_column: str | None = None
    fake_values: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    observed_at: str | None = None  # a fixed observation time for every row, if given
    path: Path | None = None


def load_mapping(path: str | Path) -> Mapping:
    """Parse and check a mapping TOML file; problems raise MappingError naming the key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MappingError(f"{path}: cannot read the mapping file: {_reason(exc)}") from exc
    mapping = parse_mapping(text, str(path))
    mapping.path = path
    return mapping


def parse_mapping(text: str, source: str = "mapping") -> Mapping:
    """Parse and check mapping TOML text (`source` names it in errors); raises MappingError."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{source}: not a valid TOML mapping: {exc}") from exc
    unknown = set(doc) - SECTIONS
    if unknown:
        raise MappingError(
            f"{source}: unknown section(s) {sorted(unknown)}; allowed: {sorted(SECTIONS)}"
        )
    src = _table(doc, "source", source)
    fmt = src.get("format")
    if fmt not in FORMATS:
        raise MappingError(
            f"{source}: [source] format = {fmt!r}; expected one of {', '.join(FORMATS)}"
        )
    columns = _strings(_table(doc, "columns", source), "columns", source)
    expressions = _strings(_table(doc, "expressions", source), "expressions", source)
    for key in list(columns) + list(expressions):
        _check_target(key, "columns" if key in columns else "expressions", source)
    both = set(columns) & set(expressions)
    if both:
        raise MappingError(
            f"{source}: {sorted(both)} set in both [columns] and [expressions]; keep one"
        )
    for key, text_ in expressions.items():
        checked_expression(key, text_, source)
    label = _table(doc, "label", source)
    if label and not isinstance(label.get("column"), str):
        raise MappingError(
            f"{source}: [label] column must name the source column holding the label"
        )
    fake_values = label.get("fake_values", ["1", "true", "yes"])
    if label and not (isinstance(fake_values, list) and fake_values):
        raise MappingError(f"{source}: [label] fake_values must be a non-empty list of strings")
    extra = _table(doc, "extra", source).get("columns", [])
    if not isinstance(extra, list) or not all(isinstance(c, str) for c in extra):
        raise MappingError(f"{source}: [extra] columns must be a list of source column names")
    observed_at = src.get("observed_at")
    if observed_at is not None and not isinstance(observed_at, str):
        raise MappingError(f"{source}: [source] observed_at must be a string (an ISO time)")
    return Mapping(
        format=fmt,
        columns=columns,
        expressions=expressions,
        label_column=label.get("column"),
        fake_values=tuple(str(v) for v in fake_values) if label else (),
        extra=tuple(extra),
        observed_at=observed_at,
    )


def mapping_toml(mapping: Mapping) -> str:
    """The mapping as TOML text (what the import wizard offers to download); `parse_mapping`
    reads it back to the same mapping."""
    source = {"format": mapping.format}
    if mapping.observed_at:
        source["observed_at"] = mapping.observed_at
    doc: dict = {"source": source}
    if mapping.columns:
        doc["columns"] = dict(mapping.columns)
    if mapping.expressions:
        doc["expressions"] = dict(mapping.expressions)
    if mapping.label_column:
        doc["label"] = {"column": mapping.label_column, "fake_values": list(mapping.fake_values)}
    if mapping.extra:
        doc["extra"] = {"columns": list(mapping.extra)}
    return tomli_w.dumps(doc)


def checked_expression(key: str, text: str, source: str = "mapping") -> exp.Expression:
    """The checked tree of `[expressions] key`; MappingError names the key and the refused part."""
    try:
        return parse_expression(text)
    except UnsafeExpression as exc:
        raise MappingError(
            f"{source}: [expressions] {key}: {exc.reason}: {exc.part}"
            " (an expression is one scalar formula over the file's columns)"
        ) from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, UnicodeDecodeError):
        return "not a UTF-8 text file"
    return str(exc)


def _table(doc: dict, name: str, source: str) -> dict:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise MappingError(f"{source}: [{name}] must be a table of key = value lines")
    return value


def _strings(table: dict, section: str, source: str) -> dict[str, str]:
    for key, value in table.items():
        if not isinstance(value, str):
            raise MappingError(f"{source}: [{section}] {key} must be a string, got {value!r}")
    return dict(table)


def _check_target(key: str, section: str, source: str) -> None:
    if key not in TARGETS:
        raise MappingError(
            f"{source}: [{section}] {key}: not a canonical account column or derived feature; "
            f"allowed: {', '.join(TARGETS)}"
        )


def extra_name(source_column: str) -> str:
    """The canonical name of an extra source column: `extra_` + a lower-case identifier."""
    return EXTRA_PREFIX + (re.sub(r"[^a-z0-9]+", "_", source_column.lower()).strip("_") or "column")
