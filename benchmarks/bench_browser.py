"""What an analyst feels: click -> finished run drawn, in Debian's Chromium, on the large workspace.

The app runs as `streamlit run app.py` on a throwaway view of the workspace (labels written by
the review journey are thrown away). Chromium (headless, the e2e suite's flags, a fresh on-disk
profile per session: browser_journeys.session) then plays, in each of 2 browser sessions: every page's first view in a new tab, the Threshold lab (slider,
tiers, a rule, the Cost tab), Growth anomalies (open a creator, click its spike, open a
follower), Account explanation deep links (new tabs) and Review-queue label keys, 20 times each.
Before the sessions, one visit per page right after the server starts shows the cold caches;
after them, a second server started as `followaudit serve` does (serve.py: the warm-up) shows
the time from its start to warm caches and the same visits then (browser_first_visit.py).
Each action is split into script time (server) and the rest (network, Streamlit's messages and
the browser's drawing): see browser_timing.py. Streamlit's own floor on this machine (a
one-line page, a bare slider, a slider over 60 elements, a clickable chart: browser_floors.py)
is measured the same way and reported beside them.
`make bench` takes BENCH_BROWSER_REPEATS (20) and BENCH_BROWSER_VIEWS (5) from the environment.
Run by hand: `python -m benchmarks.bench_browser [WORKSPACE] [--repeats 20] [--views 5]`;
where an action's time goes, leg by leg: `python -m benchmarks.browser_trace`.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from playwright.sync_api import sync_playwright

from benchmarks import browser_first_visit as first_visit
from benchmarks import browser_floors
from benchmarks import browser_journeys as journeys
from benchmarks.browser_server import served
from benchmarks.browser_timing import Timing

SESSIONS = 2
FAST = "<= 80 ms p50, <= 150 ms p90"
TARGETS = {
    "Threshold Lab: slider move": FAST,
    "Growth Anomalies: click a spike": FAST,
    "Threshold Lab: first view": "<= 1.5 s",
}


def deep_link_accounts(workspace: Path, n: int) -> list[int]:
    """Followers of the strongest spikes, most suspicious spike first: what analysts open."""
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        rows = con.execute(
            "select f.account_id from spike_followers as f join spikes as s using (spike_id) "
            "group by f.account_id order by max(s.score) desc, f.account_id limit ?",
            [n],
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def _prefixed(prefix: str, timings: dict[str, list[Timing]]) -> dict[str, list[Timing]]:
    return {f"{prefix}: {name}": values for name, values in timings.items()}


def play(tabs: journeys.Tabs, index: int, repeats: int, views: int, accounts: list[int]) -> dict:
    """One session's journeys; `index` makes its moves and picks differ from other sessions'."""
    journeys.used(tabs)
    out = journeys.first_views(tabs, views)
    out |= _prefixed("Threshold Lab", journeys.lab(tabs, repeats, 1 if index % 2 == 0 else -1))
    out |= _prefixed("Growth Anomalies", journeys.growth(tabs, repeats, offset=index * 3))
    out |= _prefixed("Account Explanation", journeys.deep_links(tabs, accounts))
    out |= _prefixed("Review Queue", journeys.review(tabs, repeats))
    return out


def measure(workspace: Path, repeats: int = 20, views: int = 5) -> list[dict]:
    """Rows for every timed interaction on `workspace`."""
    accounts = deep_link_accounts(workspace, SESSIONS * repeats)
    timings: dict[str, list[Timing]] = {}
    with sync_playwright() as pw:
        with served(workspace) as server:
            with journeys.session(pw, server) as tabs:
                cold = first_visit.cold_rows(journeys.first_views(tabs, 1), server)
            for index in range(SESSIONS):
                mine = accounts[index * repeats : (index + 1) * repeats]
                with journeys.session(pw, server) as tabs:
                    for name, values in play(tabs, index, repeats, views, mine).items():
                        timings.setdefault(name, []).extend(values)
        # then `followaudit serve`'s way (serve.py: the warm-up), on a server of its own
        warmed = first_visit.warmed_rows(workspace, pw)
    rows = cold + warmed
    return rows + [
        journeys.summary_row(name, values, _target(name)) for name, values in timings.items()
    ]


def _target(name: str) -> str:
    if name in TARGETS:
        return TARGETS[name]
    return "<= 1 s" if name.endswith("first view") else "-"


def run(ctx) -> list[dict]:
    """The benchmark entry point: the browser journeys on the large workspace, then the floors
    (on the sample workspace: the floor app reads no data)."""
    repeats = int(os.environ.get("BENCH_BROWSER_REPEATS", 20))
    views = int(os.environ.get("BENCH_BROWSER_VIEWS", 5))
    rows = measure(Path(ctx.workspace), repeats, views)
    return rows + browser_floors.measure(Path(ctx.sample_workspace), repeats, views)


def main(argv: list[str] | None = None) -> None:
    journeys.command_line(measure, argv, width=58)


if __name__ == "__main__":
    main()
