"""`followaudit build`: validate a data folder and build a workspace."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from followaudit.data.validate import ValidationError
from followaudit.pipeline.build import build_workspace
from followaudit.store.workspace import WorkspaceError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `build`."""
    parser.add_argument(
        "--data", required=True, type=Path, help="data folder (CSV/Parquet per table)"
    )
    parser.add_argument("--workspace", required=True, type=Path, help="workspace file to (re)write")


def run(args: argparse.Namespace) -> int:
    """Build a workspace with a progress bar; bad data prints every problem and exits 2."""
    bar = tqdm(total=100, unit="%", desc="build", file=sys.stderr)

    def progress(step: str, fraction: float) -> None:
        bar.set_description(step)
        bar.update(round(fraction * 100) - bar.n)

    try:
        report = build_workspace(args.data, args.workspace, progress)
    except ValidationError as exc:
        bar.close()
        print(exc.report(), file=sys.stderr)
        return 2
    except WorkspaceError as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bar.close()
    for step, seconds in report.steps:
        print(f"{step:<22} {seconds:7.2f} s")
    print(f"built {report.path} (model: {report.model_source})")
    return 0
