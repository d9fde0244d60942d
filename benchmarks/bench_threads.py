"""Issue 14 figures: LightGBM on 1 thread vs every core, at the sizes the build and the app use.

`detect.model.threads` picks the thread count from these: a call splits across the cores once
it is big enough for the second thread to pay for its wake-up. Interleaved runs, median of 3.
"""

from __future__ import annotations

import os
import statistics
import time

import lightgbm as lgb
import numpy as np

from followaudit.detect import features, model, training
from followaudit.store.workspace import Workspace

RUNS = 3
SHAP_ROWS = 10_000  # a slice of the build's SHAP set (flagged + labelled), ~0.2 ms a row
TRAIN_ROWS = 200_000  # the scale of the 1M build's fits: 250k final, 3 CV folds of 167k


def _interleaved(calls: dict[str, callable]) -> dict[str, float]:
    """Median wall time of each call, the calls taking turns so load shifts hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(RUNS):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def _pair(booster, x: np.ndarray, **kwargs) -> dict[str, callable]:
    return {
        str(n): (lambda n=n: booster.predict(x, num_threads=n, **kwargs)) for n in (1, model.CORES)
    }


def _rows(label: str, timed: dict[str, float], chosen: int) -> list[dict]:
    one, every = timed["1"], timed[str(model.CORES)]
    note = f"{one / every:.2f}x with {model.CORES} threads; the app and build use {chosen}"
    return [
        {
            "area": "threads",
            "measure": f"{label}, {n} thread{'s' if n != '1' else ''}",
            "median_s": seconds,
            "runs": RUNS,
            "note": note if n != "1" else "",
        }
        for n, seconds in timed.items()
    ]


def run(ctx) -> list[dict]:
    """Predict, TreeSHAP and training on the large workspace's features, 1 vs every core."""
    os.environ.pop("FOLLOWAUDIT_THREADS", None)
    ws = Workspace.open(ctx.workspace, read_only=True)
    try:
        frame = ws.con.sql("select * from account_features order by account_id").pl()
        labelled = training.labelled_frame(ws.con).head(TRAIN_ROWS)
        bundle = model.load_for_workspace(ws, features.feature_columns(frame))
    finally:
        ws.close()
    x = bundle.matrix(frame)
    rows = []
    n = len(x)
    rows += _rows(
        f"predict {n:,} accounts", _interleaved(_pair(bundle.booster, x)), model.threads(n)
    )
    shap_x = np.ascontiguousarray(x[:SHAP_ROWS])
    timed = _interleaved(_pair(bundle.booster, shap_x, pred_contrib=True))
    rows += _rows(f"TreeSHAP {SHAP_ROWS:,} accounts", timed, model.threads(SHAP_ROWS, "contrib"))
    one = np.ascontiguousarray(x[:1])
    timed = _interleaved(_pair(bundle.booster, one, pred_contrib=True))
    rows += _rows("TreeSHAP one account", timed, model.threads(1, "contrib"))
    rows += _train_rows(labelled, bundle.features)
    return rows


def _train_rows(labelled, names: list[str]) -> list[dict]:
    x = labelled.select(names).to_numpy().astype(np.float64)
    y = labelled["y"].to_numpy()
    params = {**training.PARAMS, "seed": training.SEED}

    def fit(threads: int) -> None:
        data = lgb.Dataset(x, label=y, feature_name=names, free_raw_data=True)
        lgb.train({**params, "num_threads": threads}, data, training.NUM_ROUNDS)

    both = [None] * model.CORES  # what the build does: independent fits, one thread each
    calls = {str(n): (lambda n=n: fit(n)) for n in (1, model.CORES)}
    timed = _interleaved({**calls, "side": lambda: training.fit_side_by_side(x, y, both, names)})
    label = f"train on {len(y):,} labelled"
    side = {
        "area": "threads",
        "measure": f"{label}, {model.CORES} fits side by side, 1 thread each (the build's CV)",
        "median_s": timed.pop("side"),
        "runs": RUNS,
        "note": f"{model.CORES} fits; the build trains its CV folds and final fit so",
    }
    return [*_rows(label, timed, 1), side]
