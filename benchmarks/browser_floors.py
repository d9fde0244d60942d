"""Streamlit's own floor on this machine, with the browser benchmark's harness and journeys' code.

benchmarks/floor_app.py (one-line page, a slider + one st.write, a slider + N metrics, a
clickable Vega chart) is served like the app (launcher, .streamlit/config.toml, Chromium, run
log) and timed the same way: click -> `notRunning` split into script and the rest, and a new
tab's first view. What the app's figures add to these is ours; the floors are not.
Run by hand: `python -m benchmarks.browser_floors [--repeats 20] [--views 5]`.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks import browser_journeys as journeys
from benchmarks.browser_server import served
from benchmarks.browser_timing import Timing

FLOOR_APP = Path(__file__).with_name("floor_app.py")
PAGES = {"one line": "Minimal", "slider": "Slider", "60 elements": "Elements", "chart": "Chart"}


def slider_moves(tabs: journeys.Tabs, path: str, moves: int) -> list[Timing]:
    """Arrow-key moves of the "Threshold" slider on `path` (as the lab journey moves it)."""
    with tabs.open() as watch:
        page = watch.app.page
        watch.load(path)
        thumb = page.locator("[data-testid='stSlider']", has_text="Threshold").get_by_role("slider")
        out = []
        for i in range(moves):
            thumb.first.focus()
            key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
            out.append(watch.action("slider move", lambda k=key: page.keyboard.press(k)))
        return out


def band_clicks(tabs: journeys.Tabs, clicks: int) -> list[Timing]:
    """Clicks on the chart's two bands in turn (each click changes the selection: a rerun)."""
    with tabs.open() as watch:
        page = watch.app.page
        watch.load("Chart")
        bands = page.locator(journeys.SPIKE_BAND)
        bands.first.wait_for()
        out = []
        for i in range(clicks):
            box = bands.nth(i % 2).bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + 4
            out.append(watch.action("band click", lambda x=x, y=y: page.mouse.click(x, y)))
        return out


def measure(workspace: Path, repeats: int = 20, views: int = 5) -> list[dict]:
    """Floor rows: first views of each floor page, slider moves, a slider over 60 elements,
    chart band clicks."""
    timings: dict[str, list[Timing]] = {}
    with (
        served(workspace, script=str(FLOOR_APP)) as server,
        sync_playwright() as pw,
        journeys.session(pw, server) as tabs,
    ):
        for round_ in range(views + 1):  # the first round warms the server: not counted
            for name, path in PAGES.items():
                with tabs.open() as watch:
                    timing = watch.load(path)
                if round_:
                    timings.setdefault(f"{name}: first view", []).append(timing)
        timings["slider: move"] = slider_moves(tabs, "Slider", repeats)
        timings["60 elements: slider move"] = slider_moves(tabs, "Elements", repeats)
        timings["chart: click a band"] = band_clicks(tabs, repeats)
    return [
        journeys.summary_row(f"Streamlit floor, {name}", values, "-")
        for name, values in timings.items()
    ]


def main(argv: list[str] | None = None) -> None:
    journeys.command_line(measure, argv, width=48)


if __name__ == "__main__":
    main()
