"""Issue 6 figures: a threshold move at 1M accounts (metrics <= 50 ms) and the lab's rerun (<= 300 ms)."""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from followaudit.decide.policy import apply_policy, default_policy
from followaudit.decide.thresholds import CreatorImpact, ScoreIndex, SegmentIndex

N = 1_000_000
LABELLED = 100_000
CREATORS = 5_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(n: int = N, seed: int = 0) -> dict:
    """1M scores (10 % fake), 100k labelled, four segments, a 5,000-creator score histogram."""
    rng = np.random.default_rng(seed)
    fake = rng.random(n) < 0.1
    score = np.clip(np.where(fake, rng.beta(5, 2, n), rng.beta(1.5, 8, n)), 0, 1)
    labelled = rng.random(n) < LABELLED / n
    frame = pl.DataFrame(
        {
            "account_id": np.arange(n),
            "risk": score,
            "eval_risk": score,
            "label": pl.Series(np.where(labelled, fake.astype(np.int8), -1)).replace(-1, None),
            "region": rng.choice([f"R{i:02d}" for i in range(20)], n),
            "age_band": rng.choice(["< 1 week", "1-4 weeks", "1-6 months", "> 1 year"], n),
            "verified": rng.choice(["verified", "not verified"], n, p=[0.01, 0.99]),
            "private": rng.choice(["private", "public"], n, p=[0.2, 0.8]),
        }
    )
    hist = (
        pl.DataFrame(
            {
                "creator_id": rng.integers(0, CREATORS, 1_500_000),
                "bin": np.minimum((rng.beta(1.5, 8, 1_500_000) * 1000).astype(np.int32), 999),
                "followers": rng.integers(1, 50, 1_500_000),
            }
        )
        .group_by("creator_id", "bin")
        .agg(pl.col("followers").sum())
    )
    return {"frame": frame, "hist": hist, "labelled": labelled, "fake": fake, "score": score}


def _move_times(index, segments, impact, runs: int = 60) -> list[float]:
    """Wall time of each threshold move: metrics, fresh bootstrap, tiers, collateral, impact."""
    times = []
    for t in np.linspace(0.2, 0.95, runs):
        started = time.perf_counter()
        index.metrics(t)
        index.intervals(t)  # a new threshold each time: never served from the cache
        index.tier_counts({"review": t, "remove": max(t, 0.9), "suspend": max(t, 0.98)})
        segments.at(t)
        impact.summary(t)
        impact.at(t).sort("lost_pct", descending=True).head(25)
        times.append(time.perf_counter() - started)
    return times


def core_rows(ctx) -> list[dict]:
    """Index build, curves and threshold moves on 1M synthetic accounts."""
    data = synthetic()
    lab_rows = data["frame"].filter(pl.col("label").is_not_null())
    build = ctx.median(
        lambda: ScoreIndex(
            data["frame"]["risk"].to_numpy(),
            lab_rows["eval_risk"].to_numpy(),
            lab_rows["label"].to_numpy(),
        ),
        runs=3,
    )
    index = ScoreIndex(
        data["frame"]["risk"].to_numpy(),
        lab_rows["eval_risk"].to_numpy(),
        lab_rows["label"].to_numpy(),
    )
    started = time.perf_counter()
    index.curves  # noqa: B018 - computed once per model, timed here
    curves = time.perf_counter() - started
    segments = SegmentIndex.build(data["frame"], ["region", "age_band", "verified", "private"])
    impact = CreatorImpact(data["hist"])
    moves = _move_times(index, segments, impact)
    metric_only = [
        ctx.median(lambda t=t: (index.metrics(t), index.intervals(t + 1e-7)), runs=1)
        for t in np.linspace(0.2, 0.9, 30)
    ]
    base = {"area": "policy", "peak_rss_mb": _rss_mb()}
    return [
        base
        | {
            "measure": f"ScoreIndex build (sort), {N:,} accounts, {LABELLED:,} labelled",
            "median_s": build,
            "target": "once per model",
            "runs": 3,
        },
        base
        | {
            "measure": "PR + ROC curves (<= 500 points each)",
            "median_s": curves,
            "target": "once per model",
            "runs": 1,
        },
        base
        | {
            "measure": "threshold move: metrics + fresh 1,000-draw bootstrap CI",
            "median_s": statistics.median(metric_only),
            "target": "<= 50 ms",
            "runs": len(metric_only),
        },
        base
        | {
            "measure": "threshold move: metrics, CI, tiers, collateral (28 segments), impact (5,000 creators)",
            "median_s": statistics.median(moves),
            "target": "<= 50 ms",
            "runs": len(moves),
            "note": f"p95 {np.percentile(moves, 95) * 1000:.1f} ms",
        },
    ]


