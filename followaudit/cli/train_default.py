"""`followaudit train-default`: train the shipped default model on a data folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from followaudit.data.validate import ValidationError
from followaudit.detect.default_training import train_default
from followaudit.detect.model import DEFAULT_MODEL_DIR, PROFILE_PREFIX, ModelError, load


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `train-default`."""
    parser.add_argument(
        "--data", type=Path, default=Path("sample_data"), help="labelled data folder"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="model folder to write")


def run(args: argparse.Namespace) -> int:
    """Train the default model and print its out-of-fold metrics."""
    try:
        bundle = train_default(args.data, args.out)
    except (ModelError, ValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    card = bundle.card
    print(
        f"wrote {args.out}/model.txt and card.json: {card['rows']} labelled accounts, "
        f"{len(card['features'])} features, {card['folds']}-fold CV"
    )
    print(
        f"out-of-fold ROC-AUC {card['cv']['roc_auc']:.4f}  PR-AUC {card['cv']['pr_auc']:.4f}  "
        f"recall at 1% FPR {card['thresholds']['recall_at_fpr_1pct']:.3f}"
    )
    for kind, row in card.get("per_kind_recall_at_fpr_1pct", {}).items():
        print(f"  {kind:<14} {row['accounts']:>6} fakes  recall {row['recall']:.3f}")
    twin = load(args.out, PROFILE_PREFIX).card
    print(
        f"profile-only twin ({len(twin['features'])} features, for tables without follows): "
        f"ROC-AUC {twin['cv']['roc_auc']:.4f}  PR-AUC {twin['cv']['pr_auc']:.4f}"
    )
    return 0
