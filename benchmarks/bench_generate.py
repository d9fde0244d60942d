"""Issue 2 figures: generating the large world (time, peak RSS, follows written) and the sample world."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq


def _generate(ctx, out: Path, accounts: int) -> tuple[dict, dict]:
    """Run `followaudit generate` in a child process; return its measurement and summary line."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = ctx.followaudit("generate", "--out", str(out), "--accounts", str(accounts), "--seed", "7")
    measured = ctx.run_measured(cmd)
    return measured, json.loads(measured["stdout"].strip().splitlines()[-1])


REUSE = "BENCH_REUSE_WORLD"  # =1: keep an existing large world (same seed and size) untimed


def run(ctx) -> list[dict]:
    """Write the large world into ctx.world_dir (reused by later benches) and time a sample world."""
    rows = [_large_world_row(ctx)]
    with tempfile.TemporaryDirectory() as tmp:
        small, _ = _generate(ctx, Path(tmp) / "sample", 50_000)
    rows.append(
        {
            "area": "foundation",
            "measure": "generate the 50,000-account sample world",
            "median_s": small["seconds"],
            "target": "-",
            "peak_rss_mb": small["peak_rss_mb"],
            "runs": 1,
        }
    )
    return rows


def _large_world_row(ctx) -> dict:
    reused = os.environ.get(REUSE) == "1" and (ctx.world_dir / "follows.parquet").exists()
    if not reused:
        big, summary = _generate(ctx, ctx.world_dir, ctx.accounts)
    follows = pq.ParquetFile(ctx.world_dir / "follows.parquet").metadata.num_rows
    size_mb = sum(p.stat().st_size for p in ctx.world_dir.iterdir()) / 2**20
    row = {
        "area": "foundation",
        "measure": f"generate {ctx.accounts:,} accounts -> {follows:,} follows ({size_mb:,.0f} MB Parquet)",
        "target": "minutes, >= 40M follows, < 8 GB",
        "runs": 1,
    }
    if reused:
        return row | {"value": "not timed", "runs": 0, "note": f"{REUSE}=1: the existing world"}
    note = f"{summary['fakes']:,} fakes, {summary['campaigns']:,} campaigns"
    return row | {"median_s": big["seconds"], "peak_rss_mb": big["peak_rss_mb"], "note": note}
