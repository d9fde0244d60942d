"""SHAP interaction values (shap.TreeExplainer): which pairs of features act together.

An interaction value Φ_ab is the part of a prediction that a and b make only jointly; the pair's
total effect is 2·Φ_ab (Φ is symmetric), in the same log-odds as every other contribution. Costs
~7 ms per account on this machine, so the build computes them on a bounded sample and the account
page asks for one account at a time.
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from followaudit.detect import model as mdl

PAIR_SCHEMA = {"feature_a": pl.Utf8, "feature_b": pl.Utf8, "strength": pl.Float64}


def interaction_values(bundle: mdl.ModelBundle, x: np.ndarray) -> np.ndarray:
    """Φ per row: an (rows, features, features) array; each row's entries sum to its margin
    minus the base value (rows of Φ sum to the SHAP values)."""
    import shap  # ~2 s to import: only when interactions are asked for

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explainer = shap.TreeExplainer(bundle.booster)
        values = explainer.shap_interaction_values(x)
    return np.asarray(values[1] if isinstance(values, list) else values, dtype=float)


def _pairs(names: list[str], strength: np.ndarray, used: set[str]) -> pl.DataFrame:
    """Off-diagonal pairs (a before b in model order) of a features x features strength matrix."""
    rows = [
        (names[a], names[b], float(strength[a, b]))
        for a in range(len(names))
        for b in range(a + 1, len(names))
        if names[a] in used and names[b] in used
    ]
    return pl.DataFrame(rows, schema=PAIR_SCHEMA, orient="row").sort("strength", descending=True)


def global_pairs(bundle: mdl.ModelBundle, x: np.ndarray, weights: np.ndarray) -> pl.DataFrame:
    """Every feature pair's weighted mean |2·Φ_ab| over a sample (weights: accounts per row)."""
    if not len(x):
        return pl.DataFrame(schema=PAIR_SCHEMA)
    phi = interaction_values(bundle, x)
    strength = 2 * np.einsum("i,ijk->jk", weights, np.abs(phi)) / weights.sum()
    return _pairs(bundle.features, strength, set(bundle.used_features))


def account_pairs(bundle: mdl.ModelBundle, x_row: np.ndarray, top: int = 5) -> pl.DataFrame:
    """One account's strongest pairs: feature_a, feature_b, strength (signed 2·Φ_ab, log-odds)."""
    phi = interaction_values(bundle, x_row.reshape(1, -1))[0]
    pairs = _pairs(bundle.features, 2 * phi, set(bundle.used_features))
    return pairs.sort(pl.col("strength").abs(), descending=True).head(top)


def strongest_partner(pairs: pl.DataFrame, feature: str) -> str | None:
    """The feature that interacts most with `feature` (for colouring its dependence plot)."""
    touching = pairs.filter((pl.col("feature_a") == feature) | (pl.col("feature_b") == feature))
    if touching.is_empty():
        return None
    best = touching.sort("strength", descending=True).row(0, named=True)
    return best["feature_b"] if best["feature_a"] == feature else best["feature_a"]
