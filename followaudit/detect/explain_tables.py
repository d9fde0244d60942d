"""The build's explanation step: everything expensive, on bounded samples, once per build.

- `shap_sample`: SHAP of <= SAMPLE_SIZE accounts, stratified by score, for the global plots;
- `shap_interactions`: the strongest feature pairs, from <= INTERACTION_SAMPLE of those accounts;
- `feature_reference`: per-feature quantiles of genuine accounts (values in context).
Per-account explanations are not stored: one costs a few milliseconds on demand, while all
flagged accounts of a 1M world cost a minute (0.4 ms of TreeSHAP each).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from followaudit.detect import explain, interactions, reference
from followaudit.detect import model as mdl
from followaudit.store.workspace import write_frame

SAMPLE_SIZE = 5_000  # accounts in `shap_sample` (half scoring >= HIGH_SCORE when possible)
INTERACTION_SAMPLE = 256  # accounts whose interaction values are averaged (~7 ms each)
HIGH_SCORE = 0.5  # strata of the global sample: P(fake) >= 0.5 and below; policy-free
SEED = 0
HIGH, LOW = f"score >= {HIGH_SCORE:.0%}", f"score < {HIGH_SCORE:.0%}"


def stratified(frame: pl.DataFrame, by: str, size: int) -> pl.DataFrame:
    """Up to `size` rows with the strata as equal as the data allows, seeded."""
    groups = frame.partition_by(by)
    groups.sort(key=lambda g: g.height)
    out, left = [], size
    for index, group in enumerate(groups):
        take = min(group.height, left // (len(groups) - index))
        out.append(group.sample(take, seed=SEED))
        left -= take
    return pl.concat(out) if out else frame


def _sampled_accounts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """account_id, stratum and weight (accounts each sampled one stands for)."""
    cur = con.cursor()
    try:
        pool = cur.sql(
            "select account_id, case when score >= $high then $h else $l end as stratum "
            "from account_scores",
            params={"high": HIGH_SCORE, "h": HIGH, "l": LOW},
        ).pl()
    finally:
        cur.close()
    if pool.is_empty():
        return pool.with_columns(pl.lit(None, pl.Float64).alias("weight"))
    sample = stratified(pool, "stratum", SAMPLE_SIZE)
    population = pool.group_by("stratum").len("population")
    sampled = sample.group_by("stratum").len("sampled")
    return (
        sample.join(population, on="stratum")
        .join(sampled, on="stratum")
        .select("account_id", "stratum", (pl.col("population") / pl.col("sampled")).alias("weight"))
        .sort("account_id")
    )


def _features_of(con: duckdb.DuckDBPyConnection, ids: pl.DataFrame) -> pl.DataFrame:
    cur = con.cursor()
    try:
        cur.register("_ids", ids.select("account_id").to_arrow())
        return cur.sql(
            "select f.* from account_features as f inner join _ids using (account_id) "
            "order by account_id"
        ).pl()
    finally:
        cur.close()


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


def global_sample(con: duckdb.DuckDBPyConnection, bundle: mdl.ModelBundle) -> tuple:
    """The `shap_sample` frame (model-read features only) and the sample's matrix and weights."""
    sample = _sampled_accounts(con)
    rows = _features_of(con, sample)
    x = bundle.matrix(rows)
    names = bundle.features
    shap = explain.contributions(bundle, x)[:, :-1] if len(x) else np.zeros((0, len(names)))
    long = _shap_long(rows["account_id"], names, x, shap)
    long = long.filter(pl.col("feature").is_in(bundle.used_features))
    weights = rows.select("account_id").join(sample, on="account_id", how="left")["weight"]
    return long.join(sample, on="account_id", how="left"), x, weights.to_numpy()


def _interaction_rows(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Indices of <= INTERACTION_SAMPLE rows of the global sample, seeded."""
    if len(x) <= INTERACTION_SAMPLE:
        return np.arange(len(x))
    rng = np.random.default_rng(SEED)
    return np.sort(rng.choice(len(x), INTERACTION_SAMPLE, replace=False))


def precompute(con: duckdb.DuckDBPyConnection, model_dir: str | Path) -> None:
    """Tables `shap_sample`, `shap_interactions` and `feature_reference` for this build."""
    bundle = mdl.load(model_dir)  # the scoring step saved exactly the model that scored
    long, x, weights = global_sample(con, bundle)
    write_frame(con, "shap_sample", long)
    pick = _interaction_rows(x, weights)
    # rows were drawn uniformly within the sample, so the sample's weights still apply
    write_frame(con, "shap_interactions", interactions.global_pairs(bundle, x[pick], weights[pick]))
    reference.build_reference(con)
