"""Browser tests: start `streamlit run app.py` on a copy of the sample and the platform world's
workspace, drive Chromium.

Tests use the fixtures `page` (Playwright) and `app` (an `AppTab`: `app.open(path)`,
`with app.rerun(): <action>`, `app.reload()`, `app.screenshot(name)`) and assert with
Playwright's retrying `expect`. The server's output goes to a log file whose tail is added to
every failing test's report. Screenshots are written only when FOLLOWAUDIT_SCREENSHOTS names a
directory (`make screenshots`); `make test` writes nothing into the tree.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from app_tab import AppTab
from playwright.sync_api import expect

from followaudit.store.workspace import PROJECT_ROOT, sidecar_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS_ENV = "FOLLOWAUDIT_SCREENSHOTS"
# 2 cores shared by several engineers: the server starts in 5-60 s, and a page's first run
# (Global explanations: ~5 s on a quiet machine) took over 60 s at load 20. Only a hung run
# waits this long; a wrong page fails on an assertion after EXPECT_TIMEOUT_MS.
STARTUP_SECONDS = 120
RUN_TIMEOUT_S = 120
# Actions and assertions act on a page whose run has finished: a few seconds is plenty.
ACTION_TIMEOUT_MS = 15_000
EXPECT_TIMEOUT_MS = 10_000
LOG_TAIL_LINES = 40
HOSTILE_HOST = "evil.example"  # the host in the platform world's hostile names and bios
_LOG_KEY = pytest.StashKey[Path]()
_LOG_START_KEY = pytest.StashKey[int]()

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path, start: int = 0, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of the server log, of what it wrote from byte `start` on."""
    with path.open("rb") as log:
        log.seek(start)
        text = log.read().decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:]) or "(nothing)"


def _stop_with_parent() -> None:
    """Runs in the server's process: Linux sends it SIGTERM if pytest dies without cleaning up."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"streamlit exited early with code {proc.returncode}; "
                f"last lines of {log}:\n{log_tail(log)}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)  # polling the health endpoint, not waiting for the page
    raise RuntimeError(
        f"streamlit did not become healthy at {url} within {STARTUP_SECONDS} s; "
        f"last lines of {log}:\n{log_tail(log)}"
    )


@pytest.fixture(autouse=True)
def _mark_server_log(request, pytestconfig):
    """Remember where the server log stood when this test started (its failure shows the rest)."""
    log = pytestconfig.stash.get(_LOG_KEY, None)
    request.node.stash[_LOG_START_KEY] = log.stat().st_size if log and log.exists() else 0


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test's report ends with what the server logged during the test."""
    report = yield
    log = item.config.stash.get(_LOG_KEY, None)
    if report.failed and log is not None and log.exists():
        start = item.stash.get(_LOG_START_KEY, 0)
        report.sections.append(
            (
                f"streamlit server log during this test (last {LOG_TAIL_LINES} lines; all: {log})",
                log_tail(log, start),
            )
        )
    return report


# Every journey runs on the sample world and on the platform world (19-digit ids offset by
# 1.5e18, hostile names and bios: tests/platform_world.py).
WORLDS = ["sample", "platform"]


@pytest.fixture(scope="session", params=WORLDS)
def world(request) -> str:
    """Which world this browser test runs on."""
    return request.param


@pytest.fixture(scope="session")
def e2e_workspace(world, request, tmp_path_factory) -> Path:
    """A private copy of the world's workspace and its sidecar (labels land here).

    Its folder is the app's workspaces folder too (uploads land there), see serve_app.py.
    """
    source = request.getfixturevalue(f"{world}_workspace_path")
    target = tmp_path_factory.mktemp(f"e2e_{world}") / "workspaces" / f"{world}.duckdb"
    target.parent.mkdir()
    shutil.copy(source, target)
    side = sidecar_dir(source)
    if side.exists():
        shutil.copytree(side, sidecar_dir(target))
    return target


@contextmanager
def streamlit_server(script: str, workspaces: Path, env: dict[str, str], log: Path):
    """`streamlit run script` on a free port with its workspaces folder at `workspaces`
    (serve_app.py); output to `log`; yields the URL and stops the server after."""
    port = _free_port()
    env = {
        **os.environ,
        **env,
        "PYTHONUNBUFFERED": "1",  # the log is current when a test fails
        "NO_COLOR": "1",
    }
    command = [
        sys.executable,
        str(Path(__file__).with_name("serve_app.py")),
        str(workspaces),
        "run",
        script,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--logger.enableRich",  # plain tracebacks: the log tail is read in a test report
        "false",
    ]
    # A file, never a pipe: nobody would drain a pipe, and a full pipe blocks the server.
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # a killed pytest runs no `finally`: the server must not outlive it on a shared machine
            preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def app_url(e2e_workspace, tmp_path_factory, pytestconfig) -> str:
    """Start the app on a free port for the whole e2e session; stop it in `finally`."""
    log = tmp_path_factory.mktemp("e2e_server") / "streamlit.log"
    pytestconfig.stash[_LOG_KEY] = log
    env = {"FOLLOWAUDIT_WORKSPACE": str(e2e_workspace)}
    with streamlit_server("app.py", e2e_workspace.parent, env, log) as url:
        yield url


@pytest.fixture(scope="session")
def screenshot_dir() -> Path | None:
    """Where `app.screenshot` writes: FOLLOWAUDIT_SCREENSHOTS, or nowhere (the default)."""
    value = os.environ.get(SCREENSHOTS_ENV, "").strip()
    return Path(value).resolve() if value else None


@pytest.fixture(scope="session")
def browser(screenshot_dir):
    """Debian's Chromium through Playwright; skipped locally, failed in CI or for screenshots."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true" or screenshot_dir is not None:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (own session) at a desktop size; fails the test if the page ever
    asked for a URL of the hostile world's host (an image or link made from data)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(ACTION_TIMEOUT_MS)
    hostile = []
    tab.on("request", lambda r: hostile.append(r.url) if HOSTILE_HOST in r.url else None)
    try:
        yield tab
        assert hostile == [], f"the page fetched URLs taken from the data: {hostile}"
        assert tab.locator(f"a[href*='{HOSTILE_HOST}']").count() == 0
    finally:
        context.close()


@pytest.fixture
def app(page, app_url, world, screenshot_dir) -> AppTab:
    """The app in `page`: open pages, wait for the reruns actions cause, take screenshots (of
    the sample world only: the README shows it)."""
    shots = screenshot_dir if world == "sample" else None
    return AppTab(page, app_url, RUN_TIMEOUT_S, shots)