def apply_rows(ctx) -> list[dict]:
    """Applying the default policy's rules to 1M accounts (done once per rule set)."""
    rng = np.random.default_rng(1)
    scores = pl.DataFrame({"account_id": np.arange(N), "score": rng.random(N)})
    features = scores.select("account_id").with_columns(
        pl.Series("following_follower_ratio", rng.random(N) * 100),
        pl.Series("has_profile_pic", (rng.random(N) < 0.7).astype(float)),
        pl.Series("account_age_days", rng.random(N) * 400),
        pl.Series("video_count", rng.integers(0, 5, N).astype(float)),
    )
    seconds = ctx.median(lambda: apply_policy(default_policy(), scores, features), runs=3)
    return [
        {
            "area": "policy",
            "measure": f"apply_policy (3 rules), {N:,} accounts",
            "median_s": seconds,
            "target": "once per rule set",
            "runs": 3,
            "peak_rss_mb": _rss_mb(),
        }
    ]


def rerun_rows(ctx, workspace, label: str) -> list[dict]:
    """The lab page's server-side rerun after a slider move (Streamlit AppTest, no browser)."""
    from streamlit.testing.v1 import AppTest

    os.environ["FOLLOWAUDIT_WORKSPACE"] = str(workspace)
    at = AppTest.from_file(str(ctx_root() / "app.py"), default_timeout=600)
    at.switch_page("pages/4_Threshold_Lab.py")
    started = time.perf_counter()
    at.run()
    cold = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"lab page failed on {workspace}: {at.exception[0].value}")
    times = []
    for t in np.linspace(0.3, 0.9, 7):
        at.slider(key="lab_threshold").set_value(float(round(t, 3)))
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    base = {"area": "policy", "peak_rss_mb": _rss_mb()}
    return review_rows(ctx, label) + [
        base
        | {
            "measure": f"lab page first load (reads + indexes), {label}",
            "median_s": cold,
            "target": "once per workspace",
            "runs": 1,
        },
        base
        | {
            "measure": f"lab page rerun after a threshold move, {label}",
            "median_s": statistics.median(times),
            "target": "<= 300 ms",
            "runs": len(times),
        },
    ]


def review_rows(ctx, label: str) -> list[dict]:
    """The review queue's rerun after a label (keyboard shortcut = button click)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ctx_root() / "app.py"), default_timeout=600)
    at.switch_page("pages/6_Review_Queue.py")
    at.run()
    times = []
    for _ in range(5):
        at.button(key="rev_unsure").click()
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return [
        {
            "area": "policy",
            "measure": f"review queue rerun after a label, {label}",
            "median_s": statistics.median(times),
            "target": "< 1 s (50 accounts in 5 min)",
            "runs": len(times),
            "peak_rss_mb": _rss_mb(),
            "note": "5 'unsure' labels written to a throwaway sidecar",
        }
    ]


def ctx_root():
    from followaudit.store.workspace import PROJECT_ROOT

    return PROJECT_ROOT


def scratch_view(path, folder) -> Path:
    """A symlink to a workspace in `folder`: its sidecar (labels, policies) is a fresh, throwaway one."""
    link = Path(folder) / "bench.duckdb"
    link.symlink_to(Path(path).resolve())
    return link


def run(ctx) -> list[dict]:
    """All policy figures; the page rerun is measured on whichever workspaces exist."""
    rows = core_rows(ctx) + apply_rows(ctx)
    for path, label in [
        (ctx.workspace, f"{ctx.accounts:,}-account workspace"),
        (ctx.sample_workspace, "sample workspace"),
    ]:
        if path and path.exists():
            with tempfile.TemporaryDirectory() as folder:  # never label the real workspace
                rows += rerun_rows(ctx, scratch_view(path, folder), label)
    return rows
