"""How the command line ends: bad input exits 2 with one clear message, a bug exits 70 with a log.

Nothing a user types or points at may show them a traceback. Errors the layers raise for bad
input (a data folder's problems, a mapping, a workspace, a follower list, a model, a file the
system refuses) are printed as one message; anything else is a bug in followaudit, so the
trace goes to a log file whose path is printed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE (sysexits.h)
LOG_DIR_ENV = "FOLLOWAUDIT_LOG_DIR"


class UsageError(ValueError):
    """A command-line value the command cannot use (checked before any work starts)."""


def _input_errors() -> tuple[type[BaseException], ...]:
    # Imported only when something went wrong, so `--help` stays instant.
    from followaudit.data.mapping_file import MappingError
    from followaudit.detect.model import ModelError
    from followaudit.growth.cohorts import FollowerListError
    from followaudit.store.workspace import WorkspaceError

    return (UsageError, MappingError, ModelError, FollowerListError, WorkspaceError)


def run_guarded(command: Callable[[], int]) -> int:
    """Run a command; map every exception to an exit code and one message on stderr."""
    try:
        return command()
    except BrokenPipeError:
        # `followaudit spikes | head` closed the pipe: not an error. Point stdout at devnull so
        # the interpreter's final flush does not raise again (Python's documented recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the one place that decides how a command fails
        # BaseException too: a Rust library's panic (Polars) is not an Exception.
        return _report(exc)


def _report(exc: BaseException) -> int:
    from followaudit.data.validate import ValidationError

    if isinstance(exc, ValidationError):
        _say(exc.report())
    elif isinstance(exc, _input_errors()):
        _say(f"error: {exc}")
    elif isinstance(exc, OSError):
        _say(f"error: {describe_os_error(exc)}")
    else:
        return _internal_error(exc)
    return EXIT_BAD_INPUT


def describe_os_error(exc: OSError) -> str:
    """'path: No such file or directory' (the file and the system's reason, no errno noise)."""
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{' -> '.join(names)}: {reason}" if names else reason


def _internal_error(exc: BaseException) -> int:
    log = _write_log(exc)
    where = f"the details are in {log}" if log else "no log could be written"
    _say(
        f"internal error: {type(exc).__name__} (a bug in followaudit, not in your input); "
        f"{where}. Please attach it to a bug report."
    )
    return EXIT_INTERNAL


def _write_log(exc: BaseException) -> Path | None:
    folder = Path(os.environ.get(LOG_DIR_ENV) or Path(tempfile.gettempdir()) / "followaudit")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(exc))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(f"followaudit {' '.join(sys.argv[1:])}\n\n{text}", errors="replace")
    except OSError:
        return None
    return path


def _say(message: str) -> None:
    print(message.encode("utf-8", "backslashreplace").decode("utf-8"), file=sys.stderr)
