"""`followaudit spikes`: print the follower-growth spikes of a workspace."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from followaudit.cli.hints import build_command
from followaudit.growth.spikes import SPIKE_SUMMARY, list_spikes
from followaudit.store.workspace import Workspace

JSON_FIELDS = SPIKE_SUMMARY


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `spikes`."""
    parser.add_argument("--workspace", required=True, type=Path, help="built workspace file")
    parser.add_argument("--creator", type=int, default=None, help="only this creator id")
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def spikes_json(spikes: pl.DataFrame) -> list[dict]:
    """The CLI's JSON objects: ISO dates, plain numbers."""
    rows = spikes.select(JSON_FIELDS).with_columns(
        pl.col("start").cast(pl.String), pl.col("end").cast(pl.String)
    )
    return rows.to_dicts()


def run(args: argparse.Namespace) -> int:
    """Print the workspace's spikes as a table or JSON; a bad workspace exits 2."""
    ws = Workspace.open(args.workspace)  # a bad workspace: run_guarded says why and exits 2
    try:
        if not ws.has_table("spikes"):
            hint = build_command(ws.meta().get("data_dir"), args.workspace)
            print(
                f"error: {args.workspace} has no spikes table; rebuild it with `{hint}`",
                file=sys.stderr,
            )
            return 2
        spikes = list_spikes(ws, creator_id=args.creator)
    finally:
        ws.close()
    if args.json:
        print(json.dumps(spikes_json(spikes), indent=2))
        return 0
    with pl.Config(tbl_rows=200, tbl_cols=12, tbl_width_chars=160):
        print(spikes.select(JSON_FIELDS + ["kind"]))
    return 0
