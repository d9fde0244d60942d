"""What the browser benchmark does on each page: the clicks and keys an analyst uses, timed.

Each journey takes a `Tabs` (new tabs in one browser session, each an `AppTab` with a Stopwatch)
and returns {interaction: [Timing, ...]}. Values a journey moves to are new for every move (the
threshold steps away from where the other session went), so no move is served from a cache that
an earlier, identical move filled.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks.browser_server import Server
from benchmarks.browser_timing import RECORDER, AppTab, Stopwatch, Timing
from benchmarks.context import ROOT

sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - the e2e suite's browser, as is

RUN_TIMEOUT_S = 600  # a page's first run on a loaded machine at 1M accounts
ACTION_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1400, "height": 1000}
PAGE_LINK = "[data-testid='stPageLink'] a"
SIDEBAR_LINK = "[data-testid='stSidebarNav'] a"
CHART = "[data-testid='stVegaLiteChart']"
# Vega draws the charts as SVG and labels each mark with its tooltip: a spike band says so.
SPIKE_BAND = f"{CHART} svg path[aria-label*='excess followers']"


def page_paths() -> dict[str, str]:
    """Page name -> URL path of every page (Home is the root)."""
    paths = {"Home": ""}
    for file in sorted((ROOT / "pages").glob("*.py")):
        path = re.sub(r"^[0-9]+_", "", file.stem)
        if path != "Home":
            paths[path.replace("_", " ")] = path
    return paths


@dataclass
class Tabs:
    """Opens tabs (each a new Streamlit session) in one browser context."""

    context: object  # playwright BrowserContext
    server: Server

    @contextmanager
    def open(self) -> Iterator[Stopwatch]:
        page = self.context.new_page()
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        try:
            yield Stopwatch(AppTab(page, self.server.url, RUN_TIMEOUT_S, None), self.server)
        finally:
            page.close()


def launch(pw):
    """Debian's Chromium with the e2e suite's flags."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@contextmanager
def session(pw, server: Server) -> Iterator[Tabs]:
    """One analyst's browser: Debian's Chromium on a fresh profile on disk (cookies, storage,
    HTTP cache and V8's code cache), as a user's own browser keeps them.

    Not `browser.new_context()`: that is an off-the-record profile, where Chromium keeps no code
    cache, so every new tab compiled Streamlit's ~3 MB of JavaScript again (0.2-0.4 s of each
    first view that a user who has opened the app before does not pay; browser_trace --views).
    """
    with tempfile.TemporaryDirectory(prefix="followaudit-profile-") as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, viewport=VIEWPORT
        )
        try:
            context.add_init_script(RECORDER)
            yield Tabs(context, server)
        finally:
            context.close()


def summary_row(name: str, timings: list[Timing], target: str) -> dict:
    """A report row: p50 / p90 of the total, the script and the rest."""

    def pct(values: list[float], q: int) -> float:
        return float(np.percentile(values, q))

    total = [t.total for t in timings]
    script = [t.script for t in timings]
    rest = [t.rest for t in timings]
    return {
        "area": "browser",
        "measure": name,
        "median_s": pct(total, 50),
        "p90_s": pct(total, 90),
        "script_p50_s": pct(script, 50),
        "script_p90_s": pct(script, 90),
        "rest_p50_s": pct(rest, 50),
        "rest_p90_s": pct(rest, 90),
        "target": target,
        "runs": len(timings),
    }


def command_line(measure: Callable, argv: list[str] | None, width: int) -> None:
    """`python -m benchmarks.<module> [workspace] [--repeats N] [--views N]`: print each row."""
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", nargs="?", default="workspaces/sample.duckdb", type=Path)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--views", type=int, default=5)
    args = parser.parse_args(argv)
    for row in measure(args.workspace, args.repeats, args.views):
        target = f"  target {row['target']}" if row.get("target") else ""
        print(
            f"{row['measure']:<{width}} p50 {row['median_s'] * 1000:7.0f} ms  p90 "
            f"{row['p90_s'] * 1000:7.0f} ms  script {row['script_p50_s'] * 1000:6.0f} ms  "
            f"rest {row['rest_p50_s'] * 1000:6.0f} ms  n={row['runs']}{target}"
        )


def used(tabs: Tabs, loads: int = 2) -> None:
    """Open Home `loads` times, untimed: a fresh profile's first tab fetches Streamlit's
    JavaScript and its second stores V8's code cache; a first view is timed in a browser that
    has opened the app before (without this, Home's first samples paid both)."""
    for _ in range(loads):
        with tabs.open() as watch:
            watch.app.open("")


def first_views(tabs: Tabs, times: int) -> dict[str, list[Timing]]:
    """Every page opened `times` times, each in a new tab (a new session)."""
    out: dict[str, list[Timing]] = {}
    for _ in range(times):
        for name, path in page_paths().items():
            with tabs.open() as watch:
                out.setdefault(f"{name}: first view", []).append(watch.load(path))
    return out


def lab(tabs: Tabs, moves: int, direction: int) -> dict[str, list[Timing]]:
    """Threshold lab: threshold slider, tier slider, a rule toggle and the Cost tab."""
    key = "ArrowRight" if direction > 0 else "ArrowLeft"
    out: dict[str, list[Timing]] = {}
    with tabs.open() as watch:
        page = watch.app.page
        watch.load("Threshold_Lab")
        threshold = page.locator("[data-testid='stSlider']", has_text="Threshold").first
        tiers = page.locator("[data-testid='stSlider']", has_text="Tiers").first
        for name, slider in (("slider move", threshold), ("tier move", tiers)):
            thumb = slider.get_by_role("slider").first
            for _ in range(moves):
                thumb.focus()
                out.setdefault(name, []).append(
                    watch.action(name, lambda: page.keyboard.press(key))
                )
        out["rule toggle"] = _rule_toggles(watch, moves)
        out["cost tab"] = _tab_clicks(watch, "Cost", "Curves", moves)
    return out


