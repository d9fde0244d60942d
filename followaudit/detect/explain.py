"""SHAP explanations (LightGBM pred_contrib = TreeSHAP) and plain-language reason sentences."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from followaudit.detect import catalogue
from followaudit.detect import model as mdl
from followaudit.store.workspace import table_exists, write_frame

SAMPLE_SIZE = 5_000  # accounts in `shap_sample` for global plots (half flagged when possible)
LABELLED_CAP = 5_000  # labelled accounts explained at most (stratified by label)
REASONS_IN_TABLE = 3  # sentences kept in account_scores.top_reasons
SEED = 0


@dataclass(frozen=True)
class Contribution:
    """One feature's part in a score: its value, SHAP (log-odds) and what it means."""

    feature: str
    value: float | None
    shap: float
    description: str

    @property
    def sentence(self) -> str:
        """The account's value in words, e.g. "No profile picture"."""
        return catalogue.reason(self.feature, self.value)


@dataclass(frozen=True)
class Explanation:
    """Why one account scored as it did: base + contributions = margin -> calibrated score."""

    base_value: float  # log-odds of the average account
    margin: float  # base_value + sum(shap)
    base_probability: float  # calibrated probability at the base value
    score: float  # calibrated P(fake) of this account
    contributions: list[Contribution]  # largest |shap| first

    def frame(self) -> pl.DataFrame:
        """Contributions as a frame (feature, value, shap, description, sentence)."""
        return pl.DataFrame(
            [
                {
                    "feature": c.feature,
                    "value": c.value,
                    "shap": c.shap,
                    "description": c.description,
                    "sentence": c.sentence,
                }
                for c in self.contributions
            ],
            schema={
                "feature": pl.Utf8,
                "value": pl.Float64,
                "shap": pl.Float64,
                "description": pl.Utf8,
                "sentence": pl.Utf8,
            },
        )


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def contributions(bundle: mdl.ModelBundle, x: np.ndarray) -> np.ndarray:
    """TreeSHAP values per row (last column = base value), identical to shap.TreeExplainer."""
    return bundle.booster.predict(x, pred_contrib=True, num_threads=mdl.threads(len(x), "contrib"))


def explain_account(bundle: mdl.ModelBundle, features_row: pl.DataFrame | dict) -> Explanation:
    """Explain one account's score from its `account_features` row (frame of one row or dict)."""
    if isinstance(features_row, dict):
        features_row = pl.DataFrame([features_row])
    if features_row.height != 1:
        raise ValueError(f"explain_account needs exactly one row, got {features_row.height}")
    x = bundle.matrix(features_row)
    contrib = contributions(bundle, x)[0]
    shap, base = contrib[:-1], float(contrib[-1])
    margin = base + float(shap.sum())
    items = [
        Contribution(
            name,
            None if math.isnan(x[0, i]) else float(x[0, i]),
            float(shap[i]),
            catalogue.description(name),
        )
        for i, name in enumerate(bundle.features)
    ]
    items.sort(key=lambda c: -abs(c.shap))
    calibrate = bundle.calibration.apply
    return Explanation(
        base_value=base,
        margin=margin,
        base_probability=float(calibrate(np.array([_sigmoid(base)]))[0]),
        score=float(calibrate(np.array([_sigmoid(margin)]))[0]),
        contributions=items,
    )


def reason_sentences(explanation: Explanation, top: int = 5) -> list[str]:
    """The strongest reasons towards "fake", e.g. "No profile picture (+1.3)"."""
    positive = [c for c in explanation.contributions if c.shap > 0][:top]
    return [f"{c.sentence} (+{c.shap:.1f})" for c in positive]


def top_reasons(names: list[str], x: np.ndarray, shap: np.ndarray, top: int) -> list[str]:
    """ "; "-joined reason sentences of each row's `top` largest positive contributions."""
    order = np.argsort(-shap, axis=1)[:, :top]
    out = []
    for row, cols in enumerate(order):
        parts = [
            f"{catalogue.reason(names[c], None if math.isnan(x[row, c]) else float(x[row, c]))}"
            f" (+{shap[row, c]:.1f})"
            for c in cols
            if shap[row, c] > 0
        ]
        out.append("; ".join(parts))
    return out


# --- precomputed tables in the workspace -------------------------------------------------------


def _bundle_for_build(con: duckdb.DuckDBPyConnection, model_dir: str | Path) -> mdl.ModelBundle:
    """The model the build just trained into `model_dir`, or the default one it scored with."""
    own = Path(model_dir)
    if (own / "model.txt").exists():
        return mdl.load(own)
    columns = con.cursor().sql("select * from account_features limit 0").pl().columns
    return mdl.load_default([c for c in columns if c != "account_id"])


