"""Run every `benchmarks/bench_*.py` and write docs/benchmarks.md.

Usage: python -m benchmarks.run [--accounts 1000000] [--only NAME ...]
The large world and its workspace are generated/built by bench_generate / bench_build (which also
time them) and reused from bench_data/ by later runs. `BENCH_REUSE_WORLD=1` keeps an existing
large world (same size and seed; the generate row then says "not timed").
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.context import BENCH_DATA, ROOT, Context

ORDER = ["generate", "build", "detection", "threads", "growth", "policy", "browser"]


def machine_line() -> str:
    """A one-line description of this machine for the report."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def discover(only: list[str] | None) -> list[str]:
    """Benchmark module names in run order."""
    names = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "benchmarks").glob("bench_*.py"))
    names.sort(key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))
    return [n for n in names if not only or n in only]


def _shown(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _browser_table(rows: list[dict]) -> list[str]:
    """Browser rows: click -> finished run drawn, p50 / p90, split into script and the rest."""
    lines = [
        "",
        "## In the browser",
        "",
        "Debian Chromium (headless) through Playwright against `streamlit run app.py` on the large",
        "workspace (`benchmarks/bench_browser.py`), each browser session on its own fresh profile",
        "on disk: HTTP cache and V8's code cache, as in a user's own browser (Playwright's default",
        "off-the-record context keeps no code cache: 0.2-0.4 s more per first view). The time from",
        "the user's input event (or, for a first view, the new tab's navigation start: the tab's",
        "own creation is not counted) until Streamlit's `stApp` shows `notRunning` for the",
        "run it caused. *Script* is the server's script-run time inside that interval; *network +",
        "browser* is the rest (websocket, Streamlit's message handling, React and Vega drawing).",
        "",
        "*First visit after the server starts*: one new tab per page as soon as the server answers",
        "its health check, Home first; Home pays reading the workspace's decision inputs (at 1M",
        "accounts, 41.7M current follows) and indexing the active policy, once per server process",
        "and workspace version. *Server start -> answering*: from starting the process to its",
        "first health answer. *..., warmed* rows: a second server started as `followaudit serve`",
        "(`make run`) starts it: serve.py's `st.App` lifespan imports the pages' modules before the",
        "server listens, then a background thread fills the caches the pages' first runs read",
        "(`followaudit/ui/warm.py`); *Server start -> caches warm* is until its log says so, and",
        "the visits follow (`benchmarks/browser_first_visit.py`, which also times Home opened",
        "while the warm-up runs: `--during`). *First view*: a new tab (a new session) in each of the two",
        "browser sessions, with those process-wide caches filled; the targets apply to it. The",
        "second session runs",
        "after the first one's review labels, so its lab rebuilds the label-dependent indexes, as",
        "a real session after new labels does. Every first view includes a new tab's own start",
        "(Streamlit's frontend, its websocket): compare the Attack Sandbox, whose script does",
        "almost nothing. Loaded machines inflate *network + browser* most.",
        "",
        "*Streamlit floor* rows (`benchmarks/browser_floors.py`): the same harness on",
        "`benchmarks/floor_app.py` — a one-line page, a bare slider, a slider redrawing 60",
        "metrics and captions, a clickable 2-band Vega chart. They are what Streamlit and",
        "Chromium cost on this machine before any of our work; a first view of any page but",
        "Home also pays the frontend's probe of `<page>/_stcore/health` (a 404, then a retry",
        "at the root after 100 ms). `python -m benchmarks.browser_trace` splits one action into",
        "its legs (input -> message sent -> script -> last message -> drawn).",
        "",
        "| page: interaction | p50 | p90 | script p50 / p90 | network + browser p50 / p90 "
        "| target | runs |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['measure']} | {_ms(row['median_s'])} | {_ms(row['p90_s'])} "
            f"| {_ms(row['script_p50_s'])} / {_ms(row['script_p90_s'])} "
            f"| {_ms(row['rest_p50_s'])} / {_ms(row['rest_p90_s'])} | {row.get('target', '')} "
            f"| {row['runs']} |"
        )
    return lines


def _load_table(loads: list[tuple[str, tuple, tuple]]) -> list[str]:
    lines = ["", "## How busy the machine was", ""]
    lines += ["| benchmark | load average at start (1 / 5 / 15 min) | at end |", "|---|---|---|"]
    for name, start, end in loads:
        lines.append(
            f"| {name} | {' / '.join(f'{v:.1f}' for v in start)} "
            f"| {' / '.join(f'{v:.1f}' for v in end)} |"
        )
    return lines


def render(rows: list[dict], failures: list[str], accounts: int, loads=()) -> str:
    """The markdown report."""
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on: {machine_line()}.",
        f"Large world: `followaudit generate --accounts {accounts}` (bench_data/, not committed).",
        "Reproduce with `make bench` (median of the stated number of runs; RSS = peak resident memory).",
        "Rows measured in a child process (generate, build, validate, load) show that command's own",
        "peak RSS; rows measured inside the bench process show the bench process's running peak so far",
        "(it loads the whole 1M world in-process for the detection figures), not the step's own.",
        "",
        "| area | measure | median | target | peak RSS | runs | note |",
        "|---|---|---|---|---|---|---|",
    ]
    browser = [row for row in rows if "p90_s" in row]
    for row in rows:
        if "p90_s" in row:
            continue
        shown = _shown(row.get("median_s")) or row.get("value", "")
        rss = f"{row['peak_rss_mb']:.0f} MB" if row.get("peak_rss_mb") else ""
        lines.append(
            f"| {row['area']} | {row['measure']} | {shown} | {row.get('target', '')} | {rss} "
            f"| {row.get('runs', '')} | {row.get('note', '')} |"
        )
    if browser:
        lines += _browser_table(browser)
    if loads:
        lines += _load_table(list(loads))
    if failures:
        lines += ["", "## Benchmarks that failed", ""]
        for (
            failure
        ) in failures:  # the first line as the item, the rest (a command's output) as code
            head, _, said = failure.partition("\n")
            lines.append(f"- {head}")
            if said:
                lines += ["", "  ```", *(f"  {line}" for line in said.splitlines()), "  ```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    suffix = "1m" if args.accounts == 1_000_000 else str(args.accounts)
    ctx = Context(
        world_dir=BENCH_DATA / f"world_{suffix}",
        workspace=BENCH_DATA / f"world_{suffix}.duckdb",
        sample_workspace=ROOT / "workspaces" / "sample.duckdb",
        accounts=args.accounts,
    )
    rows, failures, loads = [], [], []
    for name in discover(args.only):
        print(f"== {name}", flush=True)
        start = os.getloadavg()
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            for row in module.run(ctx):
                print("  ", row, flush=True)
                rows.append(row)
        except Exception as exc:  # a failed benchmark is reported, the others still run
            traceback.print_exc()
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
        loads.append((name, start, os.getloadavg()))
    args.out.write_text(render(rows, failures, args.accounts, loads))
    print(f"wrote {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
