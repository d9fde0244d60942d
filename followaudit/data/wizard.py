"""The import wizard's choices as a mapping: the same `Mapping` and TOML file the CLI reads.

Column mapping only: `[expressions]` stay a command-line feature (issue 12's rules), so nothing
an analyst picks in the browser becomes SQL.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import polars as pl

from followaudit.data.mapping_file import Mapping
from followaudit.data.source_table import PROFILE_ROWS, SourceTable
from followaudit.data.suggest import TARGET_TYPES


def mapping_of(
    fmt: str,
    columns: dict[str, str | None],
    label_column: str | None = None,
    fake_values: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
) -> Mapping:
    """The mapping for the wizard's choices (canonical column -> source column or None)."""
    chosen = {t: s for t, s in columns.items() if s and t in TARGET_TYPES}
    label = label_column or None
    return Mapping(
        format=fmt,
        columns=chosen,
        label_column=label,
        fake_values=tuple(fake_values) if label else (),
        extra=tuple(c for c in extra if c not in chosen.values() and c != label),
    )


def commands(table: str | Path, mapping_file: str, data_dir: str, workspace: str) -> str:
    """The two commands that redo the wizard's import and build from a terminal."""
    q = shlex.quote
    return (
        f"followaudit import --accounts {q(str(table))} --mapping {q(mapping_file)} "
        f"--out {q(data_dir)}\n"
        f"followaudit build --data {q(data_dir)} --workspace {q(workspace)}"
    )


def columns_frame(table: SourceTable) -> pl.DataFrame:
    """One row per source column: name, type as read, value shape, filled share, samples."""
    rows = max(min(table.rows, PROFILE_ROWS), 1)
    return pl.DataFrame(
        {
            "column": [c.name for c in table.columns],
            "type": [c.type for c in table.columns],
            "values look like": [c.shape for c in table.columns],
            "filled": [c.values / rows for c in table.columns],
            "distinct": [c.distinct for c in table.columns],
            "sample values": [" · ".join(c.samples) for c in table.columns],
        },
        schema_overrides={"distinct": pl.Int64},
    )
