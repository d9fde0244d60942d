"""`followaudit build`: validate a data folder and build a workspace."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from followaudit.cli.errors import UsageError
from followaudit.pipeline.build import build_workspace
from followaudit.pipeline.options import ENGINES, PACKS, BuildOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `build`."""
    parser.add_argument(
        "--data",
        required=True,
        help="data folder (CSV/Parquet per table); with --engine spark also a URI (s3a://, hdfs://)",
    )
    parser.add_argument(
        "--workspace", required=True, type=Path, help="workspace file (.duckdb) to (re)write"
    )
    parser.add_argument(
        "--engine", choices=ENGINES, default="duckdb", help="where the build runs (default duckdb)"
    )
    parser.add_argument(
        "--spark-master",
        default="local[2]",
        help="Spark master for --engine spark: local[2], spark://host:7077, yarn",
    )
    parser.add_argument(
        "--spark-remote",
        default=None,
        metavar="sc://HOST:15002",
        help="Spark Connect server: the CLI is a thin client, the code ships as a wheel",
    )
    parser.add_argument(
        "--derived",
        default=None,
        metavar="DIR_OR_URI",
        help="where --engine spark writes derived Parquet (default W.d/derived/)",
    )
    parser.add_argument(
        "--pack",
        choices=PACKS,
        default="full",
        help="full: every table in the workspace; summary: what the pages need, for platform data",
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


def _options(args: argparse.Namespace) -> BuildOptions:
    engine = "spark" if args.spark_remote else args.engine
    try:
        return BuildOptions(engine, args.spark_master, args.spark_remote, args.derived, args.pack)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def run(args: argparse.Namespace) -> int:
    """Build a workspace with a progress bar; bad data or a busy workspace exits 2 (cli.main)."""
    bar = _Bar()
    try:
        report = build_workspace(
            args.data,
            args.workspace,
            bar,
            _options(args),
            wait=args.wait,
            notice=lambda m: print(m, file=sys.stderr),
        )
    finally:
        bar.close()
    for step, seconds in report.steps:
        print(f"{step:<22} {seconds:7.2f} s")
    print(f"built {report.path} (model: {report.model_source})")
    return 0
