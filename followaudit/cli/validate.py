"""`followaudit validate`: check a data folder and print every problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from followaudit.data.validate import ValidationError, validate_folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `validate`."""
    parser.add_argument("--data", required=True, type=Path, help="data folder to check")


def run(args: argparse.Namespace) -> int:
    """Print the validation report; exit 2 when there are problems."""
    problems = validate_folder(args.data)
    if problems:
        print(ValidationError(problems).report())
        return 2
    print(f"{args.data}: no problems found")
    return 0
