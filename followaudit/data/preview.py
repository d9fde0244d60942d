"""What a mapped table would import as: the canonical rows and every problem, found at once.

The import wizard shows this before anything is built. It runs the same code as
`followaudit import` (`importing.canonical_frames`) and the same checks as `followaudit build`
(`validate.validate_folder`), so what the preview accepts, the command line accepts too.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from followaudit.data.importing import canonical_frames
from followaudit.data.mapping_file import Mapping, MappingError
from followaudit.data.spec import ACCOUNTS
from followaudit.data.validate import validate_folder

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class Preview:
    """The first canonical rows, the table's size, its label counts and every problem."""

    accounts: pl.DataFrame  # the first PREVIEW_ROWS canonical rows (empty when unmappable)
    rows: int
    fake: int | None  # labelled fake accounts (None without a label column)
    genuine: int | None
    problems: tuple[str, ...]
    missing: tuple[str, ...]  # canonical columns the mapping leaves unobserved

    @property
    def ok(self) -> bool:
        return not self.problems


def preview_import(file: str | Path, mapping: Mapping) -> Preview:
    """Map `file` like `followaudit import` would and check the result like `build` would."""
    problems: list[str] = []
    try:
        accounts, labels = canonical_frames(file, mapping, problems)
    except MappingError as exc:
        return Preview(pl.DataFrame(), 0, None, None, tuple(exc.problems), ())
    problems += _table_problems(accounts, Path(file).name, _failed_columns(problems))
    fake = genuine = None
    if labels is not None:
        fake = labels.filter(pl.col("label") == "fake").height
        genuine = labels.height - fake
    return Preview(
        accounts.head(PREVIEW_ROWS),
        accounts.height,
        fake,
        genuine,
        tuple(problems),
        unobserved(accounts),
    )


def _table_problems(accounts: pl.DataFrame, source: str, failed: set[str]) -> list[str]:
    """What the build's validation says about the accounts (ids, counts, times...), leaving out
    columns whose values did not convert (said already, and the cause). The labels table holds
    the same ids with fake/genuine, so its checks would only repeat these."""
    with tempfile.TemporaryDirectory(prefix="followaudit-preview-") as folder:
        accounts.write_parquet(Path(folder) / "accounts.parquet")
        found = validate_folder(folder)
    # The canonical rows are the source's rows, in order: name the source file.
    return [replace(p, file=source).describe() for p in found if p.column not in failed]


def _failed_columns(problems: list[str]) -> set[str]:
    """Canonical columns named by a mapping problem (`[columns] follower_count: ...`)."""
    return {p.split(":")[0].split()[-1] for p in problems if p.startswith("[columns] ")}


def unobserved(accounts: pl.DataFrame) -> tuple[str, ...]:
    """Canonical account columns with no value at all (the detector treats them as unknown)."""
    return tuple(
        c.name
        for c in ACCOUNTS.columns
        if c.name not in accounts.columns or accounts[c.name].null_count() == accounts.height
    )