def _explained_accounts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Flagged accounts plus a label-stratified sample (<= LABELLED_CAP) of labelled ones."""
    cur = con.cursor()
    try:
        flagged = cur.sql("select account_id from account_scores where flagged").pl()
        labelled = (
            cur.sql(
                "select account_id, lower(label) = 'fake' as y from labels "
                "where lower(label) in ('fake', 'genuine')"
            ).pl()
            if table_exists(con, "labels")
            else pl.DataFrame(schema={"account_id": pl.Int64, "y": pl.Boolean})
        )
    finally:
        cur.close()
    if labelled.height > LABELLED_CAP:
        labelled = _stratified(labelled, "y", LABELLED_CAP)
    return pl.concat([flagged, labelled.select("account_id")]).unique().sort("account_id")


def _stratified(frame: pl.DataFrame, by: str, size: int) -> pl.DataFrame:
    """Up to `size` rows with the strata as equal as the data allows, seeded."""
    groups = frame.partition_by(by)
    groups.sort(key=lambda g: g.height)
    out, left = [], size
    for index, group in enumerate(groups):
        take = min(group.height, left // (len(groups) - index))
        out.append(group.sample(take, seed=SEED))
        left -= take
    return pl.concat(out)


def _shap_long(ids: pl.Series, names: list[str], x: np.ndarray, shap: np.ndarray) -> pl.DataFrame:
    """One row per account per feature: account_id, feature, value, shap."""
    n, k = x.shape
    return pl.DataFrame(
        {
            "account_id": np.repeat(ids.to_numpy(), k),
            "feature": np.tile(np.array(names, dtype=object), n),
            "value": x.reshape(-1),
            "shap": shap.reshape(-1),
        }
    ).with_columns(pl.col("value").fill_nan(None))


def _features_of(con: duckdb.DuckDBPyConnection, ids: pl.DataFrame) -> pl.DataFrame:
    cur = con.cursor()
    try:
        cur.register("_ids", ids.to_arrow())
        return cur.sql(
            "select f.* from account_features as f inner join _ids using (account_id) "
            "order by account_id"
        ).pl()
    finally:
        cur.close()


def precompute(con: duckdb.DuckDBPyConnection, model_dir: str | Path) -> None:
    """Tables `account_shap` (flagged + labelled sample) and `shap_sample`; fill top_reasons."""
    bundle = _bundle_for_build(con, model_dir)
    names = bundle.features
    rows = _features_of(con, _explained_accounts(con))
    x = bundle.matrix(rows)
    shap = contributions(bundle, x)[:, :-1] if len(x) else np.zeros((0, len(names)))
    write_frame(con, "account_shap", _shap_long(rows["account_id"], names, x, shap))
    reasons = pl.DataFrame(
        {
            "account_id": rows["account_id"],
            "reasons": top_reasons(names, x, shap, REASONS_IN_TABLE),
        }
    )
    write_frame(con, "_reasons", reasons)
    con.execute(
        "update account_scores set top_reasons = r.reasons from _reasons as r "
        "where account_scores.account_id = r.account_id"
    )
    con.execute("drop table _reasons")
    write_frame(con, "shap_sample", _global_sample(con, bundle))


def _global_sample(con: duckdb.DuckDBPyConnection, bundle: mdl.ModelBundle) -> pl.DataFrame:
    """Long SHAP rows for <= SAMPLE_SIZE accounts: half flagged, half not (when there are enough),
    with `stratum` and `weight` (accounts represented per sampled one) for honest global plots."""
    cur = con.cursor()
    try:
        pool = cur.sql("select account_id, flagged from account_scores").pl()
    finally:
        cur.close()
    sample = _stratified(pool, "flagged", SAMPLE_SIZE) if pool.height else pool
    counts = pool.group_by("flagged").len("population")
    sample = sample.join(counts, on="flagged").join(
        sample.group_by("flagged").len("sampled"), on="flagged"
    )
    rows = _features_of(con, sample.select("account_id"))
    x = bundle.matrix(rows)
    shap = contributions(bundle, x)[:, :-1] if len(x) else np.zeros((0, len(bundle.features)))
    strata = sample.select(
        "account_id",
        pl.when(pl.col("flagged"))
        .then(pl.lit("flagged"))
        .otherwise(pl.lit("not flagged"))
        .alias("stratum"),
        (pl.col("population") / pl.col("sampled")).alias("weight"),
    )
    return _shap_long(rows["account_id"], bundle.features, x, shap).join(
        strata, on="account_id", how="left"
    )
