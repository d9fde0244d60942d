"""The DuckDB engine's `map_groups` maps slices of whole groups side by side: every group goes
to exactly one call, and the rows come back as one call over the whole table gives them."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from followaudit.store import engine as engine_module
from followaudit.store.engine import DuckDBEngine, group_parts

KEYS = [1, 1, 1, 2, 2, 3, 3, 3, 3, 4]
SCHEMA = pa.schema([("creator_id", pa.int64()), ("running", pa.int64())])


@pytest.mark.parametrize("parts", [1, 2, 3, 4, 20])
def test_parts_hold_whole_groups_in_order(parts):
    rows = pa.table({"creator_id": KEYS, "v": list(range(len(KEYS)))})
    cut = group_parts(rows, "creator_id", parts)
    assert 1 <= len(cut) <= parts
    assert pa.concat_tables(cut).equals(rows)
    seen = [set(part["creator_id"].to_pylist()) for part in cut]
    assert all(not (a & b) for i, a in enumerate(seen) for b in seen[i + 1 :])


def test_parts_of_no_rows_and_of_one_group():
    rows = pa.table({"creator_id": [7, 7, 7], "v": [1, 2, 3]})
    assert group_parts(rows.slice(0, 0), "creator_id", 2) == []
    assert [p.num_rows for p in group_parts(rows, "creator_id", 2)] == [3]


def running_sum(rows: pa.Table) -> pa.Table:
    """A per-creator running sum (a group function: its rows never depend on other groups)."""
    frame = rows.to_pandas().sort_values(["creator_id", "v"], kind="stable")
    frame["running"] = frame.groupby("creator_id")["v"].cumsum()
    return pa.Table.from_pandas(frame[["creator_id", "running"]], preserve_index=False)


def test_map_groups_equals_one_call_over_the_whole_table(monkeypatch):
    monkeypatch.setattr(engine_module.os, "cpu_count", lambda: 3)
    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values "
        + ", ".join(f"({k}, {v})" for v, k in enumerate(reversed(KEYS)))
        + ") as r(creator_id, v)"
    )
    calls: list[list[int]] = []

    def recorded(rows: pa.Table) -> pa.Table:
        calls.append(rows["creator_id"].to_pylist())
        return running_sum(rows)

    DuckDBEngine(con).map_groups("out", "t", "creator_id", recorded, SCHEMA)
    whole = running_sum(con.sql("select * from t order by creator_id").to_arrow_table())
    assert con.sql("select * from out").to_arrow_table().equals(whole.cast(SCHEMA))
    assert len(calls) == 3
    groups = [set(keys) for keys in calls]
    assert sum(len(g) for g in groups) == len(set(KEYS))  # no group split between calls
