"""Issue 2 §1 figures: validating the large world's data folder, and importing a mapped table."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from followaudit.store.workspace import PROJECT_ROOT

TIKTOK = Path("/work/shared/datasets/tiktok_aurucci/tiktok_accounts.csv")
LOAD = (
    "import sys, duckdb; from followaudit.data.load import load_folder; "
    "con = duckdb.connect(sys.argv[2]); load_folder(con, sys.argv[1]); con.execute('checkpoint')"
)


def run(ctx) -> list[dict]:
    """`followaudit validate` on the large world (every check, all files) and `import` of a real set."""
    if not ctx.world_dir.exists():
        raise RuntimeError(f"{ctx.world_dir} missing: run bench_generate first")
    checked = ctx.run_measured(ctx.followaudit("validate", "--data", str(ctx.world_dir)))
    rows = [
        {
            "area": "foundation",
            "measure": f"validate every table, {ctx.accounts:,} accounts (types, ranges, keys, references)",
            "median_s": checked["seconds"],
            "target": "< 30 s",
            "peak_rss_mb": checked["peak_rss_mb"],
            "runs": 1,
        }
    ]
    with tempfile.TemporaryDirectory() as tmp:
        loaded = ctx.run_measured(
            [sys.executable, "-c", LOAD, str(ctx.world_dir), f"{tmp}/load.duckdb"]
        )
    rows.append(
        {
            "area": "foundation",
            "measure": f"validate + load every table into a workspace file, {ctx.accounts:,} accounts",
            "median_s": loaded["seconds"],
            "target": "< 60 s",
            "peak_rss_mb": loaded["peak_rss_mb"],
            "runs": 1,
        }
    )
    if TIKTOK.exists():
        mapping = PROJECT_ROOT / "examples" / "mappings" / "tiktok_aurucci.toml"
        with tempfile.TemporaryDirectory() as out:
            cmd = ctx.followaudit(
                "import", "--accounts", str(TIKTOK), "--mapping", str(mapping), "--out", out
            )
            imported = ctx.run_measured(cmd)
        rows.append(
            {
                "area": "foundation",
                "measure": "import + validate 10,043 TikTok accounts through a mapping",
                "median_s": imported["seconds"],
                "target": "< 5 s",
                "peak_rss_mb": imported["peak_rss_mb"],
                "runs": 1,
            }
        )
    return rows
