"""Issue 12 figure: the whole fuzz suite (1,000 derandomised cases: CLI and upload page), timed as
`make test` runs it, in its own pytest process."""

from __future__ import annotations

import re
import subprocess
import sys
import time

from benchmarks.context import ROOT

FILES = ["tests/test_fuzz_cli.py", "tests/test_fuzz_upload.py"]


def run(ctx) -> list[dict]:
    """Wall time of one pytest run of the fuzz files; the run must pass."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FILES]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"fuzz tests failed:\n{done.stdout[-2000:]}")
    passed = re.search(r"(\d+) passed", done.stdout)
    return [
        {
            "area": "hardening",
            "measure": f"all fuzz tests (`pytest {' '.join(FILES)}`): 1,000 derandomised cases, "
            "850 CLI + 150 upload page",
            "median_s": seconds,
            "target": "< 60 s",
            "runs": 1,
            "note": f"{passed.group(1) if passed else '?'} tests passed; pytest start-up included",
        }
    ]
