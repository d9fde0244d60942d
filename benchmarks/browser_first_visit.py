"""The server's first visit per page, with the warm-up of `followaudit serve` and without it.

`streamlit run app.py` (no warm-up): every page opened once, each in a new tab, as soon as the
server answers its health check (bench_browser's "first visit after the server starts" rows).
`followaudit serve` (serve.py: app.py plus the warm-up thread): the time from the server
process's start until its log says the caches are warm, then the same visits ("warmed"); and,
on a third server, Home opened at once while the warm-up runs ("during the warm-up": never
slower than the cold visit, the warm-up steps aside while a page runs).
Run by hand: `python -m benchmarks.browser_first_visit [WORKSPACE] [--during]`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks import browser_journeys as journeys
from benchmarks.browser_server import served
from benchmarks.browser_timing import Timing

WARM_LOG = "caches warm in"
COLD = "first visit after the server starts"


def start_row(server, how: str) -> dict:
    """The time from starting the server process until it answers its health check."""
    seconds = server.ready - server.started
    return journeys.summary_row(f"Server start -> answering ({how})", [Timing(seconds, 0, 0)], "-")


def cold_rows(visits: dict[str, list[Timing]], server=None) -> list[dict]:
    """bench_browser's rows for the visits to a server started the old way."""
    rows = [start_row(server, "streamlit run app.py")] if server is not None else []
    return rows + [
        journeys.summary_row(name.replace("first view", COLD), values, "-")
        for name, values in visits.items()
    ]


def warmed_rows(workspace: Path, pw) -> list[dict]:
    """Start `serve.py`, wait for its caches, then open every page once (each a new tab)."""
    with served(workspace, script="serve.py") as server:
        warm = server.wait_for(WARM_LOG, timeout=600)
        with journeys.session(pw, server) as tabs:
            visits = journeys.first_views(tabs, 1)
    rows = [
        start_row(server, "followaudit serve: imports first"),
        journeys.summary_row(
            "Server start -> caches warm (followaudit serve)", [Timing(warm, 0.0, 0)], "-"
        ),
    ]
    return rows + [
        journeys.summary_row(name.replace("first view", f"{COLD}, warmed"), values, "-")
        for name, values in visits.items()
    ]


def during_rows(workspace: Path, pw) -> list[dict]:
    """Start `serve.py` and open Home at once, while the warm-up runs."""
    with (
        served(workspace, script="serve.py") as server,
        journeys.session(pw, server) as tabs,
        tabs.open() as watch,
    ):
        home = watch.load("")
    return [journeys.summary_row(f"Home: {COLD}, during the warm-up", [home], "-")]


def measure(workspace: Path, during: bool = False) -> list[dict]:
    """Cold visits (app.py), warmed visits (serve.py) and optionally Home during the warm-up."""
    with sync_playwright() as pw:
        with served(workspace) as server, journeys.session(pw, server) as tabs:
            rows = cold_rows(journeys.first_views(tabs, 1), server)
        rows += warmed_rows(workspace, pw)
        if during:
            rows += during_rows(workspace, pw)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", nargs="?", default="workspaces/sample.duckdb", type=Path)
    parser.add_argument("--during", action="store_true", help="also Home during the warm-up")
    args = parser.parse_args(argv)
    for row in measure(args.workspace, args.during):
        print(
            f"{row['measure']:<72} {row['median_s'] * 1000:7.0f} ms  script "
            f"{row['script_p50_s'] * 1000:6.0f} ms  rest {row['rest_p50_s'] * 1000:6.0f} ms"
        )


if __name__ == "__main__":
    main()
