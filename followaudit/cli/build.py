"""`followaudit build`: validate a data folder and build a workspace."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from followaudit.pipeline.build import build_workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `build`."""
    parser.add_argument(
        "--data", required=True, type=Path, help="data folder (CSV/Parquet per table)"
    )
    parser.add_argument(
        "--workspace", required=True, type=Path, help="workspace file (.duckdb) to (re)write"
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="if another build is writing this workspace, wait for it instead of exiting",
    )


class _Bar:
    """A progress bar that appears with the first step, so a refused build prints only its error."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, step: str, fraction: float) -> None:
        if self.bar is None:
            self.bar = tqdm(total=100, unit="%", desc="build", file=sys.stderr)
        self.bar.set_description(step)
        self.bar.update(round(fraction * 100) - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run(args: argparse.Namespace) -> int:
    """Build a workspace with a progress bar; bad data or a busy workspace exits 2 (cli.main)."""
    bar = _Bar()
    try:
        report = build_workspace(
            args.data,
            args.workspace,
            bar,
            wait=args.wait,
            notice=lambda m: print(m, file=sys.stderr),
        )
    finally:
        bar.close()
    for step, seconds in report.steps:
        print(f"{step:<22} {seconds:7.2f} s")
    print(f"built {report.path} (model: {report.model_source})")
    return 0
