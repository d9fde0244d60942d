"""Files arriving from the Data page: uploads staged in a folder, their cleaning, new workspace
file names.

No streamlit: `ui/data.py` shows these, the build (`pipeline.build`) reads the staged folder.
Staged folders are named by the hash of their files, so two sessions uploading the same files
share one; every file is written whole (temp file + rename), so neither reads half of the other's.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import duckdb

from followaudit.data.spec import TABLES
from followaudit.store.workspace import Workspace, WorkspaceError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")
STAGED = re.compile(r"[0-9a-f]{16}")  # a staged folder's name: the first 16 hex digits of its hash
MAX_AGE_S = 24 * 3600  # a staged folder no workspace was built from lives a day...
MAX_BYTES = 2 * 1024**3  # ...and the unused ones together stay under 2 GiB (oldest go first)
FRESH_S = 300  # never remove one staged or re-used in the last five minutes (in use right now)


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
    names = [_safe_file_name(name) for name, _ in files]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UploadError(f"two uploaded files would both be saved as {twice[0]}; rename one")
    folder = root / digest.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    os.utime(folder)  # staged again: fresh for the cleaning
    for name, (_, data) in zip(names, files, strict=True):
        _write_whole(folder / name, data)
    return folder


def _write_whole(path: Path, data: bytes) -> None:
    """Write `data` to a temp file beside `path`, then rename: a reader sees no half file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def clean_staged(
    root: Path,
    keep: Iterable[Path] = (),
    max_age_s: float = MAX_AGE_S,
    max_bytes: int = MAX_BYTES,
    now: float | None = None,
) -> list[Path]:
    """Remove staged folders nobody needs: each older than `max_age_s`, then the oldest while the
    rest exceed `max_bytes`; never one in `keep` (workspaces built from it) or a fresh one."""
    now = time.time() if now is None else now
    kept = {Path(k).resolve() for k in keep}
    folders = [f for f in _staged(root) if f.resolve() not in kept]
    sizes = {f: _size(f) for f in folders}
    total, removed = sum(sizes.values()), []
    for folder in sorted(folders, key=lambda f: f.stat().st_mtime):
        age = now - folder.stat().st_mtime
        if age >= FRESH_S and (age > max_age_s or total > max_bytes):
            shutil.rmtree(folder, ignore_errors=True)
            total -= sizes[folder]
            removed.append(folder)
    return removed


def built_from(workspaces: Iterable[Path]) -> set[Path]:
    """The data folders the given workspace files were built from (their `meta.data_dir`)."""
    folders = set()
    for path in workspaces:
        try:
            ws = Workspace.open(path, read_only=True)
        except (WorkspaceError, OSError, duckdb.Error):
            continue  # unreadable now (being replaced, foreign): nothing to keep for it
        try:
            data_dir = ws.meta().get("data_dir")
        finally:
            ws.close()
        if data_dir:
            folders.add(Path(data_dir).resolve())
    return folders


def _staged(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [f for f in root.iterdir() if f.is_dir() and STAGED.fullmatch(f.name)]


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


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
    os.utime(folder)  # staged again: fresh for the cleaning
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", stem)[:64] or "table"
    path = folder / f"{clean}.{suffix.lower()}"
    if not path.exists():
        _write_whole(path, data)  # another session may be reading it: never half a file
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
