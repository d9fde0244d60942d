"""One build at a time per workspace, each in its own staging folder, swapped in as one file.

Next to a workspace `W.duckdb` (which holds the data, the derived tables *and* the model the build
trained, so that they can only ever change together):
- `W.d/build.lock`: an exclusive `flock` held for a whole build; its text names the holder. The
  kernel drops it when the holder dies, so a killed build never leaves a stale lock.
- `W.d/staging/<build id>/`: the build's own temp workspace file, its scratch-table file, model
  folder and DuckDB spill folder. Whatever a killed build leaves there is removed by the next build, under the lock.
The swap is one `os.replace` of the staged file onto `W.duckdb`: readers see the old build or the
new one, never a mix. A Spark build's derived Parquet folder (`W.d/derived/`, or `--derived` on
this machine) is staged too and exchanged with the old one after the workspace swap. The engine that fills the staged file (DuckDB today) is not this module's
concern.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from followaudit.store.crash_points import crash_point
from followaudit.store.workspace import WorkspaceError, is_workspace_file, sidecar_dir

WORKSPACE_SUFFIX = ".duckdb"


class BuildBusy(WorkspaceError):
    """Another build holds the workspace's lock."""


@dataclass(frozen=True)
class Staging:
    """This build's private folder and the paths inside it."""

    build_id: str
    root: Path

    @property
    def db(self) -> Path:
        """The workspace file being built (swapped onto the target at the end)."""
        return self.root / "workspace.duckdb"

    @property
    def model_dir(self) -> Path:
        """Where the build's model is written before it is stored inside the workspace file."""
        return self.root / "model"

    @property
    def scratch(self) -> Path:
        """The file a DuckDB build keeps its scratch tables in (never swapped in)."""
        return self.root / "scratch.duckdb"

    @property
    def spill_dir(self) -> Path:
        """DuckDB's temp_directory for this build alone."""
        return self.root / "duckdb_tmp"


def check_target(out_path: Path) -> None:
    """Refuse a workspace path a build must not write: wrong name, a folder, someone else's file."""
    if "\0" in str(out_path):
        raise WorkspaceError("the workspace path contains a NUL character")
    if out_path.suffix != WORKSPACE_SUFFIX:
        raise WorkspaceError(
            f"{out_path}: a workspace file name ends in {WORKSPACE_SUFFIX}; refusing to write "
            "anything else (it could be an input file)"
        )
    if out_path.is_dir():
        raise WorkspaceError(f"{out_path} is a folder; a workspace is a {WORKSPACE_SUFFIX} file")
    if out_path.exists() and not is_workspace_file(out_path):
        raise WorkspaceError(
            f"{out_path} exists and is not a workspace (DuckDB) file; refusing to overwrite it"
        )
    side = sidecar_dir(out_path)
    if side.exists() and not side.is_dir():
        raise WorkspaceError(
            f"{side} (the workspace's folder for analyst work) is a file; move it away first"
        )


@contextlib.contextmanager
def exclusive_build(
    out_path: Path, wait: bool = False, notice: Callable[[str], None] | None = None
) -> Iterator[Staging]:
    """Hold the workspace's build lock, clear what dead builds left, and yield fresh staging."""
    side = _make_sidecar(out_path)
    with _locked(side / "build.lock", out_path, wait, notice):
        crash_point("build.locked")
        remove_stale(out_path)
        stage = _new_staging(side)
        crash_point("build.staged")
        try:
            yield stage
        finally:
            shutil.rmtree(stage.root, ignore_errors=True)
            with contextlib.suppress(OSError):  # only when no other staging is in it
                stage.root.parent.rmdir()


def swap_in(stage: Staging, out_path: Path) -> None:
    """Make the staged workspace *the* workspace in one atomic rename."""
    os.replace(stage.db, out_path)
    crash_point("build.swapped")
    # Pre-lock layouts kept the model beside the file; the new file carries its own.
    shutil.rmtree(sidecar_dir(out_path) / "model", ignore_errors=True)


def staged_folder(target: Path, stage: Staging) -> Path:
    """Where this build writes a folder (Spark's derived tables) that replaces `target` only if
    the build succeeds: in its staging folder when `target` is in the workspace's folder, else
    beside `target` (a rename must not cross file systems)."""
    if target.parent == stage.root.parent.parent:
        return stage.root / target.name
    return target.with_name(f"{target.name}.building-{stage.build_id}")


def swap_folder(staged: Path, target: Path) -> None:
    """Make `staged` *the* `target` folder: one atomic exchange of the two names (Linux
    renameat2), so a kill leaves the old folder or the new one; the old one is then removed."""
    if not target.exists():
        os.replace(staged, target)
        return
    if not _exchange(staged, target):  # no renameat2: the old folder is gone for a moment
        old = target.with_name(f"{target.name}.old-{secrets.token_hex(4)}")
        os.replace(target, old)
        os.replace(staged, target)
        staged = old
    crash_point("build.derived_swapped")
    shutil.rmtree(staged, ignore_errors=True)


def remove_stale_folders(target: Path) -> None:
    """What killed builds left beside a derived folder: only call under the build lock."""
    for leftover in target.parent.glob(f"{target.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in target.parent.glob(f"{target.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done != 0:
        errno = ctypes.get_errno()
        if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot
            return False
        raise OSError(errno, os.strerror(errno), str(b))
    return True


def remove_stale(out_path: Path) -> None:
    """Leftovers of killed builds (this layout's and the previous one's): only call under the lock."""
    side = sidecar_dir(out_path)
    shutil.rmtree(side / "staging", ignore_errors=True)
    shutil.rmtree(side / "model.new", ignore_errors=True)
    for leftover in out_path.parent.glob(f"{out_path.stem}.*.building*"):
        leftover.unlink(missing_ok=True)


def _make_sidecar(out_path: Path) -> Path:
    side = sidecar_dir(out_path)
    try:
        side.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"cannot create {side}: {exc.strerror or exc}") from exc
    return side


@contextlib.contextmanager
def _locked(
    lock_path: Path, out_path: Path, wait: bool, notice: Callable[[str], None] | None
) -> Iterator[None]:
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WorkspaceError(f"cannot create {lock_path}: {exc.strerror or exc}") from exc
    try:
        _acquire(fd, out_path, wait, notice)
        _write_holder(fd)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _acquire(fd: int, out_path: Path, wait: bool, notice: Callable[[str], None] | None) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        busy = f"{out_path} is being built by {_holder(fd)}"
    if not wait:
        raise BuildBusy(f"{busy}; wait for it, or run again with --wait")
    if notice:
        notice(f"waiting: {busy}")
    fcntl.flock(fd, fcntl.LOCK_EX)


def _holder(fd: int) -> str:
    text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    return text or "another process"


def _write_holder(fd: int) -> None:
    since = datetime.now(UTC).isoformat(timespec="seconds")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} since {since}\n".encode(), 0)


def _new_staging(side: Path) -> Staging:
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(4)
    stage = Staging(build_id, side / "staging" / build_id)
    try:
        stage.model_dir.mkdir(parents=True)
        stage.spill_dir.mkdir()
    except OSError as exc:
        raise WorkspaceError(f"cannot create {stage.root}: {exc.strerror or exc}") from exc
    return stage
