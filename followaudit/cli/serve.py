"""`followaudit serve`: the app on this machine, its process-wide caches warmed at start.

It runs `streamlit run serve.py` (what `make run` runs): serve.py wraps app.py in an `st.App`
whose lifespan warms, on a background thread, the caches the pages' first runs read (the
decision inputs, the active policy's index, the model, the SHAP summary, ...) while the server
already answers; `--no-warm` serves app.py itself, as `streamlit run app.py` does.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from followaudit.store.workspace import PROJECT_ROOT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `serve`."""
    parser.add_argument(
        "--workspace",
        type=Path,
        help="the workspace a new session opens and the warm-up reads (default: "
        "FOLLOWAUDIT_WORKSPACE, else workspaces/sample.duckdb)",
    )
    parser.add_argument(
        "--address",
        default="127.0.0.1",
        help="listen on this address (default 127.0.0.1: the app trusts whoever reaches it)",
    )
    parser.add_argument("--port", type=int, default=8501, help="listen on this port (8501)")
    parser.add_argument(
        "--no-warm",
        action="store_true",
        help="serve app.py without the warm-up (the server's first visit pays the cold caches)",
    )


def command(args: argparse.Namespace) -> list[str]:
    """The `streamlit run` command line `serve` becomes."""
    script = PROJECT_ROOT / ("app.py" if args.no_warm else "serve.py")
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address",
        args.address,
        "--server.port",
        str(args.port),
        "--browser.gatherUsageStats",
        "false",
    ]


def environment(args: argparse.Namespace) -> dict[str, str]:
    """The server's environment: ours, with the workspace when one is given."""
    env = dict(os.environ)
    if args.workspace is not None:
        env["FOLLOWAUDIT_WORKSPACE"] = str(args.workspace)
    return env


def run(args: argparse.Namespace) -> int:
    """Become the Streamlit server (signals such as Ctrl-C then reach it directly)."""
    argv = command(args)
    sys.stdout.flush()
    os.execve(argv[0], argv, environment(args))
    return 0  # not reached: execve replaces this process
