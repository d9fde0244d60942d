"""`followaudit import`: map an external account table to a canonical data folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from followaudit.cli.hints import build_command, workspace_beside
from followaudit.cli.values import folder_to_write
from followaudit.data.importing import write_folder
from followaudit.data.mapping_file import load_mapping
from followaudit.data.sources import literal
from followaudit.data.validate import ValidationError, validate_folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `import`."""
    parser.add_argument(
        "--accounts", required=True, type=Path, help="account table (CSV, JSON or Parquet)"
    )
    parser.add_argument(
        "--mapping", required=True, type=Path, help="mapping TOML (see examples/mappings/)"
    )
    parser.add_argument("--out", required=True, type=Path, help="data folder to write")


def run(args: argparse.Namespace) -> int:
    """Map the table, write the data folder, validate it; errors exit 2 (cli.main)."""
    folder_to_write(args.out, "--out")
    out = write_folder(args.accounts, load_mapping(args.mapping), args.out)
    problems = validate_folder(out)
    if problems:
        print(ValidationError(problems).report(), file=sys.stderr)
        return 2
    rows = duckdb.sql(
        f"select count(*) from read_parquet({literal(str(out / 'accounts.parquet'))})"
    )
    hint = build_command(out, workspace_beside(out))
    print(f"wrote {out} ({rows.fetchall()[0][0]} accounts); build it with `{hint}`")
    return 0
