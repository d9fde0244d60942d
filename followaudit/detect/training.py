"""Training the detector: stratified k-fold CV side by side on the cores, calibration fitted on
out-of-fold scores, the card; the labelled sample every engine picks the same way."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.model_selection import StratifiedKFold

from followaudit.detect.calibration import Calibration, cross_calibrated
from followaudit.detect.metrics import (
    calibration_curve,
    choose_thresholds,
    cv_metrics,
    per_kind_recall,
)
from followaudit.detect.model import ModelBundle, ModelError, threads
from followaudit.store.engine import Engine, as_engine

SEED = 0
FOLDS = 5
# From this many training rows (a capped sample at 1M accounts), CV uses LARGE_FOLDS folds and
# the folds are cut from one binning of all rows (`fit_side_by_side`). Each fold model still
# fits 167k rows at TRAIN_CAP, plenty for the out-of-fold calibration and thresholds; the final
# model, which scores every account, is the same fit either way. Smaller samples (the shipped
# default model's 50k, a workspace's own labels) train exactly as before.
LARGE_FROM_ROWS = 200_000
LARGE_FOLDS = 3
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

ALL_ROWS = 1 << 62  # `labelled_frame` without a limit


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
    x: np.ndarray | lgb.Dataset,
    y: np.ndarray | None,
    names: list[str],
    seed: int = SEED,
    params: dict | None = None,
    num_threads: int = 1,
) -> lgb.Booster:
    """One LightGBM fit with the house parameters (plus `params`) and a fixed seed (on one
    thread unless told: several fits side by side use the cores better, `fit_side_by_side`).
    `x` may be an already binned `binned` Dataset (then `y` is None)."""
    merged = {**_params(seed, params), "num_threads": num_threads}
    data = x if isinstance(x, lgb.Dataset) else binned(x, y, names, seed, params, construct=False)
    return lgb.train(merged, data, num_boost_round=NUM_ROUNDS)


def _params(seed: int, params: dict | None) -> dict:
    return {**PARAMS, **(params or {}), "seed": seed}


def binned(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    seed: int = SEED,
    params: dict | None = None,
    construct: bool = True,
) -> lgb.Dataset:
    """The training matrix as a LightGBM Dataset; constructed (binned, on every core) unless
    told, so that folds can be cut from it without binning again (`Dataset.subset`)."""
    data = lgb.Dataset(
        x, label=y, feature_name=names, params=_params(seed, params), free_raw_data=True
    )
    if construct:
        data.params["num_threads"] = threads(len(y), "train")
        data.construct()
        del data.params["num_threads"]
    return data


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

    From LARGE_FROM_ROWS rows they are binned once (`binned`) and each fit's rows are a
    `Dataset.subset` of that: the bin edges come from all rows (the fit on all rows is the same
    as binning it alone) and no fit bins its own rows again (binning was ~23 % of a 200k-row
    fit's CPU at 1M accounts).

    LightGBM's threads meet at a barrier for every tree node: at 200k rows two threads on one
    fit kept about one core busy (18 s CPU in 20 s, load 3) and took 7x one thread's time while
    another process held a core. Independent fits side by side keep both cores busy, and give
    the same trees as before (row-wise histograms: the 50k default model and a 250k world's
    model, trained with 1 or 2 threads per fit, are identical)."""
    if len(y) >= LARGE_FROM_ROWS:
        full = binned(x, y, names, seed, params)
        # subsets are cut here, before any fit starts: a fit on `full` writes to its handle
        parts = [full if picked is None else full.subset(picked).construct() for picked in rows]
    else:
        parts = [(x, y) if picked is None else (x[picked], y[picked]) for picked in rows]

    def fit(part: lgb.Dataset | tuple[np.ndarray, np.ndarray]) -> lgb.Booster:
        if isinstance(part, lgb.Dataset):
            return fit_booster(part, None, names, seed, params)
        return fit_booster(*part, names, seed, params)

    workers = min(len(rows), threads(len(y) * len(rows), "train"))
    with ThreadPoolExecutor(max_workers=workers) as pool:  # ctypes calls release the GIL
        return list(pool.map(fit, parts))


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
    folds = LARGE_FOLDS if len(y) >= LARGE_FROM_ROWS else FOLDS
    result = train(x, y, names, folds=folds, extra_card=card, params=params)
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
