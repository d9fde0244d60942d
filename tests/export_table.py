"""The sample world's accounts as a platform would export them (see synth.platform_export)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from followaudit.store.workspace import PROJECT_ROOT
from followaudit.synth import platform_export

SAMPLE = PROJECT_ROOT / "sample_data"
EXPECTED = platform_export.EXPECTED


def export_frame(rows: int = 10_000, labels: bool = True) -> pl.DataFrame:
    """`rows` sample-world accounts, platform-style (label column `isFake` with `labels`)."""
    return platform_export.export_frame(SAMPLE, rows, labels)


def write_export(folder: Path, rows: int = 10_000, labels: bool = True, name="export.csv") -> Path:
    """The export written as CSV (or JSON lines / Parquet, by `name`'s suffix)."""
    frame = export_frame(rows, labels)
    path = folder / name
    if path.suffix == ".parquet":
        frame.write_parquet(path)
    elif path.suffix in {".json", ".jsonl"}:
        frame.write_ndjson(path)
    else:
        frame.write_csv(path)
    return path
