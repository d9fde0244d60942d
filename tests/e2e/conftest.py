"""Browser tests: start `streamlit run app.py` on a copy of the sample workspace, drive Chromium.

Other e2e modules use the fixtures `app_url`, `page` and `e2e` (helpers: `e2e.goto(page, url)`,
`e2e.wait_for_app(page)`, `e2e.screenshot(page, name)` -> docs/screenshots/<name>.png).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

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
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
STARTUP_SECONDS = 60
RUN_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy at {url} within {STARTUP_SECONDS} s")


@pytest.fixture(scope="session")
def e2e_workspace(sample_workspace_path, tmp_path_factory) -> Path:
    """A private copy of the session's sample workspace and its sidecar (labels land here)."""
    target = tmp_path_factory.mktemp("e2e") / "sample.duckdb"
    shutil.copy(sample_workspace_path, target)
    side = sidecar_dir(sample_workspace_path)
    if side.exists():
        shutil.copytree(side, sidecar_dir(target))
    return target


@pytest.fixture(scope="session")
def app_url(e2e_workspace) -> str:
    """Start the app on a free port for the whole e2e session; stop it in `finally`."""
    port = _free_port()
    env = {**os.environ, "FOLLOWAUDIT_WORKSPACE": str(e2e_workspace)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    proc = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright; skipped locally (failed in CI) when missing."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (own session) at a desktop size."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(RUN_TIMEOUT_MS)
    try:
        yield tab
    finally:
        context.close()


_IDLE = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    return !!app
        && app.getAttribute("data-test-connection-state") === "CONNECTED"
        && app.getAttribute("data-test-script-state") === "notRunning"
        && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']");
}"""


def wait_for_app(page) -> None:
    """Wait until the app is connected, its script has finished and no placeholder remains."""
    page.wait_for_timeout(250)  # a click's rerun may not have started yet
    for _ in range(2):  # idle twice in a row: a rerun can start right after the first idle
        page.wait_for_function(_IDLE, timeout=RUN_TIMEOUT_MS)
        page.wait_for_timeout(400)


def goto(page, url: str) -> None:
    """Open `url` and wait for the app to finish running."""
    page.goto(url)
    wait_for_app(page)


def screenshot(page, name: str) -> Path:
    """Save the whole page as docs/screenshots/<name>.png (Streamlit scrolls an inner pane)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll(\"[data-testid='stMain'], "
        "[data-testid='stMainBlockContainer']\")].map(e => e.scrollHeight), 0)"
    )
    page.set_viewport_size(
        {"width": size["width"], "height": min(max(height, size["height"]), 5000)}
    )
    page.wait_for_timeout(300)
    try:
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)
    return path


@pytest.fixture
def e2e():
    """The helpers for other e2e modules: `e2e.goto`, `e2e.wait_for_app`, `e2e.screenshot`."""
    return SimpleNamespace(goto=goto, wait_for_app=wait_for_app, screenshot=screenshot)
