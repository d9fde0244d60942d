"""Issue 13 figures: the build on Spark local[2] against DuckDB, per step, at 20k and 100k accounts.

Each build runs as its own `followaudit build` process; peak memory is the whole process tree's
(driver, JVM and Python workers summed), sampled every 0.2 s. Step times are the CLI's own.
The default (one build per engine at 20k and at 100k accounts, about 10 minutes on 2 quiet
cores) fits `make bench`. The full issue-13 run adds 1M accounts (the 1M world of bench_generate;
a Spark local[2] build of it takes well over half an hour here):
`BENCH_ENGINE_SIZES=20000,100000,1000000 python -m benchmarks.run --only engines`.
`BENCH_ENGINE_RUNS=3` repeats each build (the median is reported).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.context import BENCH_DATA

SIZES = (20_000, 100_000)  # + 1_000_000 with BENCH_ENGINE_SIZES (see above)
RUNS = 1
ENGINES = ("duckdb", "spark")


def run(ctx) -> list[dict]:
    """Per size and engine: total and per-step medians, and the peak process-tree RSS."""
    rows = []
    for accounts in _sizes():
        world = _world(ctx, accounts)
        for engine in ENGINES:
            results = [_build(ctx, world, engine) for _ in range(_runs(accounts))]
            rows += _rows(accounts, engine, results)
    return rows


def _runs(accounts: int) -> int:
    chosen = os.environ.get("BENCH_ENGINE_RUNS")
    return int(chosen) if chosen else RUNS


def _sizes() -> tuple[int, ...]:
    chosen = os.environ.get("BENCH_ENGINE_SIZES")
    return tuple(int(s) for s in chosen.split(",")) if chosen else SIZES


def _world(ctx, accounts: int) -> Path:
    if accounts == ctx.accounts and ctx.world_dir.exists():
        return ctx.world_dir
    folder = BENCH_DATA / f"world_{accounts}"
    if not (folder / "accounts.parquet").exists():
        cmd = ctx.followaudit("generate", "--out", str(folder), "--accounts", str(accounts))
        subprocess.run(cmd, check=True, capture_output=True)
    return folder


def _build(ctx, world: Path, engine: str) -> dict:
    out = BENCH_DATA / f"engines_{engine}.duckdb"
    shutil.rmtree(out.with_name(out.stem + ".d"), ignore_errors=True)
    cmd = ctx.followaudit(
        "build", "--engine", engine, "--data", str(world), "--workspace", str(out)
    )
    return measure_tree(cmd)


def measure_tree(cmd: list[str]) -> dict:
    """Run `cmd`; its wall time, stdout, and the peak RSS of its whole process tree (MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:  # a 40-minute build that fails must say why, not just its code
        said = "\n".join((stdout + stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{cmd} exited {proc.returncode}:\n{said}")
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak[0], "stdout": stdout}


def _tree_rss_mb(root: int) -> float:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    tree, frontier = {root}, [root]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier and p not in tree]
        tree.update(children)
        frontier = children
    return sum(rss.get(p, 0) for p in tree) / 2**20


def _steps(stdout: str) -> dict[str, float]:
    steps = {}
    for line in stdout.splitlines():
        head, _, tail = line.rpartition("  ")
        if line.endswith(" s") and head.strip():
            try:
                steps[head.strip()] = float(tail.strip().removesuffix(" s"))
            except ValueError:
                continue
    return steps


def _rows(accounts: int, engine: str, results: list[dict]) -> list[dict]:
    runs = len(results)
    size = f"{accounts:,} accounts"
    rows = [
        {
            "area": "engines",
            "measure": f"build --engine {engine}, {size} (total)",
            "median_s": statistics.median(r["seconds"] for r in results),
            "target": "",
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            "runs": runs,
            "note": "peak RSS: whole process tree (driver + JVM + Python workers)",
        }
    ]
    per_step = [_steps(r["stdout"]) for r in results]
    for step in per_step[0]:
        rows.append(
            {
                "area": "engines",
                "measure": f"{engine} step: {step}, {size}",
                "median_s": statistics.median(s.get(step, float("nan")) for s in per_step),
                "runs": runs,
            }
        )
    return rows


if __name__ == "__main__":  # pragma: no cover - manual use
    print(measure_tree(sys.argv[1:]))
