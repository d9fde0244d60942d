"""Files arriving from the Data page: uploads staged in a folder, new workspace file names.

No streamlit: `ui/data.py` shows these, the build (`pipeline.build`) reads the staged folder.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from followaudit.data.spec import TABLES

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")


class UploadError(ValueError):
    """An upload or a workspace name cannot be used; the message says why."""


def stage_uploads(files: Iterable[tuple[str, bytes]], root: Path) -> Path:
    """Write uploaded (name, bytes) files into a new folder under `root`; returns the folder."""
    files = list(files)
    if not files:
        raise UploadError("no files uploaded")
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    folder = root / digest.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        (folder / _safe_file_name(name)).write_bytes(data)
    return folder


def _safe_file_name(name: str) -> str:
    """Keep only the base name; the table name and suffix are checked by validation."""
    base = Path(name.replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".")
    if not dot or suffix.lower() not in {"csv", "parquet"}:
        raise UploadError(f"{base!r}: expected a .csv or .parquet file named after its table")
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", stem)[:64] or "file"
    return f"{clean}.{suffix.lower()}"


def stage_table(name: str, data: bytes, root: Path, suffixes: Iterable[str]) -> Path:
    """Write one uploaded table (for the import wizard) under `root`; returns its path."""
    base = Path(name.replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".")
    allowed = sorted(s.lstrip(".") for s in suffixes)
    if not dot or suffix.lower() not in allowed:
        raise UploadError(f"{base[:80]!r}: expected a file ending in .{', .'.join(allowed)}")
    folder = root / hashlib.sha256(data).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", stem)[:64] or "table"
    path = folder / f"{clean}.{suffix.lower()}"
    if not path.exists():
        path.write_bytes(data)
    return path


def expected_files() -> str:
    """The file names a data folder may hold, for the page's help text."""
    return ", ".join(f"{name}.csv/.parquet" for name in TABLES)


def workspace_file(name: str, folder: Path) -> Path:
    """`folder/<name>.duckdb` for a safe workspace name (letters, digits, _ and -)."""
    name = name.strip().removesuffix(".duckdb")
    if not NAME.fullmatch(name):
        raise UploadError(
            f"workspace name {name[:60]!r}: use 1-48 letters, digits, _ or -, starting with a letter or digit"
        )
    return folder / f"{name}.duckdb"
