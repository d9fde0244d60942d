"""`followaudit cohorts`: follower cohorts in an ordered follower list."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polars as pl

from followaudit.cli.values import file_to_write, finite_float, positive_int
from followaudit.growth.cohorts import (
    HistogramConfig,
    estimate_follow_times,
    follower_scores,
    load_follower_list,
    sliding_histogram,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `cohorts`."""
    parser.add_argument("--followers", required=True, type=Path, help="JSON or CSV follower list")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--window", type=positive_int, default=HistogramConfig.window)
    parser.add_argument("--stride", type=positive_int, default=HistogramConfig.stride)
    parser.add_argument("--threshold", type=finite_float, default=HistogramConfig.threshold)
    parser.add_argument("--out", type=Path, help="write per-follower follow times (CSV)")


def _iso(frame: pl.DataFrame) -> list[dict]:
    return frame.with_columns(pl.col(pl.Datetime).dt.to_string("%Y-%m-%dT%H:%M:%S")).to_dicts()


def run(args: argparse.Namespace) -> int:
    """Estimate follow times and print anomalous rank ranges; bad files exit 2 (cli.main)."""
    if args.out:
        file_to_write(args.out, "--out")
    followers = load_follower_list(args.followers)
    cfg = HistogramConfig(window=args.window, stride=args.stride, threshold=args.threshold)
    timed = estimate_follow_times(followers)
    _, anomalies = sliding_histogram(timed, cfg)
    if args.out:
        follower_scores(timed, cfg).drop("in_cohort").write_csv(args.out)
    if args.json:
        follow = timed.select("follower_id", "rank", "follow_time")
        out = {
            "followers": timed.height,
            "anomalies": _iso(anomalies),
            "follow_times": {
                r["follower_id"]: {"rank": r["rank"], "follow_time": r["follow_time"]}
                for r in _iso(follow)
            },
        }
        print(json.dumps(out))
        return 0
    print(f"{timed.height} followers; {anomalies.height} anomalous rank range(s)")
    with pl.Config(tbl_rows=100, tbl_cols=12, tbl_width_chars=180):
        print(anomalies)
    return 0
