"""Named stop points for kill tests: the process kills itself where a test asks it to.

Inert in production: nothing happens unless `FOLLOWAUDIT_TEST_STOP_AT` names the point. Tests set
it in a child process's environment, so a kill lands exactly between two steps, without sleeps.
"""

from __future__ import annotations

import os
import signal

STOP_ENV = "FOLLOWAUDIT_TEST_STOP_AT"


def stop_point(name: str) -> None:
    """SIGKILL this process if the test hook names `name` (a dotted name like `build.swapped`)."""
    if os.environ.get(STOP_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
