"""`followaudit evaluate`: cross-validate the detector (or score with the default) on a labelled table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from followaudit.cli.values import seed
from followaudit.data import importing, mapping_file
from followaudit.detect import model as mdl
from followaudit.detect.evaluate import METRICS, evaluate_table


def format_report(report: dict, source: str) -> str:
    """The report as aligned text."""
    how = "default model (no training)" if report["folds"] == 0 else f"{report['folds']}-fold CV"
    budget = report.get("label_budget")
    if budget:
        how = (
            f"default model recalibrated on {budget['reviewed']} reviewed rows "
            f"({budget['reviewed_fakes']} fake); metrics on the other rows"
        )
    lines = [
        f"{source}: {report['rows']} rows, {report['positives']} fake; {how}",
        f"features ({len(report['features'])}): {', '.join(report['features'])}",
        f"decision threshold {report['threshold']:.3f} (chosen without the test fold)",
        "",
        f"{'metric':<10} {'value':>7}   95% interval",
    ]
    for m in METRICS:
        lo, hi = report["intervals"][m]
        lines.append(f"{m:<10} {report['metrics'][m]:>7.4f}   [{lo:.4f}, {hi:.4f}]")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `evaluate`."""
    parser.add_argument("--accounts", required=True, type=Path, help="CSV, JSON or Parquet file")
    parser.add_argument("--mapping", required=True, type=Path, help="mapping TOML file")
    parser.add_argument("--folds", type=int, default=10, help="cross-validation folds (default 10)")
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--pretrained",
        action="store_true",
        help="score with the shipped default model, no training",
    )
    parser.add_argument(
        "--label-budget",
        type=int,
        default=0,
        metavar="N",
        help="with --pretrained: the review queue picks N rows, their labels recalibrate the "
        "model and choose its threshold; metrics on the other rows",
    )


def run(args: argparse.Namespace) -> int:
    """Read the table through its mapping, evaluate, print; bad input -> message and exit 2."""
    try:
        if args.folds < 2 and not args.pretrained:
            raise mdl.ModelError("--folds must be at least 2")
        if args.label_budget and not args.pretrained:
            raise mdl.ModelError("--label-budget recalibrates the shipped model: add --pretrained")
        table = importing.read_mapped(args.accounts, mapping_file.load_mapping(args.mapping))
        if table.labels is None:
            raise mdl.ModelError(
                f"{args.mapping}: no [label] column, so there is nothing to evaluate"
            )
        report = evaluate_table(
            table.accounts, table.labels, args.folds, args.seed, args.pretrained, args.label_budget
        )
    except (mapping_file.MappingError, mdl.ModelError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=1) if args.json else format_report(report, str(args.accounts)))
    return 0
