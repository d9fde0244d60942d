"""The detector: cross-validated, calibrated LightGBM; save/load; scoring a workspace."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.model_selection import StratifiedKFold

from followaudit.detect import catalogue, marginal
from followaudit.detect.calibration import Calibration, cross_calibrated
from followaudit.detect.metrics import (
    calibration_curve,
    choose_thresholds,
    cv_metrics,
    per_kind_recall,
)
from followaudit.store.engine import Engine, as_engine
from followaudit.store.workspace import Workspace, table_exists

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default_model"
SEED = 0
FOLDS = 5
# Beyond this many labelled accounts, more rows barely move PR-AUC but cost minutes at 1M:
# CV and the final fit use a random sample; every other account is scored out-of-sample.
TRAIN_CAP = 250_000
NUM_ROUNDS = 120
# Shallow trees: TreeSHAP costs ~ trees x leaves x depth^2, and at depth 5 / 24 leaves the sample
# world's held-out PR-AUC equals that of depth 6 / 31 leaves / 200 trees at a quarter of the cost.
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 24,
    "max_depth": 5,
    "max_bin": 63,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 2,
    "deterministic": True,
    # Row-wise histograms: the same trees as col-wise on our data, and measured 25 % less CPU
    # at 200k rows; left to itself LightGBM times both on every fit and picks by the clock.
    "force_row_wise": True,
    "verbose": -1,
}
CORES = os.cpu_count() or 1
# Below these sizes a call takes a few milliseconds and a second thread's wake-up eats the gain
# (benchmarks/bench_threads.py measures 1 vs 2 threads at the build's sizes). TreeSHAP costs
# ~50x a prediction per row, so it splits much earlier. Training runs its independent fits (CV
# folds and the final fit) side by side, one OpenMP thread each (`fit_side_by_side`).
PARALLEL_FROM_ROWS = {"predict": 20_000, "contrib": 500, "train": 20_000}
MODEL_TABLE = "model_files"  # the build's own model, inside the workspace file
MODEL_FILES = ("model.txt", "card.json")
PROFILE_PREFIX = "profile_"  # the default model's profile-only twin: profile_model.txt, ...
FOLLOW_FEATURES = {n for n, f in catalogue.FEATURES.items() if f.group != "profile"}
WORKSPACE_LABELS = "workspace labels"  # card["trained_on"] of a model trained for its workspace
ALL_ROWS = 1 << 62  # `labelled_frame` without a limit


class ModelError(RuntimeError):
    """A model cannot be trained or loaded; the message says why in plain words."""


@dataclass
class ModelBundle:
    """A trained booster, its calibration and card. `predict(X)` gives calibrated P(fake)."""

    booster: lgb.Booster
    calibration: Calibration
    card: dict

    @property
    def features(self) -> list[str]:
        """Feature names in model order (the booster's input columns)."""
        return list(self.card["features"])

    @property
    def used_features(self) -> list[str]:
        """The features the model reads: those the data has (absent ones are marginalised)."""
        gone = set(self.card.get("marginalised", []))
        return [n for n in self.features if n not in gone]

    @property
    def source(self) -> str:
        """`trained` (on this workspace's labels) or `default` (the shipped model)."""
        return "trained" if self.card.get("trained_on") == WORKSPACE_LABELS else "default"

    def adapted_to(self, frame: pl.DataFrame) -> ModelBundle:
        """This model as data shaped like `frame` must use it: features the frame lacks are
        marginalised out, and NaN where training never saw one is averaged, not read as 0."""
        absent = [n for n in self.features if n not in frame.columns]
        with_nan = {n for n in self.features if n in frame.columns and frame[n].null_count()}
        guarded = sorted(with_nan & marginal.never_missing_features(self.booster))
        if not absent and not guarded:
            return self
        booster = marginal.rewrite_booster(self.booster, absent, guarded)
        card = {**self.card, "marginalised": absent, "nan_averaged": guarded}
        return ModelBundle(booster, self.calibration, card)

    def matrix(self, frame: pl.DataFrame | np.ndarray) -> np.ndarray:
        """Model-ordered float matrix; features the frame lacks are NaN (LightGBM's missing)."""
        if isinstance(frame, np.ndarray):
            return frame.astype(np.float64, copy=False)
        cols = [
            pl.col(n).cast(pl.Float64) if n in frame.columns else pl.lit(None, pl.Float64).alias(n)
            for n in self.features
        ]
        return frame.select(cols).to_numpy().astype(np.float64, copy=False)

    def raw(self, frame: pl.DataFrame | np.ndarray) -> np.ndarray:
        """Uncalibrated LightGBM probabilities."""
        x = self.matrix(frame)
        return self.booster.predict(x, num_threads=threads(len(x)))

    def predict(self, frame: pl.DataFrame | np.ndarray) -> np.ndarray:
        """Calibrated probability that each row is fake."""
        return self.calibration.apply(self.raw(frame))

    def save(self, out_dir: str | Path, prefix: str = "") -> None:
        """Write `<prefix>model.txt` (LightGBM text) and `<prefix>card.json` into `out_dir`."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(out_dir / f"{prefix}model.txt"))
        card = {**self.card, "calibration": self.calibration.to_dict()}
        (out_dir / f"{prefix}card.json").write_text(json.dumps(card, indent=1) + "\n")


def load(model_dir: str | Path, prefix: str = "") -> ModelBundle:
    """Load a model folder written by `ModelBundle.save`."""
    model_dir = Path(model_dir)
    text, card_file = model_dir / f"{prefix}model.txt", model_dir / f"{prefix}card.json"
    if not text.exists() or not card_file.exists():
        raise ModelError(f"{model_dir} has no model.txt + card.json (train one with train-default)")
    return _bundle(text.read_text(), card_file.read_text())


def _bundle(model_text: str, card_text: str) -> ModelBundle:
    card = json.loads(card_text)
    return ModelBundle(lgb.Booster(model_str=model_text), calibration_of(card), card)


def calibration_of(card: dict) -> Calibration:
    """The calibration a model card describes."""
    cal = card.get("calibration", {"method": "none"})
    return Calibration(
        cal["method"], cal.get("xs", []), cal.get("ys", []), cal.get("a", 1.0), cal.get("b", 0.0)
    )


def load_default(columns: Iterable[str] | None = None) -> ModelBundle:
    """The shipped default model (trained on the sample world by `followaudit train-default`).

    Given the feature `columns` of data without follows (an imported profile table), returns its
    profile-only twin, which transfers better than the full model with NaN behaviour features."""
    twin = DEFAULT_MODEL_DIR / f"{PROFILE_PREFIX}model.txt"
    if columns is not None and not set(columns) & FOLLOW_FEATURES and twin.exists():
        return load(DEFAULT_MODEL_DIR, PROFILE_PREFIX)
    return load(DEFAULT_MODEL_DIR)


def operating_threshold(card: dict) -> float:
    """The model's own flag line, from its card: the out-of-fold F1-best score
    (`thresholds.f1`); 0.5 for a card without one. Growth and audience use it at build time,
    so their numbers never depend on a policy file."""
    return float(card.get("thresholds", {}).get("f1", 0.5))


def build_bundle(con: duckdb.DuckDBPyConnection, model_dir: str | Path) -> ModelBundle:
    """The model a build just trained into `model_dir`, or the default one it scored with."""
    own = Path(model_dir)
    if (own / "model.txt").exists():
        return load(own)
    if not table_exists(con, "account_features"):
        return load_default()
    columns = con.cursor().sql("select * from account_features limit 0").pl().columns
    return load_default([c for c in columns if c != "account_id"])


def load_for_workspace(workspace: Workspace, columns: Iterable[str] | None = None) -> ModelBundle:
    """The model the workspace's build trained (stored inside its file), else the default
    (`columns`: the workspace's feature columns, to pick the profile-only default without follows)."""
    stored = stored_model(workspace)
    if stored is not None:  # this build's own answer: its model, or none (it used the default)
        return _bundle(*stored) if stored else load_default(columns)
    legacy = workspace.sidecar / "model"  # workspaces built before the model moved inside
    return load(legacy) if (legacy / "model.txt").exists() else load_default(columns)


def store_in_workspace(con: duckdb.DuckDBPyConnection, model_dir: str | Path) -> None:
    """Table `model_files(name, content)`: the model in `model_dir`, or no rows for the default.

    Inside the workspace file, the model is swapped in with the data it was trained on."""
    files = [Path(model_dir) / name for name in MODEL_FILES]
    rows = [(f.name, f.read_text()) for f in files if f.exists()]
    con.execute(
        f"create or replace table {MODEL_TABLE} (name varchar primary key, content varchar)"
    )
    if len(rows) == len(MODEL_FILES):
        con.executemany(f"insert into {MODEL_TABLE} values (?, ?)", rows)


def stored_model(workspace: Workspace) -> tuple[str, str] | tuple[()] | None:
    """(model text, card JSON) stored in the workspace, () when it scored with the default,
    None when the workspace predates stored models."""
    if not workspace.has_table(MODEL_TABLE):
        return None
    cur = workspace.con.cursor()
    try:
        rows = dict(cur.execute(f"select name, content from {MODEL_TABLE}").fetchall())
    finally:
        cur.close()
    return (rows["model.txt"], rows["card.json"]) if set(MODEL_FILES) <= rows.keys() else ()


@dataclass
class TrainResult:
    """A fitted bundle plus its out-of-fold evidence."""

    bundle: ModelBundle
    oof_raw: np.ndarray
    oof: np.ndarray
    fold_ids: np.ndarray
    account_ids: np.ndarray | None = None  # rows of `oof` when trained from a labelled frame


def fingerprint(x: np.ndarray, y: np.ndarray) -> str:
    """A short hash of the training matrix and labels."""
    digest = hashlib.sha256(np.ascontiguousarray(x).tobytes())
    digest.update(np.asarray(y, dtype=np.int8).tobytes())
    return digest.hexdigest()[:16]


def fit_booster(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    seed: int = SEED,
    params: dict | None = None,
    num_threads: int = 1,
) -> lgb.Booster:
    """One LightGBM fit with the house parameters (plus `params`) and a fixed seed (on one
    thread unless told: several fits side by side use the cores better, `fit_side_by_side`)."""
    data = lgb.Dataset(x, label=y, feature_name=names, free_raw_data=True)
    merged = {**PARAMS, **(params or {}), "seed": seed, "num_threads": num_threads}
    return lgb.train(merged, data, num_boost_round=NUM_ROUNDS)


def fit_side_by_side(
    x: np.ndarray,
    y: np.ndarray,
    rows: list[np.ndarray | None],
    names: list[str],
    seed: int = SEED,
    params: dict | None = None,
) -> list[lgb.Booster]:
    """One fit per entry of `rows` (indices into x, y; None = all rows), as many at once as
    there are cores, each on one OpenMP thread.

    LightGBM's threads meet at a barrier for every tree node: at 200k rows two threads on one
    fit kept about one core busy (18 s CPU in 20 s, load 3) and took 7x one thread's time while
    another process held a core. Independent fits side by side keep both cores busy, and give
    the same trees as before (row-wise histograms: the 50k default model and a 250k world's
    model, trained with 1 or 2 threads per fit, are identical)."""

    def fit(picked: np.ndarray | None) -> lgb.Booster:
        part = (x, y) if picked is None else (x[picked], y[picked])
        return fit_booster(*part, names, seed, params)

    workers = min(len(rows), threads(len(y) * len(rows), "train"))
    with ThreadPoolExecutor(max_workers=workers) as pool:  # ctypes calls release the GIL
        return list(pool.map(fit, rows))


def threads(rows: int, work: str = "predict") -> int:
    """OpenMP threads for `rows` rows of `work` ("predict", "contrib" = TreeSHAP; "train": fits
    side by side, one thread each): FOLLOWAUDIT_THREADS, else every core once the work is big
    enough to pay for waking them."""
    configured = int(os.environ.get("FOLLOWAUDIT_THREADS", "0") or 0)
    if configured:
        return configured
    return CORES if rows >= PARALLEL_FROM_ROWS[work] else 1


def cross_fit(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    folds: int = FOLDS,
    seed: int = SEED,
    params: dict | None = None,
) -> tuple[np.ndarray, np.ndarray, lgb.Booster]:
    """Raw out-of-fold probabilities, each row's fold id (stratified k-fold) and the fit on all
    rows: the k + 1 fits are independent, so they run side by side."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(x, y))
    boosters = fit_side_by_side(x, y, [train for train, _ in splits] + [None], names, seed, params)
    oof = np.zeros(len(y))
    fold_ids = np.zeros(len(y), dtype=np.int32)
    for fold, ((_, test), booster) in enumerate(zip(splits, boosters, strict=False)):
        oof[test] = booster.predict(x[test], num_threads=threads(len(test)))
        fold_ids[test] = fold
    return oof, fold_ids, boosters[-1]


def train(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    folds: int = FOLDS,
    seed: int = SEED,
    extra_card: dict | None = None,
    params: dict | None = None,
) -> TrainResult:
    """Stratified k-fold CV, calibration fitted on out-of-fold scores, then a fit on all rows."""
    y = np.asarray(y, dtype=np.int32)
    folds = min(folds, int(min(y.sum(), len(y) - y.sum())))
    if folds < 2:
        raise ModelError("training needs at least 2 fake and 2 genuine labelled accounts")
    started = time.perf_counter()
    oof_raw, fold_ids, booster = cross_fit(x, y, names, folds, seed, params)
    calibration = Calibration.fit(oof_raw, y)
    oof = calibration.apply(oof_raw)
    card = {
        "features": names,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_fingerprint": fingerprint(x, y),
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "folds": folds,
        "seed": seed,
        "params": {**PARAMS, **(params or {}), "num_boost_round": NUM_ROUNDS},
        "cv": cv_metrics(y, oof, fold_ids),
        "calibration_curve": calibration_curve(y, cross_calibrated(oof_raw, y, fold_ids)),
        "thresholds": choose_thresholds(y, oof),
        "train_seconds": round(time.perf_counter() - started, 2),
        **(extra_card or {}),
    }
    return TrainResult(ModelBundle(booster, calibration, card), oof_raw, oof, fold_ids)


# --- a workspace -------------------------------------------------------------------------------


def labelled_frame(engine: Engine | duckdb.DuckDBPyConnection, limit: int | None = None):
    """`account_features` of labelled accounts with `y` (1 = fake) and `fake_kind`, by account;
    with `limit`, only the first `limit` in sample order (`sample_order`), as every engine picks."""
    engine = as_engine(engine)
    if not engine.has_table("labels"):
        return pl.DataFrame()
    params = {"seed": SEED, "limit": limit if limit is not None else ALL_ROWS}
    frame = engine.run("detect/labelled_accounts", params)
    return frame.drop("sample_key").sort("account_id")


def sample_order(account_ids: Iterable[int], seed: int = SEED) -> list[str]:
    """Each account's sample key: md5 of "id:seed", as the SQL computes it on DuckDB and Spark,
    so the training and SHAP samples are the same rows whichever engine builds."""
    return [hashlib.md5(f"{i}:{seed}".encode()).hexdigest() for i in account_ids]


def train_on_labelled(
    labelled: pl.DataFrame,
    names: list[str],
    card: dict | None = None,
    params: dict | None = None,
    total: int | None = None,
):
    """Train on a `labelled_frame` (its first TRAIN_CAP in sample order when larger, so class
    shares are kept in expectation); the card gets per-`fake_kind` recall at 1 % FPR."""
    total = max(total or 0, labelled.height)
    if labelled.height > TRAIN_CAP:
        keys = pl.Series("_key", sample_order(labelled["account_id"].to_list()))
        labelled = labelled.with_columns(keys).sort("_key").head(TRAIN_CAP).drop("_key")
        labelled = labelled.sort("account_id")
    x = labelled.select([pl.col(n).cast(pl.Float64) for n in names]).to_numpy()
    y = labelled["y"].to_numpy()
    card = {**(card or {}), "labelled_accounts": total}
    result = train(x, y, names, extra_card=card, params=params)
    threshold = result.bundle.card["thresholds"]["fpr_1pct"]
    result.bundle.card["per_kind_recall_at_fpr_1pct"] = per_kind_recall(
        labelled, result.oof, threshold
    )
    result.account_ids = labelled["account_id"].to_numpy()
    return result


def trainable(labelled: pl.DataFrame) -> bool:
    """The labels hold at least two fake and two genuine accounts."""
    return (
        labelled.height > 0 and min(labelled["y"].sum(), labelled.height - labelled["y"].sum()) >= 2
    )


def score_frame(
    frame: pl.DataFrame, bundle: ModelBundle, oof: pl.DataFrame | None = None
) -> pl.DataFrame:
    """`account_id, score` (calibrated P(fake)) and `oof_score` (out-of-fold, NULL when absent)."""
    if oof is None:
        oof = pl.DataFrame(schema={"account_id": pl.Int64, "oof_score": pl.Float64})
    scores = frame.select("account_id").with_columns(pl.Series("score", bundle.predict(frame)))
    return scores.join(oof, on="account_id", how="left")
