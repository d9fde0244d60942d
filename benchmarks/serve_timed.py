"""Start the app for the browser benchmark, logging how long every script run takes on the server.

`python benchmarks/serve_timed.py <run log> <workspaces dir> run app.py ...`: like
tests/e2e/serve_app.py (the app's writable folders under <workspaces dir>, but given through
FOLLOWAUDIT_WORKSPACES_DIR: no app module is imported before the first visit), plus one JSON
line per finished script run in <run log>: `{"session", "start", "end", "event"}` (Unix seconds, taken in
the script thread when Streamlit signals the run's start and end, so the benchmark can split a
click's latency into script time and the rest).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.web import cli

_ENDS = {
    ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS,
    ScriptRunnerEvent.SCRIPT_STOPPED_WITH_COMPILE_ERROR,
    ScriptRunnerEvent.SCRIPT_STOPPED_FOR_RERUN,
    ScriptRunnerEvent.FRAGMENT_STOPPED_WITH_SUCCESS,
}


def install_run_log(path: Path) -> None:
    """Wrap AppSession's ScriptRunner event handler to append each run's start and end to `path`."""
    log = path.open("a", buffering=1)
    lock = threading.Lock()
    started: dict[str, float] = {}
    original = AppSession._on_scriptrunner_event

    def on_event(self, sender, event, *args, **kwargs):
        if event == ScriptRunnerEvent.SCRIPT_STARTED:
            started[self.id] = time.time()
        elif event in _ENDS and self.id in started:
            line = {"session": self.id, "start": started.pop(self.id), "end": time.time()}
            with lock:
                log.write(json.dumps(line | {"event": event.value}) + "\n")
        return original(self, sender, event, *args, **kwargs)

    AppSession._on_scriptrunner_event = on_event


def main() -> None:
    """Log runs to argv[1], point the app's writable folders at argv[2], run `streamlit <argv[3:]>`."""
    install_run_log(Path(sys.argv[1]))
    # through the environment, not by importing the app here: the server's first visit must pay
    # the app's imports (followaudit.ui pulls polars, DuckDB, LightGBM, scikit-learn, Altair)
    # as `streamlit run app.py` does, or the benchmark would hide them
    os.environ["FOLLOWAUDIT_WORKSPACES_DIR"] = str(Path(sys.argv[2]).resolve())
    sys.argv = ["streamlit", *sys.argv[3:]]
    cli.main()


if __name__ == "__main__":
    main()
