"""SQL that turns a source column of any type into a canonical type (NULL where it cannot)."""

from __future__ import annotations

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
           "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")  # fmt: skip
TRUE_WORDS = "'true', '1', 'yes', 'y', 't'"
FALSE_WORDS = "'false', '0', 'no', 'n', 'f'"
OFFSET = r"\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+-]\d\d(:?\d\d)?)$"


def cast_expr(col: str, target: str, source_type: str) -> str:
    """SQL turning source column `col` into `target`; NULL where the value does not convert."""
    src = source_type.upper()
    numeric = src.startswith(NUMERIC)
    text = f"trim(cast({col} as varchar))"
    if target == "VARCHAR":
        return f"cast({col} as varchar)"
    if target == "BOOLEAN":
        if src == "BOOLEAN":
            return col
        if numeric:
            return f"case when {col} = 1 then true when {col} = 0 then false end"
        return (
            f"case when lower({text}) in ({TRUE_WORDS}) then true "
            f"when lower({text}) in ({FALSE_WORDS}) then false end"
        )
    if target == "TIMESTAMP":
        return _timestamp_expr(col, src, numeric, text)
    if target == "DATE":
        if src.startswith(("TIMESTAMP", "DATE")):
            return f"cast({_timestamp_expr(col, src, numeric, text)} as date)"
        return f"coalesce(try_cast({text} as date), cast(try_cast({text} as timestamp) as date))"
    if src == "BOOLEAN" and target in ("BIGINT", "DOUBLE"):
        return f"cast(cast({col} as integer) as {target})"
    if target == "BIGINT" and src.startswith(("FLOAT", "DOUBLE", "DECIMAL")):
        return f"case when {col} = round({col}) then try_cast({col} as bigint) end"
    source = col if numeric else text
    return f"try_cast({source} as {target})"


def _epoch(number: str) -> str:
    # Epoch seconds, or milliseconds when the number is too large to be seconds.
    return (
        f"case when abs({number}) < 1e11 then make_timestamp(cast({number} * 1e6 as bigint)) "
        f"when abs({number}) < 1e14 then make_timestamp(cast({number} * 1e3 as bigint)) end"
    )


def _timestamp_expr(col: str, src: str, numeric: bool, text: str) -> str:
    if src.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"cast(timezone('UTC', {col}) as timestamp)"
    if src.startswith(("TIMESTAMP", "DATE")):
        return f"cast({col} as timestamp)"
    if numeric:
        return _epoch(f"cast({col} as double)")
    # A cast to TIMESTAMP silently drops a UTC offset, so texts with one go through TIMESTAMPTZ.
    return (
        f"coalesce(case when regexp_matches({text}, '{OFFSET}') "
        f"then cast(timezone('UTC', try_cast({text} as timestamptz)) as timestamp) "
        f"else try_cast({text} as timestamp) end, {_epoch(f'try_cast({text} as double)')})"
    )


def always_converts(source_type: str, target: str) -> bool:
    """Whether every value of a typed (Parquet) column converts, so the cast check can be skipped."""
    src = source_type.upper()
    if target == "BIGINT":
        return src in {
            "BIGINT",
            "INTEGER",
            "SMALLINT",
            "TINYINT",
            "UINTEGER",
            "USMALLINT",
            "UTINYINT",
        }
    if target in {"TIMESTAMP", "DATE"}:
        return src.startswith(("TIMESTAMP", "DATE"))
    if target == "DOUBLE":
        return src.startswith(NUMERIC) or src == "BOOLEAN"
    return src == target