def _rule_toggles(watch: Stopwatch, times: int) -> list[Timing]:
    """Toggle the rules' "enabled" cells in turn: select the cell (a click), press Space."""
    page = watch.app.page
    page.get_by_text("Rules (toggle", exact=False).first.click()  # an expander: opens in place
    grid = page.locator("[data-testid='stExpander'] [data-testid='stDataFrame']").first
    rows = grid.get_by_role("row").count() - 1  # the grid's accessible copy: header + rules
    timings = []
    for i in range(times):
        _select_enabled_cell(grid, i % rows)
        timings.append(watch.action("rule toggle", lambda: page.keyboard.press(" ")))
    return timings


def _select_enabled_cell(grid, row: int, tries: int = 5) -> None:
    """Click the "enabled" cell of `row` until the grid reports it selected (its accessible
    copy's `aria-selected`): a click that lands while the grid redraws after the last toggle's
    run selects nothing, and the Space pressed next would start no run at all."""
    # the accessible copy is drawn nowhere, so it is only ever "attached", never visible
    selected = grid.locator(f"[data-testid='glide-cell-0-{row}'][aria-selected='true']")
    for _ in range(tries):
        # the click opened the expander with its header at the viewport's edge, so the grid
        # could lie below the fold (a coordinate click there toggles nothing and no run comes)
        box = _in_view(grid)
        # glide-data-grid: 35 px rows under a 35 px header; the first column is "enabled"
        grid.page.mouse.click(box["x"] + 8, box["y"] + 35 * (1 + row) + 17)
        try:
            selected.wait_for(state="attached", timeout=2_000)
            return
        except PlaywrightTimeout:
            continue
    raise RuntimeError(f"rule toggle: the enabled cell of rule {row + 1} never got selected")


def _in_view(locator) -> dict:
    """`locator`'s box once it is scrolled into the viewport and has stopped moving (an
    expander opens with an animation)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    for _ in range(20):
        locator.page.wait_for_timeout(50)
        now = locator.bounding_box()
        if now == box:
            break
        box = now
    return box


def _tab_clicks(watch: Stopwatch, tab: str, back: str, times: int) -> list[Timing]:
    """Click `tab` (timed), then `back` (not timed); tabs that do not rerun are timed to the
    next frame drawn after the click."""
    page = watch.app.page
    reruns = watch.reruns_on(lambda: page.get_by_role("tab", name=tab).click())
    watch.act(lambda: page.get_by_role("tab", name=back).click(), reruns)
    timings = []
    for _ in range(times):
        timings.append(
            watch.action(f"{tab} tab", lambda: page.get_by_role("tab", name=tab).click(), reruns)
        )
        watch.act(lambda: page.get_by_role("tab", name=back).click(), reruns)
    return timings


def growth(tabs: Tabs, times: int, offset: int) -> dict[str, list[Timing]]:
    """Home -> a worst creator -> its first suspicious spike -> that spike's first follower."""
    out: dict[str, list[Timing]] = {}
    with tabs.open() as watch:
        page = watch.app.page
        watch.load("")
        links = page.locator(PAGE_LINK, has_text="quality")
        count = links.count()
        for i in range(times):
            link = links.nth((offset + i) % count)
            out.setdefault("open a creator", []).append(watch.action("open a creator", link.click))
            if _click_spike(watch, out):
                follower = page.locator(PAGE_LINK, has_text="Explain @").first
                out.setdefault("open a follower", []).append(
                    watch.action("open a follower", follower.click)
                )
            watch.act(page.locator(SIDEBAR_LINK).first.click)  # back Home, not timed
    return out


def _click_spike(watch: Stopwatch, out: dict) -> bool:
    """Click the creator's first suspicious spike band (near its top, clear of the lines)."""
    page = watch.app.page
    bands = page.locator(SPIKE_BAND)
    if not bands.count():
        return False
    suspicious = page.locator(f"{SPIKE_BAND}[aria-label*='suspicious']")
    band = suspicious.first if suspicious.count() else bands.first
    box = band.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 4
    out.setdefault("click a spike", []).append(
        watch.action("click a spike", lambda: page.mouse.click(x, y))
    )
    return True


def deep_links(tabs: Tabs, accounts: list[int]) -> dict[str, list[Timing]]:
    """Account explanation links pasted into new tabs, one account each."""
    timings = []
    for account in accounts:
        with tabs.open() as watch:
            timings.append(watch.load(f"Account_Explanation?account={account}"))
    return {"deep link": timings}


def review(tabs: Tabs, times: int) -> dict[str, list[Timing]]:
    """Review queue: label the shown account with the U key (unsure), `times` times."""
    with tabs.open() as watch:
        page = watch.app.page
        watch.load("Review_Queue")
        page.get_by_role("heading", name="Review queue").click()  # keyboard focus on the page
        press: Callable[[], None] = lambda: page.keyboard.press("u")  # noqa: E731
        return {"label key": [watch.action("label key", press) for _ in range(times)]}
