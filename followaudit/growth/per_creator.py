"""The growth step's Python work as pure functions of whole creators' rows (Arrow in and out).

The DuckDB engine calls each with every creator at once, Spark with one creator at a time
(`groupBy(creator_id).applyInArrow`); `tests/test_growth.py` checks both give the same rows. The
one value that needs every creator, the data's last day, is passed in.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow as pa

from followaudit.growth import baseline, spike_runs

EXPECTED_COLUMNS = [
    "creator_id",
    "date",
    "new_follows",
    "unfollows",
    "net_gain",
    "followers_total",
    "views",
    "likes",
    "engagement_rate",
    "expected",
    "expected_low",
    "expected_high",
    "flagged_follows",
    "young_follows",
    "nopic_follows",
    "mean_score",
    "flagged_share",
    "quality_expected",
    "count_anomaly",
    "quality_anomaly",
]
_INT = {"new_follows", "unfollows", "net_gain", "followers_total", "views", "likes"}
_INT |= {"flagged_follows", "young_follows", "nopic_follows", "creator_id"}
_BOOL = {"count_anomaly", "quality_anomaly"}


def _type(name: str) -> pa.DataType:
    if name == "date":
        return pa.date32()
    return pa.int64() if name in _INT else pa.bool_() if name in _BOOL else pa.float64()


EXPECTED = pa.schema([(c, _type(c)) for c in EXPECTED_COLUMNS])
# What spike runs read beyond the expected table; kept with the days until spikes are found.
DAYS = EXPECTED.append(pa.field("_q", pa.float64())).append(pa.field("_scale", pa.float64()))
for _column in ("views_baseline", "talk", "talk_baseline"):
    DAYS = DAYS.append(pa.field(_column, pa.float64()))
RUNS = pa.schema(
    [("creator_id", pa.int64()), ("start", pa.date32()), ("end", pa.date32())]
    + [("followers_gained", pa.int64()), ("expected_followers", pa.float64())]
    + [(c, pa.float64()) for c in ("excess", "score", "flagged_share", "young_share")]
    + [("nopic_share", pa.float64()), ("days", pa.int64())]  # Spark has no unsigned types
    + [(c, pa.float64()) for c in ("flagged_excess", "quality_z", "views_ratio", "talk_ratio")]
)


def expected_table(frame: pl.DataFrame) -> pl.DataFrame:
    """An `expected_gain` frame with the `creator_daily_expected` columns (+ those runs read)."""
    share = pl.col("flagged_follows") / pl.col("new_follows").clip(1)
    frame = frame.with_columns(share.alias("flagged_share"))
    for column in ("unfollows", "net_gain", "followers_total", "engagement_rate", "mean_score"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Float64).alias(column))
    # Densified days carry no running total: it is the previous day's.
    return frame.with_columns(pl.col("followers_total").forward_fill().over("creator_id"))


def expected_days(
    rows: pa.Table, last_day: dt.date, cfg: baseline.BaselineConfig | None = None
) -> pa.Table:
    """`daily_series` rows of whole creators -> their dense days with expected gain (DAYS)."""
    frame = baseline.expected_gain(pl.from_arrow(rows), cfg, last_day=last_day)
    return expected_table(frame).select(DAYS.names).to_arrow().cast(DAYS)


def spike_candidates(rows: pa.Table, cfg: baseline.BaselineConfig | None = None) -> pa.Table:
    """DAYS rows of whole creators -> their significant runs of anomalous days (RUNS)."""
    frame = pl.from_arrow(rows).sort("creator_id", "date")
    found = spike_runs.summarise_runs(frame, spike_runs.find_runs(frame))
    return spike_runs.significant(found, cfg).select(RUNS.names).to_arrow().cast(RUNS)
