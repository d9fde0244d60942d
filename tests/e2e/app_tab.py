"""A browser tab on the app that knows when Streamlit has finished running the script.

Streamlit says so on its websocket: the browser sends a `rerun_script` BackMsg for every rerun it
asks for (page load, widget change, click on a page link) and the server ends every run with a
`script_finished` ForwardMsg. The tab watches both, so a test waits for exactly the run its
action caused, whether that run starts at once, after a widget's debounce, or after an
`st.rerun()` - never for a guessed number of milliseconds.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, WebSocket
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STREAM = "/_stcore/stream"  # Streamlit's websocket
# A run cut short for another rerun is not the end of the user's action: another run follows.
_DONE = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}

# What the page shows once the frontend has drawn the finished run.
_DRAWN = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    return !!app
        && app.getAttribute("data-test-connection-state") === "CONNECTED"
        && app.getAttribute("data-test-script-state") === "notRunning"
        && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']");
}"""


class _Socket:
    """Counts one websocket's rerun requests and finished runs, in the order they happened."""

    def __init__(self, ws: WebSocket, clock: list[int]):
        self.ws = ws
        self._clock = clock
        self.last_request = 0  # clock tick of the last rerun request sent
        self.last_done = 0  # clock tick of the last run that finished for good
        self.requests = 0
        self.done = 0
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _tick(self) -> int:
        self._clock[0] += 1
        return self._clock[0]

    def _sent(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script":
                self.requests += 1
                self.last_request = self._tick()

    def _received(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished in _DONE:
                self.done += 1
                self.last_done = self._tick()

    def settled_since(self, mark: int) -> bool:
        """A run finished after `mark` and after the last rerun the browser asked for."""
        return self.last_done > max(mark, self.last_request)


class AppTab:
    """One browser tab on the app: open pages, wait for the reruns actions cause, screenshot."""

    def __init__(
        self, page: Page, base_url: str, run_timeout_s: float, screenshot_dir: Path | None
    ):
        self.page = page
        self.base_url = base_url
        self.run_timeout_s = run_timeout_s
        self.screenshot_dir = screenshot_dir
        self._clock = [0]
        self._socket: _Socket | None = None
        page.on("websocket", self._watch)

    def _watch(self, ws: WebSocket) -> None:
        if ws.url.endswith(STREAM):
            self._socket = _Socket(ws, self._clock)

    def open(self, path: str = "") -> None:
        """Load `path` (relative to the app, e.g. `Threshold_Lab?policy=x`) and wait for its run."""
        with self._new_socket():
            self.page.goto(f"{self.base_url}/{path.lstrip('/')}")

    def reload(self) -> None:
        """Reload the page (a new session) and wait for its run."""
        with self._new_socket():
            self.page.reload()

    @contextmanager
    def rerun(self, what: str = "the action"):
        """Wait, after the block, for the rerun its action asked for to finish and be drawn."""
        mark = self._clock[0]
        yield
        self._wait(lambda s: s.settled_since(mark), f"after {what}")

    @property
    def rerun_requests(self) -> int:
        """How many reruns this tab's current session has asked the server for."""
        return self._socket.requests if self._socket else 0

    def settle(self, what: str = "the last request") -> None:
        """Wait until every rerun the browser asked for has finished and been drawn."""
        self._wait(lambda s: s.last_done > s.last_request, f"after {what}")

    @contextmanager
    def _new_socket(self):
        """Wait, after the block's navigation, for the new session's socket and its first run."""
        with self.page.expect_websocket(
            lambda ws: ws.url.endswith(STREAM), timeout=self.run_timeout_s * 1000
        ) as opened:
            yield
        ws = opened.value
        self._wait(lambda s: s.ws is ws and s.settled_since(0), "after loading the page")

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + self.run_timeout_s
        while self._socket is None or not ready(self._socket):
            left_ms = (deadline - time.monotonic()) * 1000
            if left_ms <= 0:
                raise AssertionError(
                    f"the app did not finish a script run {what} within {self.run_timeout_s:.0f} s "
                    f"({self._state()})"
                )
            self._next_event(left_ms)
        try:
            self.page.wait_for_function(_DRAWN, timeout=self.run_timeout_s * 1000)
        except PlaywrightTimeout:
            raise AssertionError(
                f"the finished run was not drawn {what} ({self._state()})"
            ) from None

    def _next_event(self, timeout_ms: float) -> None:
        """Block until the app's websocket says something (Playwright delivers events meanwhile)."""
        socket = self._socket
        try:
            if socket is None or socket.ws.is_closed():
                self.page.wait_for_event("websocket", timeout=timeout_ms)
            else:
                socket.ws.wait_for_event("framereceived", timeout=timeout_ms)
        except PlaywrightTimeout:
            pass  # the caller reports, with the app's state
        except PlaywrightError:
            if socket is None or not socket.ws.is_closed():
                raise
            # the socket closed (a reload, a server restart): wait on the next one

    def _state(self) -> str:
        s = self._socket
        if s is None:
            return "no websocket to the app opened"
        script = self.page.evaluate(
            "() => document.querySelector(\"[data-testid='stApp']\")"
            "?.getAttribute('data-test-script-state') ?? 'no stApp'"
        )
        return (
            f"rerun requests sent: {s.requests}, runs finished: {s.done}, "
            f"page script state: {script}, socket closed: {s.ws.is_closed()}"
        )

    def screenshot(self, name: str) -> Path | None:
        """Save the whole page as <screenshot dir>/<name>.png; nothing unless screenshots are on."""
        if self.screenshot_dir is None:
            return None
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        path = self.screenshot_dir / f"{name}.png"
        size = self.page.viewport_size
        # Streamlit scrolls an inner pane: grow the viewport to the content to get all of it.
        height = self.page.evaluate(
            "() => Math.max(...[...document.querySelectorAll(\"[data-testid='stMain'], "
            "[data-testid='stMainBlockContainer']\")].map(e => e.scrollHeight), 0)"
        )
        self.page.set_viewport_size(
            {"width": size["width"], "height": min(max(height, size["height"]), 5000)}
        )
        try:
            self.page.wait_for_function(_DRAWN)
            self.page.screenshot(path=str(path), animations="disabled")
        finally:
            self.page.set_viewport_size(size)
        return path
