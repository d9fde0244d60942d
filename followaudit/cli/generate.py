"""`followaudit generate`: a synthetic world with ground truth."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from followaudit.cli.values import seed
from followaudit.synth import WorldConfig, generate_world


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `generate`."""
    parser.add_argument("--out", required=True, type=Path, help="data folder to write (Parquet)")
    parser.add_argument(
        "--seed", type=seed, default=7, help="random seed (same seed -> same files)"
    )
    parser.add_argument("--accounts", type=int, default=50_000, help="number of accounts")
    parser.add_argument(
        "--creators", type=int, default=None, help="number of creators (default 0.6%% of accounts)"
    )
    parser.add_argument(
        "--days", type=int, default=180, help="length of the window ending 2026-09-30"
    )


def run(args: argparse.Namespace) -> int:
    """Generate a world; bad sizes print a plain message and exit 2."""
    cfg = WorldConfig(
        seed=args.seed, accounts=args.accounts, creators=args.creators, days=args.days
    )
    problem = _check(cfg)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        summary = generate_world(args.out, cfg)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary))
    return 0


def _check(cfg: WorldConfig) -> str | None:
    """A plain message for sizes the generator cannot honour, else None."""
    # Upper bounds keep the packed int64 sort keys (pair, time) from overflowing.
    if not 28 <= cfg.days <= 3650:
        return f"--days must be between 28 and 3650 (got {cfg.days})"
    if cfg.n_creators < 5:
        return f"--creators must be at least 5 (got {cfg.n_creators})"
    if cfg.accounts < 20 * cfg.n_creators or cfg.accounts < 1000:
        return f"--accounts must be at least 1000 and 20 x creators (got {cfg.accounts} for {cfg.n_creators} creators)"
    if cfg.accounts > 5_000_000:
        return f"--accounts must be at most 5,000,000 (got {cfg.accounts})"
    return None
