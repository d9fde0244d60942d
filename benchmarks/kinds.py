"""Issue 10 figures per kind on two generated worlds, without labels and with 30 % labels, and
leave-one-kind-out on the sample world. Writes docs/kinds.md.

Usage: python -m benchmarks.kinds [--work DIR] [--out docs/kinds.md]
World A has the sample world's settings with another seed (the shipped default model, trained on
sample_data/, never saw its accounts); world B has other settings: more new users, fewer
campaigns, more premium and slow stock, two regional launches. About 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from followaudit.data.load import load_folder
from followaudit.detect import features as feats
from followaudit.detect import kinds, training
from followaudit.growth import evaluate as growth_eval
from followaudit.pipeline.build import build_workspace
from followaudit.synth import WorldConfig, generate_world

ROOT = Path(__file__).resolve().parent.parent
WORLDS = {
    "A": ("sample settings, seed 8", {"seed": 8}),
    "B": (
        "other settings, seed 2027",
        {
            "seed": 2027,
            "accounts": 80_000,
            "new_user_share": 0.35,
            "fake_share": 0.07,
            "onboarding_waves": 6,
            "onboarding_wave_share": 0.45,
            "regional_launches": 2,
            "lurker_share": 0.30,
            "popularity_sigma": 1.4,
            "camouflaged_share": 0.10,
            "premium_share": 0.25,
            "slow_share": 0.15,
            "single_target_share": 0.15,
            "drip_share": 0.30,
            "follows_per_user": 70.0,
        },
    ),
}
LABEL_SHARE = 0.3
GROUND_TRUTH = ("accounts", "follows", "engagement_daily", "campaigns", "events")


def data_folder(world: Path, out: Path, label_share: float) -> set[int]:
    """A data folder over `world` with a random `label_share` of its labels (none for 0)."""
    out.mkdir(parents=True, exist_ok=True)
    for table in GROUND_TRUTH:
        shutil.copy(world / f"{table}.parquet", out / f"{table}.parquet")
    if not label_share:
        return set()
    labels = pl.read_parquet(world / "labels.parquet")
    keep = np.random.default_rng(0).random(labels.height) < label_share
    labels.filter(pl.Series(keep)).write_parquet(out / "labels.parquet")
    return set(labels.filter(pl.Series(keep))["account_id"].to_list())


def measure(workspace: Path, world: Path, labelled: set[int]) -> dict:
    """Per-kind account figures on the accounts without labels, and the spike evaluation."""
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        flag = "model_flagged" if _has_column(con, "account_scores", "model_flagged") else "flagged"
        scores = con.sql(f"select account_id, score, {flag} as flagged from account_scores").pl()
        spikes = growth_eval.evaluate_spikes(con)
    finally:
        con.close()
    truth = pl.read_parquet(world / "labels.parquet").with_columns(
        (pl.col("label") == "fake").cast(pl.Int8).alias("y")
    )
    frame = truth.join(scores, on="account_id").filter(
        ~pl.col("account_id").is_in(sorted(labelled))
    )
    accounts = kinds.per_kind(frame, frame["score"].to_numpy(), frame["flagged"].to_numpy())
    return {"accounts": accounts, "spikes": spikes}


def _has_column(con, table: str, column: str) -> bool:
    sql = (
        "select count(*) from information_schema.columns where table_name = $t and column_name = $c"
    )
    return con.sql(sql, params={"t": table, "c": column}).fetchall()[0][0] > 0


def loko(data_dir: Path) -> dict:
    """Leave-one-kind-out on a labelled data folder (every kind with at least 100 accounts)."""
    con = duckdb.connect()
    try:
        load_folder(con, data_dir)
        feats.build_account_features(con)
        frame = training.labelled_frame(con).join(
            con.sql("select account_id, genuine_kind from labels").pl(), on="account_id"
        )
    finally:
        con.close()
    counts = kinds.with_kind(frame)["kind"].value_counts()
    chosen = sorted(counts.filter(pl.col("count") >= 100)["kind"].to_list())
    return kinds.leave_one_kind_out(frame, [k for k in chosen if k != "creator"])


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def render(results: dict, loko_rows: dict) -> str:
    """docs/kinds.md."""
    lines = [
        "# Detection per kind (issue 10)",
        "",
        f"Generated {datetime.now(UTC):%Y-%m-%d} by `python -m benchmarks.kinds` (`make kinds`).",
        "Account figures are on the accounts whose labels the workspace did not have; recall at",
        "1 % FPR uses the cut above which 1 % of those genuine accounts lie; `flagged` is the",
        "model's operating threshold at build time. Spike figures: `followaudit.growth.evaluate`.",
        "",
    ]
    for key, runs in results.items():
        title = WORLDS[key][0]
        lines += [
            f"## World {key} ({title})",
            "",
            _accounts_table(runs),
            "",
            _spikes_table(runs),
            "",
        ]
    lines += ["## Leave one kind out (sample_data/, 5-fold CV)", "", _loko_table(loko_rows), ""]
    return "\n".join(lines)


def _accounts_table(runs: dict) -> str:
    head = "| kind | accounts | " + " | ".join(
        f"{r}: above 1 % FPR cut | {r}: flagged" for r in runs
    )
    out = [head + " |", "|---|---|" + "---|---|" * len(runs)]
    first = next(iter(runs.values()))["accounts"]
    out.append(
        "| **all (ROC-AUC / recall at 1 % FPR)** | "
        + f"{first['accounts']:,} | "
        + " | ".join(
            f"ROC {r['accounts']['roc_auc']:.3f} | recall {r['accounts']['recall_at_1pct_fpr']:.3f}"
            for r in runs.values()
        )
        + " |"
    )
    for kind, row in sorted(first["kinds"].items(), key=lambda kv: (not kv[1]["fake"], kv[0])):
        cells = []
        for r in runs.values():
            k = r["accounts"]["kinds"].get(kind, {})
            cells += [_pct(k.get("above_cut")), _pct(k.get("flagged"))]
        label = f"{kind} ({'fake' if row['fake'] else 'genuine'})"
        out.append(f"| {label} | {row['accounts']:,} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def _spikes_table(runs: dict) -> str:
    out = ["| measure | group | " + " | ".join(runs) + " |", "|---|---|" + "---|" * len(runs)]
    first = next(iter(runs.values()))["spikes"]
    for measure in (
        "campaign_recall",
        "event_false_alarms",
        "event_false_alarms_outside_campaigns",
    ):
        for group in first[measure]:
            cells = []
            for r in runs.values():
                g = r["spikes"][measure].get(group)
                cells.append("—" if not g else f"{g['hits']}/{g['n']} ({_pct(g['rate'])})")
            out.append(f"| {measure} | {group} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def _loko_table(rows: dict) -> str:
    out = [
        "| kind | accounts | caught / flagged when seen in training | when left out |",
        "|---|---|---|---|",
    ]
    for kind, r in sorted(rows.items(), key=lambda kv: (not kv[1]["fake"], kv[0])):
        label = f"{kind} ({'fake: recall' if r['fake'] else 'genuine: share flagged'})"
        out.append(f"| {label} | {r['accounts']:,} | {_pct(r['seen'])} | {_pct(r['unseen'])} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: temp)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "kinds.md")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kinds_"))
    results: dict[str, dict] = {}
    for key, (_, settings) in WORLDS.items():
        world = work / f"world_{key}"
        generate_world(world, WorldConfig(**settings), show_progress=False)
        results[key] = {}
        for name, share in (("no labels", 0.0), (f"{LABEL_SHARE:.0%} labels", LABEL_SHARE)):
            folder = work / f"data_{key}_{int(share * 100)}"
            labelled = data_folder(world, folder, share)
            workspace = work / f"ws_{key}_{int(share * 100)}.duckdb"
            build_workspace(folder, workspace)
            results[key][name] = measure(workspace, world, labelled)
            print(f"world {key}, {name}: done", flush=True)
    rows = loko(ROOT / "sample_data")
    args.out.write_text(render(results, rows) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
