"""`followaudit generate`: a synthetic world with ground truth."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from followaudit.cli.values import seed
from followaudit.synth import WorldConfig, generate_world, offset_ids


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
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KNOB=VALUE",
        help="any other WorldConfig knob (docs/generator.md), e.g. --set new_user_share=0.35",
    )
    parser.add_argument(
        "--id-offset",
        type=int,
        default=0,
        help="add this to every account id (1500000000000000000 gives platform-size 19-digit ids)",
    )


def run(args: argparse.Namespace) -> int:
    """Generate a world; bad sizes print a plain message and exit 2."""
    try:
        knobs = _knobs(args.set)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cfg = WorldConfig(
        seed=args.seed, accounts=args.accounts, creators=args.creators, days=args.days, **knobs
    )
    problem = _check(cfg) or _check_offset(args.id_offset, cfg)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        summary = generate_world(args.out, cfg)
        if args.id_offset:
            offset_ids(args.out, args.id_offset)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary))
    return 0


SIZE_KNOBS = {"seed", "accounts", "creators", "days", "chunk_accounts"}


def _knobs(settings: list[str]) -> dict:
    """`--set name=value` pairs as typed WorldConfig keyword arguments."""
    fields = {f.name: f for f in dataclasses.fields(WorldConfig) if f.name not in SIZE_KNOBS}
    out = {}
    for item in settings:
        name, sep, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in fields:
            known = ", ".join(sorted(fields))
            raise ValueError(f"--set {item!r}: expected KNOB=VALUE with KNOB one of {known}")
        kind = int if fields[name].type in ("int", int) else float
        try:
            out[name] = kind(text)
        except ValueError:
            raise ValueError(f"--set {item!r}: {text!r} is not a number") from None
        if out[name] < 0:
            raise ValueError(f"--set {item!r}: must not be negative")
    return out


def _check_offset(offset: int, cfg: WorldConfig) -> str | None:
    """A plain message for an id offset that is negative or would overflow BIGINT ids."""
    if not 0 <= offset <= 2**63 - 1 - cfg.accounts:
        return f"--id-offset must be between 0 and 2^63 - 1 - accounts (got {offset})"
    return None


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
    shares = {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg) if "share" in f.name}
    for name, value in shares.items():
        if value > 1:
            return f"--set {name} is a share: it must be between 0 and 1 (got {value})"
    for group in (STOCK_SHARES, DELIVERY_SHARES):
        if sum(shares[n] for n in group) > 1:
            return f"--set {' + '.join(group)} must add up to at most 1"
    return None


STOCK_SHARES = ("camouflaged_share", "premium_share", "slow_share", "single_target_share")
DELIVERY_SHARES = ("drip_share", "bundled_share", "viral_cover_share")
