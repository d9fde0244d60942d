"""Scoring a workspace on any engine: train on the driver, score every account in batches."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import duckdb
import lightgbm as lgb
import polars as pl
import pyarrow as pa

from followaudit.detect import model as mdl
from followaudit.detect import training
from followaudit.store.engine import Engine, as_engine

SCORES = pa.schema([("account_id", pa.int64()), ("score", pa.float64())])
OOF = {"account_id": pl.Int64, "oof_score": pl.Float64}
_BUNDLES: dict[int, mdl.ModelBundle] = {}  # per worker process: load each model once


def score_workspace(engine: Engine | duckdb.DuckDBPyConnection, model_dir: str | Path) -> None:
    """Table `_model_scores` (`account_id, score, oof_score`) for every account; trains (CV,
    calibrated) on at most `training.TRAIN_CAP` labelled accounts when labels allow, else uses the
    default model. Either way the model that scored, adapted to this data, is saved into
    `model_dir`: the app explains every score with exactly the model that produced it."""
    engine = as_engine(engine)
    names = [c for c in engine.columns("account_features") if c != "account_id"]
    labelled = training.labelled_frame(engine, limit=training.TRAIN_CAP)
    oof = pl.DataFrame(schema=OOF)
    if training.trainable(labelled):
        card = {"trained_on": mdl.WORKSPACE_LABELS}
        result = training.train_on_labelled(labelled, names, card, total=labelled_count(engine))
        bundle = result.bundle
        oof = pl.DataFrame({"account_id": result.account_ids, "oof_score": result.oof}, OOF)
    else:
        bundle = mdl.load_default(names)
    bundle = bundle.adapted_to(_null_probe(engine, names))
    bundle.save(model_dir)
    engine.write("_oof_scores", oof)
    score = partial(score_batch, payload=to_payload(bundle))
    engine.map_batches("_raw_scores", "account_features", score, SCORES)
    engine.materialize("_model_scores", "detect/model_scores")


def _null_probe(engine: Engine, names: list[str]) -> pl.DataFrame:
    """One row with `account_features`' columns, NULL where any account lacks the feature:
    all `ModelBundle.adapted_to` reads of the whole table."""
    counts = engine.non_null_counts("account_features", ["account_id", *names])
    total = counts["account_id"]
    row = {n: [None if counts[n] < total else 0.0] for n in names}
    return pl.DataFrame(row, schema={n: pl.Float64 for n in names})


def bundle_of(payload: tuple[str, dict]) -> mdl.ModelBundle:
    """The model for a payload, loaded once per process."""
    key = hash(payload[0])
    if key not in _BUNDLES:
        _BUNDLES.clear()
        _BUNDLES[key] = from_payload(payload)
    return _BUNDLES[key]


def score_batch(batch: pa.RecordBatch, payload: tuple[str, dict]) -> pa.Table:
    """`account_id, score` for a batch of `account_features` rows."""
    frame = pl.from_arrow(batch)
    scores = bundle_of(payload).predict(frame)
    return pa.table({"account_id": frame["account_id"].to_arrow(), "score": scores}, SCORES)


def labelled_count(engine: Engine | duckdb.DuckDBPyConnection) -> int:
    """How many accounts are labelled fake or genuine."""
    engine = as_engine(engine)
    if not engine.has_table("labels"):
        return 0
    return int(engine.run("detect/label_counts")["accounts"].sum())


def to_payload(bundle: mdl.ModelBundle) -> tuple[str, dict]:
    """The bundle as plain values (model text, card with calibration) to ship to workers."""
    return bundle.booster.model_to_string(), {
        **bundle.card,
        "calibration": bundle.calibration.to_dict(),
    }


def from_payload(payload: tuple[str, dict]) -> mdl.ModelBundle:
    """A bundle from `to_payload`'s values (its predictions equal the original's exactly)."""
    text, card = payload
    return mdl.ModelBundle(lgb.Booster(model_str=text), mdl.calibration_of(card), card)
