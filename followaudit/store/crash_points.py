"""Named crash points: a test makes a child process die at an exact moment of a write.

`crash_point("files.written")` kills the current process with SIGKILL when the environment
variable FOLLOWAUDIT_TEST_STOP_AT names that point, and does nothing otherwise (production never
sets it; the cost is one dictionary lookup per write). Kill tests set the variable in a child,
let it write, and check that the files hold the old or the new state, never half of one: no
sleeping and hoping the kill lands mid-write.

Points:
- `files.written`: the text is handed to a new file but not yet flushed, synced or published.
- `analyst.before_commit`: an analyst-store transaction has written its rows but not committed.
"""

from __future__ import annotations

import os
import signal

STOP_AT = "FOLLOWAUDIT_TEST_STOP_AT"


def crash_point(name: str) -> None:
    """Die here, as if the machine lost power, when FOLLOWAUDIT_TEST_STOP_AT is `name`."""
    if os.environ.get(STOP_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
