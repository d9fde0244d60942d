"""The detector's model: a calibrated LightGBM bundle, its card, save/load (files or inside the
workspace), how many threads a call gets, and scoring a frame. Training is `detect/training.py`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import polars as pl

from followaudit.detect import catalogue, marginal
from followaudit.detect.calibration import Calibration
from followaudit.store.workspace import Workspace, table_exists

if TYPE_CHECKING:  # LightGBM (which imports scikit-learn) loads with the first model: a page
    import lightgbm as lgb  # showing counts never needs it, and the import is 1-2 s

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default_model"
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
    return _bundle(*_texts(model_dir, prefix))


def _texts(model_dir: str | Path, prefix: str = "") -> tuple[str, str]:
    """(model text, card JSON) of a model folder."""
    model_dir = Path(model_dir)
    text, card_file = model_dir / f"{prefix}model.txt", model_dir / f"{prefix}card.json"
    if not text.exists() or not card_file.exists():
        raise ModelError(f"{model_dir} has no model.txt + card.json (train one with train-default)")
    return text.read_text(), card_file.read_text()


def _bundle(model_text: str, card_text: str) -> ModelBundle:
    import lightgbm as lgb

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
    return _bundle(*_default_texts(columns))


def _default_texts(columns: Iterable[str] | None = None) -> tuple[str, str]:
    twin = DEFAULT_MODEL_DIR / f"{PROFILE_PREFIX}model.txt"
    if columns is not None and not set(columns) & FOLLOW_FEATURES and twin.exists():
        return _texts(DEFAULT_MODEL_DIR, PROFILE_PREFIX)
    return _texts(DEFAULT_MODEL_DIR)


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
    return _bundle(*_workspace_texts(workspace, columns))


def card_for_workspace(workspace: Workspace, columns: Iterable[str] | None = None) -> dict:
    """The card of `load_for_workspace`'s model, without loading the model (nor LightGBM)."""
    return json.loads(_workspace_texts(workspace, columns)[1])


def _workspace_texts(workspace: Workspace, columns: Iterable[str] | None) -> tuple[str, str]:
    stored = stored_model(workspace)
    if stored is not None:  # this build's own answer: its model, or none (it used the default)
        return stored if stored else _default_texts(columns)
    legacy = workspace.sidecar / "model"  # workspaces built before the model moved inside
    return _texts(legacy) if (legacy / "model.txt").exists() else _default_texts(columns)


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


def threads(rows: int, work: str = "predict") -> int:
    """OpenMP threads for `rows` rows of `work` ("predict", "contrib" = TreeSHAP; "train": fits
    side by side, one thread each): FOLLOWAUDIT_THREADS, else every core once the work is big
    enough to pay for waking them."""
    configured = int(os.environ.get("FOLLOWAUDIT_THREADS", "0") or 0)
    if configured:
        return configured
    return CORES if rows >= PARALLEL_FROM_ROWS[work] else 1


def score_frame(
    frame: pl.DataFrame, bundle: ModelBundle, oof: pl.DataFrame | None = None
) -> pl.DataFrame:
    """`account_id, score` (calibrated P(fake)) and `oof_score` (out-of-fold, NULL when absent)."""
    if oof is None:
        oof = pl.DataFrame(schema={"account_id": pl.Int64, "oof_score": pl.Float64})
    scores = frame.select("account_id").with_columns(pl.Series("score", bundle.predict(frame)))
    return scores.join(oof, on="account_id", how="left")
