"""Time a user's action in the browser, from input to the finished run drawn, split in two.

The page records, in wall-clock milliseconds (`performance.timeOrigin + ...`):
- every pointerdown / keydown (the moment the user acts),
- every change of `stApp`'s `data-test-script-state` (React draws `notRunning` when the run's
  `script_finished` message has been handled).
`AppTab` (tests/e2e/app_tab.py) waits for the run the action caused, from Streamlit's websocket;
then total = last `notRunning` - the action's input event (or the navigation's start for a page
load), and script = the server's script runs inside that interval (benchmarks/serve_timed.py).
The rest is the network, Streamlit's own message handling and the browser's drawing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.browser_server import Server
from benchmarks.context import ROOT

sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from app_tab import AppTab  # noqa: E402 - the e2e suite's run-aware tab, reused as is

RECORDER = """(() => {
    const fa = (window.__fa = { inputs: [], states: [] });
    const at = (t) => performance.timeOrigin + t;
    for (const type of ["pointerdown", "keydown"]) {
        document.addEventListener(type, (e) => fa.inputs.push(at(e.timeStamp)), true);
    }
    new MutationObserver((changes) => {
        for (const c of changes) {
            fa.states.push([at(performance.now()), c.target.getAttribute(c.attributeName)]);
        }
    }).observe(document, {
        attributes: true,
        subtree: true,
        attributeFilter: ["data-test-script-state"],
    });
})();"""


@dataclass(frozen=True)
class Timing:
    """One measured action (seconds)."""

    total: float
    script: float
    runs: int

    @property
    def rest(self) -> float:
        """Network, Streamlit's message handling and drawing: total minus script."""
        return self.total - self.script


class Stopwatch:
    """Measures actions in one AppTab against the server's run log."""

    def __init__(self, app: AppTab, server: Server):
        self.app = app
        self.server = server

    def _recorded(self) -> dict:
        return self.app.page.evaluate(
            "() => ({origin: performance.timeOrigin, inputs: window.__fa.inputs,"
            " states: window.__fa.states})"
        )

    def _timing(self, start_ms: float, quick: bool = False) -> Timing:
        rec = self._recorded()
        done = [t for t, state in rec["states"] if state == "notRunning" and t > start_ms]
        if not done and not quick:
            raise RuntimeError("no finished run was drawn after the action")
        # a fragment run short enough that the app never showed "running" (a lazy tab whose
        # content is cached): timed to the first frame drawn after its finish message
        end_ms = done[-1] if done else self._next_frame()
        runs = self.server.runs_between(start_ms / 1000, end_ms / 1000)
        script = sum(r.seconds for r in runs)
        return Timing((end_ms - start_ms) / 1000, script, len(runs))

    def action(self, what: str, act: Callable[[], None], reruns: bool = True) -> Timing:
        """Time `act()` (a click or key press) from its input event to its run drawn; an action
        that asks for no run (a client-side tab) is timed to the next frame drawn."""
        seen = len(self._recorded()["inputs"])
        end_ms = self.act(act, reruns, what)
        inputs = self._recorded()["inputs"][seen:]
        if not inputs:
            raise RuntimeError(f"{what}: no pointer or key event reached the page")
        if end_ms is not None:
            return Timing((end_ms - inputs[-1]) / 1000, 0.0, 0)
        return self._timing(inputs[-1], quick=True)

    def act(self, act: Callable[[], None], reruns: bool = True, what: str = "") -> float | None:
        """Do `act()` and wait for the run it causes; without a run, return the next frame's
        time (ms)."""
        if reruns:
            with self.app.rerun(what or "the action"):
                act()
            return None
        act()
        return self._next_frame()

    def _next_frame(self) -> float:
        """The time (ms) of the next frame the page draws."""
        return self.app.page.evaluate(
            "() => new Promise((done) => requestAnimationFrame("
            "() => done(performance.timeOrigin + performance.now())))"
        )

    def reruns_on(self, act: Callable[[], None]) -> bool:
        """Do `act()` and tell whether it asked the server for a run (waiting for that run)."""
        before = self.app.rerun_requests
        act()
        self.app.page.evaluate("0")  # the websocket frame, if any, is reported before this
        if self.app.rerun_requests == before:
            return False
        self.app.settle("a probing click")
        return True

    def load(self, path: str) -> Timing:
        """Time opening `path` in this tab (a new session) from the navigation's start."""
        self.app.open(path)
        return self._timing(self._recorded()["origin"])
