"""What every benchmark gets: the large world, its workspace, the sample workspace, timing helpers."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / "bench_data"

_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)
code = proc.returncode
elapsed = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "seconds": elapsed, "peak_rss_mb": peak_kb / 1024, "stdout": proc.stdout}))
"""


@dataclass
class Context:
    """Paths and helpers handed to each benchmark's `run(ctx)`."""

    world_dir: Path
    workspace: Path
    sample_workspace: Path
    accounts: int

    @staticmethod
    def median(fn: Callable[[], object], runs: int = 3) -> float:
        """Median wall time of `fn()` over `runs` runs, in seconds."""
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    @staticmethod
    def run_measured(cmd: list[str]) -> dict:
        """Run a command in a child process; return its wall time, peak RSS (MB) and stdout."""
        out = subprocess.run(
            [sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if result["code"] != 0:
            raise RuntimeError(f"{cmd} exited {result['code']}")
        return result

    @staticmethod
    def followaudit(*args: str) -> list[str]:
        """The command line of the `followaudit` CLI in this interpreter."""
        return [sys.executable, "-m", "followaudit.cli", *args]
