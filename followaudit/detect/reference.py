"""Values in context: each feature's distribution over genuine accounts, computed once per build,
so a reason can say "Account 231 days old — younger than 80% of genuine accounts".

The reference population is the workspace's labelled-genuine accounts when it has at least
MIN_GENUINE of them; otherwise the accounts the model scores below LOW_SCORE (said in the words:
"low-score accounts"), a stand-in for genuine accounts that needs no labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from followaudit.detect import catalogue
from followaudit.store.workspace import run_query, table_exists, write_frame

QUANTILES = 201  # every half percentile: a share read from them is within 0.5 points
MIN_GENUINE = 100
LOW_SCORE = 0.1
TABLE = "feature_reference"
POPULATIONS = {
    "genuine": ("genuine accounts", "the {n:,} accounts labelled genuine"),
    "low_score": (
        "low-score accounts",
        f"the {{n:,}} accounts the model scores below {LOW_SCORE:.0%} "
        f"(fewer than {MIN_GENUINE} genuine labels to compare with)",
    ),
}


@dataclass(frozen=True)
class Reference:
    """Per-feature quantiles of the reference population, and how to word a comparison."""

    population: str  # key of POPULATIONS
    accounts: int
    quantiles: dict[str, np.ndarray]

    @property
    def short_name(self) -> str:
        """How sentences name the population: "genuine accounts"."""
        return POPULATIONS[self.population][0]

    @property
    def description(self) -> str:
        """Who the population is, with its size, for a caption."""
        return POPULATIONS[self.population][1].format(n=self.accounts)

    def shares(self, feature: str, value: float) -> tuple[float, float] | None:
        """Shares of the population below and above `value` (None when not comparable)."""
        q = self.quantiles.get(feature)
        if q is None or not len(q) or value is None or math.isnan(value):
            return None
        return float(np.mean(q < value)), float(np.mean(q > value))

    def compare(self, feature: str, value: float | None) -> str | None:
        """ "younger than 80% of genuine accounts", "like only 3% of genuine accounts", or None."""
        shares = None if value is None else self.shares(feature, value)
        if shares is None:
            return None
        below, above = shares
        same = max(0.0, 1.0 - below - above)
        who = self.short_name
        if _is_flag(self.quantiles[feature]) or same >= 0.3:
            return f"like {'only ' if same < 0.5 else ''}{_pct(same)} of {who}"
        if below >= 0.25 and above >= 0.25:
            return f"within the middle half of {who}"
        more, less = catalogue.comparatives(feature)
        return (
            f"{more} than {_floor_pct(below)} of {who}"
            if below > above
            else (f"{less} than {_floor_pct(above)} of {who}")
        )


def _is_flag(q: np.ndarray) -> bool:
    return bool(np.isin(q, (0.0, 1.0)).all())


def _pct(share: float) -> str:
    return "fewer than 1%" if 0 < share < 0.005 else f"{share:.0%}"


def _floor_pct(share: float) -> str:
    """Never overclaim: 99.7% reads "99%", and beyond every quantile is still "99%"."""
    return f"{math.floor(min(share, 0.995) * 100)}%"


# --- the build step ----------------------------------------------------------------------------


def _population(con: duckdb.DuckDBPyConnection) -> str:
    if not table_exists(con, "labels"):
        return "low_score"
    cur = con.cursor()
    try:
        genuine = cur.execute(
            "select count(*) from labels where lower(label) = 'genuine'"
        ).fetchone()[0]
    finally:
        cur.close()
    return "genuine" if genuine >= MIN_GENUINE else "low_score"


def reference_frame(features: pl.DataFrame, population: str) -> pl.DataFrame:
    """One row per feature: population, accounts, quantiles (QUANTILES values, NULLs left out)."""
    rows = []
    for name in [c for c in features.columns if c != "account_id"]:
        values = features[name].drop_nulls().drop_nans().sort().to_numpy()
        if not len(values):
            continue
        positions = np.linspace(0, len(values) - 1, QUANTILES).round().astype(int)
        rows.append((name, population, len(values), values[positions].astype(float).tolist()))
    return pl.DataFrame(
        rows,
        schema={
            "feature": pl.Utf8,
            "population": pl.Utf8,
            "accounts": pl.Int64,
            "quantiles": pl.List(pl.Float64),
        },
        orient="row",
    )


def build_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Table `feature_reference`: per-feature quantiles of genuine (or low-score) accounts."""
    population = _population(con)
    params = {"population": population, "low_score": LOW_SCORE}
    features = run_query(con, "explain/reference_accounts", params)
    write_frame(con, TABLE, reference_frame(features, population))


def from_frame(frame: pl.DataFrame) -> Reference | None:
    """A Reference from `feature_reference` rows (None when the table is empty)."""
    if frame.is_empty():
        return None
    return Reference(
        population=frame["population"][0],
        accounts=int(frame["accounts"].max()),
        quantiles={
            r["feature"]: np.asarray(r["quantiles"], dtype=float)
            for r in frame.iter_rows(named=True)
        },
    )
