"""Issue 15 figures: the import wizard on a 10,000-row account table (profile fields only, as a
platform exports them) — profile + guesses, preview, and `import` + `build` from the command line."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from followaudit.data import suggest
from followaudit.data.mapping_file import Mapping, mapping_toml
from followaudit.data.preview import preview_import
from followaudit.data.source_table import profile_table
from followaudit.store.workspace import PROJECT_ROOT
from followaudit.synth.platform_export import export_frame

ROWS = 10_000


def export_csv(folder: Path, rows: int = ROWS) -> Path:
    """`rows` sample-world accounts with platform-style column names, epoch times and 0/1 flags."""
    path = folder / "profiles.csv"
    export_frame(PROJECT_ROOT / "sample_data", rows, labels=False).write_csv(path)
    return path


def _guess(path: Path) -> Mapping:
    table = profile_table(path)
    return Mapping(table.format, columns=suggest.suggest_columns(table))


def _cpu_and_wall(fn, runs: int = 5) -> tuple[float, float]:
    """Median wall and CPU seconds of `fn()` (CPU: this process, every thread)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return sorted(walls)[runs // 2], sorted(cpus)[runs // 2]


def run(ctx) -> list[dict]:
    """Wizard steps in process (median of 5), then import + build as two commands."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = export_csv(tmp)
        mapping = _guess(path)
        guess_wall, guess_cpu = _cpu_and_wall(lambda: _guess(path))
        preview_wall, preview_cpu = _cpu_and_wall(lambda: preview_import(path, mapping))
        (tmp / "map.toml").write_text(mapping_toml(mapping))
        imported = ctx.run_measured(
            ctx.followaudit("import", "--accounts", str(path), "--mapping",
                            str(tmp / "map.toml"), "--out", str(tmp / "data"))
        )  # fmt: skip
        built = ctx.run_measured(
            ctx.followaudit(
                "build", "--data", str(tmp / "data"), "--workspace", str(tmp / "w.duckdb")
            )
        )
    area, table = "import wizard", f"{ROWS:,}-row profile table (CSV, 13 columns)"
    return [
        {"area": area, "measure": f"read, profile every column and guess the mapping, {table}",
         "median_s": guess_wall, "target": "< 1 s", "runs": 5,
         "note": f"CPU {guess_cpu:.2f} s (all threads)"},
        {"area": area, "measure": f"preview: map and check every row, {table}",
         "median_s": preview_wall, "target": "< 1 s", "runs": 5,
         "note": f"CPU {preview_cpu:.2f} s (all threads)"},
        {"area": area, "measure": f"`followaudit import` of the wizard's mapping, {table}",
         "median_s": imported["seconds"], "peak_rss_mb": imported["peak_rss_mb"], "runs": 1},
        {"area": area, "measure": f"`followaudit build` of the imported folder, {ROWS:,} accounts",
         "median_s": built["seconds"], "peak_rss_mb": built["peak_rss_mb"], "runs": 1,
         "note": "profile-only: no follows, engagement or labels; shipped default model"},
    ]  # fmt: skip
