"""`followaudit decide`: what a policy does to every account of a workspace.

Prints `{policy, version, threshold, accounts, flagged, tiers: {review, remove, suspend},
labelled: {tp, fp, fn, tn}, creators_losing: {"5", "10", "25"}, purge_followers}` (`--json`) or
the same as text; `--out` writes one row per account: `account_id, risk, flagged, tier`.
Labels are the workspace's labels table overridden by the review queue's current labels
('unsure' leaves an account out), exactly as the app counts them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from followaudit.decide.decisions import Decisions, decide
from followaudit.decide.inputs import load_inputs
from followaudit.decide.policy import Policy, PolicyError
from followaudit.decide.policy_store import PolicyStore, parse_reference
from followaudit.decide.risk import risk_text
from followaudit.store.analyst import AnalystStore
from followaudit.store.workspace import Workspace

OUT_SCHEMA = {"account_id": pl.Int64, "risk": pl.Float64, "flagged": pl.Boolean, "tier": pl.String}


class DecideError(ValueError):
    """Bad input to `decide`; the message says which argument and what was expected."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `decide`."""
    parser.add_argument("--workspace", required=True, type=Path, help="built workspace file")
    parser.add_argument(
        "--policy",
        metavar="NAME[@vN]",
        help="a saved policy (latest version, or version N) or a preset; default: the active one",
    )
    line = parser.add_mutually_exclusive_group()
    line.add_argument("--threshold", type=float, metavar="T", help="flag at risk >= T (0..1)")
    line.add_argument(
        "--top-percent", type=float, metavar="X", help="flag the top X %% of accounts by risk"
    )
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write account_id, risk, flagged, tier (Parquet)"
    )


def choose_policy(store: PolicyStore, reference: str | None, args) -> Policy:
    """The named (or active) policy with the command line's threshold applied."""
    policy = store.active() if reference is None else store.load(*parse_reference(reference))
    if args.threshold is not None:
        if not 0.0 <= args.threshold <= 1.0:
            raise DecideError(
                f"--threshold {args.threshold:g}: risk is a probability, expected 0..1"
            )
        return policy.with_changes(threshold=args.threshold, top_percent=None)
    if args.top_percent is not None:
        if not 0.0 < args.top_percent <= 100.0:
            raise DecideError(
                f"--top-percent {args.top_percent:g}: expected more than 0, up to 100"
            )
        return policy.with_changes(top_percent=args.top_percent)
    return policy


def reviewed_labels(ws: Workspace) -> pl.DataFrame | None:
    """The review queue's current labels, when the workspace has an analyst store."""
    if not (ws.sidecar / "analyst.sqlite").exists():
        return None
    return AnalystStore(ws.sidecar).current_labels()


def write_out(decisions: Decisions, path: Path) -> None:
    """One row per account: account_id (64-bit), risk, flagged, tier."""
    frame = decisions.frame().select(list(OUT_SCHEMA)).cast(OUT_SCHEMA)
    try:
        frame.write_parquet(path)
    except OSError as exc:
        raise DecideError(f"--out {path}: cannot write ({exc.strerror or exc})") from exc


def format_text(summary: dict) -> str:
    """The summary as aligned text."""
    lab, tiers, losing = summary["labelled"], summary["tiers"], summary["creators_losing"]
    version = f" v{summary['version']}" if summary["version"] else ""
    return "\n".join(
        [
            f"policy {summary['policy']}{version}: flag at risk >= {risk_text(summary['threshold'])}",
            f"flagged {summary['flagged']:,} of {summary['accounts']:,} accounts "
            f"(review {tiers['review']:,}, remove {tiers['remove']:,}, suspend {tiers['suspend']:,})",
            f"labelled: tp {lab['tp']:,}  fp {lab['fp']:,}  fn {lab['fn']:,}  tn {lab['tn']:,}",
            "creators losing > 5 / 10 / 25 % of followers: "
            f"{losing['5']:,} / {losing['10']:,} / {losing['25']:,}",
            f"followers a purge removes: {summary['purge_followers']:,}",
        ]
    )


def run(args: argparse.Namespace) -> int:
    """Decide, print, write; bad input -> one message on stderr and exit 2."""
    ws = Workspace.open(args.workspace)  # a bad workspace: run_guarded says why and exits 2
    try:
        if not ws.has_table("account_scores"):
            raise DecideError(f"{args.workspace} has no scores (account_scores); rebuild it")
        policy = choose_policy(PolicyStore(ws.sidecar), args.policy, args)
        decisions = decide(load_inputs(ws), policy, reviewed_labels(ws))
        if args.out is not None:
            write_out(decisions, args.out)
    except (DecideError, PolicyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        ws.close()
    summary = decisions.summary()
    print(json.dumps(summary, indent=1) if args.json else format_text(summary))
    return 0
