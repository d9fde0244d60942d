"""Files written so that a reader or a crash sees the old or the new content, never half of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from followaudit.store.crash_points import crash_point


def _complete_temp(path: Path, text: str) -> str:
    """A fully written, fsynced temp file beside `path` (removed again if writing fails)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            crash_point("files.written")
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write(path: Path, text: str) -> None:
    """Write to a temp file beside `path`, fsync, then os.replace: readers see old or new."""
    tmp = _complete_temp(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_new(path: Path, text: str) -> bool:
    """Create `path` with `text` only if it does not exist; False if another save took the name."""
    tmp = _complete_temp(path, text)
    try:
        # A hard link is an atomic create-if-absent (like O_EXCL) of an already complete file:
        # two concurrent saves never share a version and a reader never sees a half-written one.
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
