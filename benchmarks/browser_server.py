"""The app served for the browser benchmark: a throwaway view of a workspace, a run log, a port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from followaudit.store.workspace import PROJECT_ROOT, sidecar_dir

STARTUP_SECONDS = 180
LAUNCHER = Path(__file__).with_name("serve_timed.py")


@dataclass(frozen=True)
class Run:
    """One script run on the server (Unix seconds)."""

    session: str
    start: float
    end: float
    event: str

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class Server:
    """A running app: its URL, its run log and server log."""

    url: str
    run_log: Path
    log: Path
    started: float = 0.0  # Unix seconds when the server process was started
    ready: float = 0.0  # ... and when it first answered its health check

    def wait_for(self, text: str, timeout: float = STARTUP_SECONDS) -> float:
        """Wait until the server's log shows `text`; seconds from the process start to then."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log.read_text(errors="replace"):
                return time.time() - self.started
            time.sleep(0.1)  # polling the server's log file
        raise RuntimeError(f"the server did not log {text!r} within {timeout} s; see {self.log}")

    def runs_between(self, start: float, end: float, slack: float = 0.002) -> list[Run]:
        """Script runs that started and ended inside [start, end] (Unix seconds)."""
        runs = [Run(**json.loads(line)) for line in self.run_log.read_text().splitlines()]
        return [r for r in runs if r.start >= start - slack and r.end <= end + slack]


def scratch_view(workspace: Path, folder: Path) -> Path:
    """`workspace` seen from `folder`: the file symlinked (read-only use), its sidecar copied
    (model, policies, labels), so labels written during the benchmark are thrown away."""
    link = folder / workspace.name
    link.symlink_to(workspace.resolve())
    side = sidecar_dir(workspace)
    if side.exists():
        shutil.copytree(side, sidecar_dir(link))
    return link


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)  # polling the health endpoint
    raise RuntimeError(f"streamlit did not start within {STARTUP_SECONDS} s; see {log}")


@contextmanager
def served(workspace: Path, script: str = "app.py", launcher: Path = LAUNCHER) -> Iterator[Server]:
    """Serve `script` (app.py; serve.py, app.py with the warm-up of `followaudit serve`; or a
    floor app: benchmarks/browser_floors.py) on a scratch view of `workspace` through
    `launcher`; stop the server in `finally`."""
    with tempfile.TemporaryDirectory(prefix="followaudit-browser-") as tmp:
        folder = Path(tmp) / "workspaces"
        folder.mkdir()
        view = scratch_view(workspace, folder)
        port = _free_port()
        server = Server(f"http://127.0.0.1:{port}", Path(tmp) / "runs.jsonl", Path(tmp) / "log")
        server.run_log.touch()
        command = [
            sys.executable,
            str(launcher),
            str(server.run_log),
            str(folder),
            "run",
            script,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ]
        env = {**os.environ, "FOLLOWAUDIT_WORKSPACE": str(view), "PYTHONUNBUFFERED": "1"}
        server.started = time.time()
        with server.log.open("wb") as out:  # a file, never an undrained pipe
            proc = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_healthy(server.url, proc, server.log)
            server.ready = time.time()
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
