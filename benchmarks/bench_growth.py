"""Issue 4 figures: all spikes at 1M accounts, one creator's chart data, cohorts, ground truth."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from followaudit.growth import baseline, cohorts
from followaudit.growth import evaluate as growth_eval
from followaudit.growth import spikes as growth
from followaudit.store.workspace import Workspace, run_query

COHORT_FOLLOWERS = 1_000_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(ctx) -> list[dict]:
    """Spike build and detection, page queries, 1M-follower cohorts, sample-world evaluation."""
    rows = []
    if Path(ctx.workspace).exists():
        rows += workspace_rows(ctx, Path(ctx.workspace), f"{ctx.accounts:,} accounts")
    rows += cohort_rows(ctx)
    if Path(ctx.sample_workspace).exists():
        rows += evaluation_rows(Path(ctx.sample_workspace))
    return rows


def workspace_rows(ctx, path: Path, label: str) -> list[dict]:
    """Time detection (read-only), the whole build step (on a copy) and the page queries."""
    ws = Workspace.open(path)
    try:
        follows = ws.con.execute("select count(*) from follows").fetchone()[0]
        detect = ctx.median(lambda: _detect_all(ws.con), runs=3)
        rows = [_row(f"all spikes, all creators ({label}, {follows:,} follows)", detect, "< 30 s")]
        rows += _page_rows(ctx, ws, label)
    finally:
        ws.close()
    seconds = _build_on_copy(path)
    rows.append(_row(f"build step growth.build_growth ({label})", seconds, "< 30 s", runs=1))
    return rows


def _detect_all(con) -> pl.DataFrame:
    """The read-only part of the build: daily series with quality, expected gain, spikes."""
    return growth.spikes_from_expected(
        baseline.expected_gain(run_query(con, "growth/daily_series"))
    )


def _page_rows(ctx, ws: Workspace, label: str) -> list[dict]:
    """One creator's chart data, a spike's followers, creator search: what the Growth page runs."""
    creator = ws.con.execute(
        "select creator_id from creator_daily_expected group by 1 order by count(*) desc,"
        " sum(new_follows) desc limit 1"
    ).fetchone()[0]
    spike = ws.con.execute(
        "select spike_id from spikes order by followers_gained desc limit 1"
    ).fetchone()
    rows = [
        _row(
            f"one creator's chart data ({label})",
            ctx.median(lambda: growth.creator_series(ws.con, creator), runs=20),
            "< 0.1 s",
            runs=20,
        ),
        _row(
            f"creator search, most suspicious first ({label})",
            ctx.median(lambda: growth.creator_search(ws.con, "a", 50), runs=20),
            "< 0.3 s",
            runs=20,
        ),
    ]
    if spike:
        seconds = ctx.median(lambda: growth.spike_followers(ws.con, spike[0]), runs=20)
        rows.append(_row(f"largest spike's followers ({label})", seconds, "< 0.3 s", runs=20))
    return rows


def _build_on_copy(path: Path) -> float:
    """build_growth rewrites tables, so it runs on a temporary copy of the workspace."""
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        con = duckdb.connect(str(copy))
        try:
            started = time.perf_counter()
            growth.build_growth(con)
            return time.perf_counter() - started
        finally:
            con.close()


def cohort_rows(ctx) -> list[dict]:
    """Load, Meeder bounds and sliding histogram for 1M-follower lists (CSV and JSON)."""
    rows = []
    frame = _planted_list(COHORT_FOLLOWERS)
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in ("csv", "json"):
            path = Path(tmp) / f"followers.{suffix}"
            _write_list(frame, path)

            def analyse(path=path):
                timed = cohorts.estimate_follow_times(cohorts.load_follower_list(path))
                return cohorts.sliding_histogram(timed)

            seconds = ctx.median(analyse, runs=3)
            found = analyse()[1].height
            rows.append(
                _row(
                    f"cohorts: {COHORT_FOLLOWERS:,}-follower {suffix.upper()}, load + bounds +"
                    f" sliding histogram ({found} planted cohort found)",
                    seconds,
                    "< 5 s",
                )
            )
        rows.append(_cohorts_cli_row(ctx, Path(tmp) / "followers.csv"))
    return rows


def _cohorts_cli_row(ctx, followers: Path) -> dict:
    """The whole `followaudit cohorts --json` command (interpreter start to the last byte of the
    document, every follower's follow time included), stdout into a file as a user redirects it."""
    command = ctx.followaudit("cohorts", "--followers", str(followers), "--json")

    def cli():
        with open(os.devnull, "w") as sink:
            subprocess.run(command, stdout=sink, check=True)

    seconds = ctx.median(cli, runs=5)
    measure = f"`followaudit cohorts --json`, {COHORT_FOLLOWERS:,}-follower CSV (whole command)"
    return _row(measure, seconds, "≤ 1.5 s", runs=5)


def _write_list(frame: pl.DataFrame, path: Path) -> None:
    if path.suffix == ".csv":
        frame.write_csv(path)
        return
    entries = zip(frame["follower_id"], frame["rank"], frame["timestamp"], strict=True)
    path.write_text(
        json.dumps({fid: {"rank": rank, "timestamp": int(ts)} for fid, rank, ts in entries})
    )


def _planted_list(n: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    follow = np.sort(rng.uniform(0, 3000, n))
    created = follow - rng.exponential(600, n)
    start = n // 2
    created[start : start + 5000] = follow[start] - 400 + rng.uniform(0, 2, 5000)
    return pl.DataFrame(
        {
            "follower_id": np.arange(n).astype(str),
            "rank": np.arange(n),
            "timestamp": 1.4e9 + created * 86400,
        }
    )


def evaluation_rows(sample_workspace: Path) -> list[dict]:
    """Campaign recall, benign-event false alarms and spike precision on the sample world."""
    ws = Workspace.open(sample_workspace)
    try:
        result = growth_eval.evaluate_spikes(ws)
    except ValueError as exc:
        return [{"area": "growth", "measure": "ground-truth evaluation", "value": str(exc)}]
    finally:
        ws.close()
    targets = {"campaign_recall": "≥ 90 %", "event_false_alarms": "≤ 5 %"}
    rows = []
    for measure in ("campaign_recall", "event_false_alarms", "spike_precision"):
        for group, stats in result[measure].items():
            rate = "—" if stats["rate"] is None else f"{stats['rate']:.1%}"
            rows.append(
                {
                    "area": "growth",
                    "measure": f"sample world: {measure.replace('_', ' ')}, {group}",
                    "value": f"{rate} ({stats['hits']}/{stats['n']})",
                    "target": targets.get(measure, ""),
                }
            )
    return rows


def _row(measure: str, seconds: float, target: str, runs: int = 3) -> dict:
    return {
        "area": "growth",
        "measure": measure,
        "median_s": seconds,
        "target": target,
        "peak_rss_mb": round(_rss_mb(), 1),
        "runs": runs,
    }
