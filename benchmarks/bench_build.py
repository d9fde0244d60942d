"""Issue 2 figures: `followaudit build` of the large world, and the daily-gains query."""

from __future__ import annotations

import statistics

from followaudit.pipeline.steps import BESIDE
from followaudit.store.workspace import Workspace, run_query

BUILD_RUNS = 3  # a 1M build varies by a few seconds from run to run on this machine


def run(ctx) -> list[dict]:
    """Build the large workspace BUILD_RUNS times (median wall time and per-step times, the
    highest peak RSS) and time the daily-gains query on the last build."""
    if not ctx.world_dir.exists():
        raise RuntimeError(f"{ctx.world_dir} missing: run bench_generate first")
    builds = []
    for _ in range(BUILD_RUNS):
        ctx.workspace.unlink(missing_ok=True)
        cmd = ("build", "--data", str(ctx.world_dir), "--workspace", str(ctx.workspace))
        builds.append(ctx.run_measured(ctx.followaudit(*cmd)))
    seconds = [built["seconds"] for built in builds]
    rows = [
        {
            "area": "foundation",
            "measure": f"build, {ctx.accounts:,} accounts (validate, load, features, train, SHAP, spikes)",
            "median_s": statistics.median(seconds),
            "target": "< 180 s, < 6 GB",
            "peak_rss_mb": max(built["peak_rss_mb"] for built in builds),
            "runs": len(builds),
            "note": "runs: " + ", ".join(f"{s:.1f} s" for s in seconds),
        }
    ]
    rows += median_steps([_step_rows(built["stdout"]) for built in builds])
    ws = Workspace.open(ctx.workspace)
    try:
        # As the app and the build run it: into Polars (zero-copy), not into Python tuples.
        seconds = ctx.median(lambda: run_query(ws.con, "growth/creator_daily"), runs=5)
        follows = ws.con.execute("select count(*) from follows").fetchone()[0]
    finally:
        ws.close()
    rows.append(
        {
            "area": "foundation",
            "measure": f"daily-gains query over {follows:,} follows (growth/creator_daily -> Polars)",
            "median_s": seconds,
            "target": "< 3 s",
            "runs": 5,
        }
    )
    return rows


def median_steps(runs: list[list[dict]]) -> list[dict]:
    """Each step's median over the builds (steps in the first build's order)."""
    times: dict[str, list[float]] = {}
    for rows in runs:
        for row in rows:
            times.setdefault(row["measure"], []).append(row["median_s"])
    return [
        row
        | {"median_s": statistics.median(times[row["measure"]]), "runs": len(times[row["measure"]])}
        for row in runs[0]
    ]


def _step_rows(stdout: str) -> list[dict]:
    """One row per build step, parsed from the CLI's `<step>  <seconds> s` lines (the
    explanations step runs beside growth spikes and audience quality: its time overlaps theirs,
    so the steps add up to more than the build)."""
    rows = []
    for line in stdout.splitlines():
        head, _, tail = line.rpartition("  ")
        if line.endswith(" s") and head.strip():
            try:
                seconds = float(tail.strip().removesuffix(" s"))
            except ValueError:
                continue
            step = head.strip()
            rows.append(
                {
                    "area": "foundation",
                    "measure": f"build step: {step}",
                    "median_s": seconds,
                    "runs": 1,
                    "note": "beside growth spikes and audience quality" if step in BESIDE else "",
                }
            )
    return rows
