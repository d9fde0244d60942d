"""Pack a workspace file from the Spark engine's tables (full, or a summary for platform data).

`full` copies every canonical and derived table. `summary` keeps what the analysts' pages need
when the platform is far too big for one file: every creator's daily series, spikes and their
followers, creator quality and score histograms, the flagged accounts, and a hash sample of accounts per flag stratum, with those accounts' own rows and
follows (README, "Platform-size data", says what each page loses).
"""

from __future__ import annotations

import glob

import duckdb

from followaudit.store.workspace import write_frame

CANONICAL = ("accounts", "follows", "engagement_daily", "labels", "campaigns", "events")
DERIVED = (
    "loaded_columns",
    "creator_daily",
    "account_features",
    "account_scores",
    "creator_daily_expected",
    "spikes",
    "spike_followers",
    "creator_quality",
)
# Tables a summary keeps only for its accounts (the rest are kept whole).
SUMMARISED = ("accounts", "follows", "labels", "account_features", "account_scores")
SUMMARY_SAMPLE = 100_000  # accounts sampled per flag stratum in a summary pack
SEED = 0
# Row order in the workspace file (Spark writes tables unordered): a spike's or an account's
# rows share row groups.
ORDER = {
    "spike_followers": "spike_id",
    "spikes": "spike_id",
    "creator_daily": "creator_id, date",
    "creator_daily_expected": "creator_id, date",
    "accounts": "account_id",
    "account_features": "account_id",
    "account_scores": "account_id",
    "creator_quality": "creator_id",
    "labels": "account_id",
}


def pack(engine, con: duckdb.DuckDBPyConnection, mode: str = "full") -> None:
    """Copy a `SparkEngine`'s tables into the workspace file `con` (`mode`: full or summary)."""
    sources = {t: t for t in (*CANONICAL, *DERIVED) if engine.has_table(t)}
    if mode == "summary":
        params = {"seed": SEED, "sample_size": SUMMARY_SAMPLE}
        engine.materialize("_summary_ids", "pack/summary_ids", params)
        for table in SUMMARISED:
            engine.materialize(f"_summary_{table}", f"pack/summary_{table}")
            sources[table] = f"_summary_{table}"
    for table, source in sources.items():
        copy_table(engine, con, table, source)


def copy_table(engine, con: duckdb.DuckDBPyConnection, table: str, source: str) -> None:
    """`create table <table>` in the workspace file from the engine's table `source`."""
    order = f" order by {ORDER[table]}" if table in ORDER else ""
    folder = engine.export(source)
    files = sorted(glob.glob(f"{folder}/*.parquet")) if folder else []
    if files:
        sql = f"create or replace table {table} as select * from read_parquet($files){order}"
        con.execute(sql, {"files": files})
        return
    # Not on a local disk (a cluster's file system, or Spark Connect): it comes as Arrow.
    write_frame(con, table, engine.read_arrow(source))
    if order:
        con.execute(f"create or replace table {table} as select * from {table}{order}")
