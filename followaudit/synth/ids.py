"""Platform-size ids: shift every account id of a generated world by a constant.

Real platforms hand out 19-digit ids, above 2^53, where JavaScript rounds numbers. A world
shifted by 1.5e18 checks that no page, link, chart or export loses a digit.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ID_COLUMNS = ("account_id", "follower_id", "creator_id")  # every column that names an account
MAX_ID = 2**63 - 1


def offset_ids(folder: str | Path, offset: int) -> None:
    """Add `offset` to every account id in the world's Parquet files, in place."""
    if offset < 0:
        raise ValueError(f"id offset {offset}: expected a non-negative number")
    for path in sorted(Path(folder).glob("*.parquet")):
        table = pq.read_table(path)
        shifted = _shift(table, offset)
        if shifted is not table:
            pq.write_table(shifted, path, compression="zstd")


def _shift(table: pa.Table, offset: int) -> pa.Table:
    for name in ID_COLUMNS:
        if name not in table.column_names:
            continue
        column = table.column(name)
        top = pc.max(column).as_py()
        if top is not None and top > MAX_ID - offset:
            raise ValueError(f"id offset {offset}: {name} {top} would pass 2^63 - 1")
        table = table.set_column(
            table.column_names.index(name), name, pc.add(column, pa.scalar(offset, pa.int64()))
        )
    return table
