"""Server folders the web app may read: only those under the configured roots.

`FOLLOWAUDIT_DATA_ROOTS` (folders separated by `os.pathsep`) names them; by default they are the
project's `sample_data/` and the upload folder. A typed path is resolved first (`~`, `..` and
symbolic links), so neither `../..` nor a link can leave the roots, and a folder whose files link
outside them is refused before validation reads a byte (a `labels.csv` linked to `/etc/passwd`
would otherwise have its first line reported as a column name).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

ROOTS_ENV = "FOLLOWAUDIT_DATA_ROOTS"


class FolderRefused(ValueError):
    """A path the app may not read; the message says which rule it breaks, not what is there."""


def data_roots(defaults: Iterable[Path]) -> list[Path]:
    """The resolved roots: `FOLLOWAUDIT_DATA_ROOTS` when set, else `defaults`."""
    configured = os.environ.get(ROOTS_ENV, "")
    paths = [Path(p).expanduser() for p in configured.split(os.pathsep) if p.strip()]
    return [p.resolve() for p in (paths or list(defaults))]


def under_roots(path: Path, roots: list[Path]) -> bool:
    """Whether `path` (already resolved) is one of the roots or lies inside one."""
    return any(path == root or path.is_relative_to(root) for root in roots)


def resolve_typed(typed: str, roots: list[Path]) -> Path:
    """`typed` as a resolved path under the roots, else FolderRefused (which never says whether
    something exists outside them)."""
    text = typed.strip()
    if not text or "\0" in text:
        raise FolderRefused("type the path of a folder on the server")
    path = Path(text).expanduser().resolve()
    if not under_roots(path, roots):
        allowed = ", ".join(str(r) for r in roots)
        raise FolderRefused(
            f"“{text[:200]}” is outside the folders this app may read ({allowed}); an "
            f"administrator can add folders with {ROOTS_ENV}"
        )
    return path


def allowed_folder(typed: str, roots: list[Path]) -> Path:
    """The data folder `typed` names, if it and every file in it lie under the roots."""
    folder = resolve_typed(typed, roots)
    if not folder.is_dir():
        raise FolderRefused(f"no folder at “{typed.strip()[:200]}”")
    for entry in sorted(folder.iterdir()):
        if not under_roots(entry.resolve(), roots):
            raise FolderRefused(
                f"{entry.name} in “{typed.strip()[:200]}” links outside the folders this app may "
                "read; copy the file into the folder instead"
            )
    return folder


def files_under(roots: Iterable[Path], suffixes: Iterable[str], limit: int = 500) -> list[Path]:
    """Files with one of `suffixes` under the roots, sorted: symlinks resolved, and kept only when
    they resolve inside a root."""
    roots = [Path(r).resolve() for r in roots]
    wanted = {s.lower() for s in suffixes}
    found: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            real = path.resolve()
            if real.suffix.lower() in wanted and real.is_file() and under_roots(real, roots):
                found.add(real)
            if len(found) >= limit:
                return sorted(found)
    return sorted(found)
