"""Hypothesis strategies for hostile and careless inputs: data folders, tables, mappings and
follower lists. Shared by the CLI fuzz tests and the web app's upload tests.

Values lean towards the edges that broke things before: NaN, infinities, 1e30, 19-digit ids,
lone surrogates, NUL, `__row` columns, folders named like files, binary bytes, SQL in mappings.
Every strategy yields plain data (bytes, dicts); `write_folder` and friends put it on disk.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from hypothesis import strategies as st

from followaudit.data.spec import TABLES

TABLE_NAMES = list(TABLES)
EDGE_TEXT = [
    "", " ", "NaN", "nan", "inf", "-inf", "Infinity", "1e30", "-1", "0", "1", "true", "Y", "no",
    "9223372036854775807", "9223372036854775808", "1500000000000000001", "-9223372036854775808",
    "2024-05-01", "2024-05-01 13:45:00", "2024-05-01T13:45:00+02:00", "1714567890",
    "1714567890123", "1999-12-31", "3000-01-01", "fake", "genuine", "FAKE ", "x,y", 'a"b',
    "line\nbreak", "\x00", "\ud800", "é", "𝔘", "![x](http://host/t.png)", "<b>b</b>",
    "'; drop table accounts; --", "read_csv('/etc/passwd')",
]  # fmt: skip
COLUMN_NAMES = sorted({c.name for t in TABLES.values() for c in t.columns})
JUNK_COLUMNS = ["__row", "file_row_number", "", " ", "Account_ID", "extra_", "extra_x", "é", "a b"]
FILE_STEMS = TABLE_NAMES + ["acounts", "Follows", "labels.old", "x", ""]
SUFFIXES = [".csv", ".parquet", ".CSV", ".txt", ""]

cells = st.one_of(
    st.sampled_from(EDGE_TEXT),
    st.integers(min_value=-(2**64), max_value=2**64).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)


@st.composite
def column_lists(draw, table: str | None = None) -> list[str]:
    """Column names: mostly a table's own (required first), plus junk and duplicates."""
    own = [c.name for c in TABLES[table].columns] if table in TABLES else COLUMN_NAMES
    names = draw(st.lists(st.sampled_from(own), max_size=len(own), unique=True))
    required = [c.name for c in TABLES[table].columns if c.required] if table in TABLES else []
    if draw(st.booleans()):
        names = required + [n for n in names if n not in required]
    names += draw(st.lists(st.sampled_from(JUNK_COLUMNS + COLUMN_NAMES), max_size=2))
    return names


@st.composite
def csv_bytes(draw, table: str | None = None, max_rows: int = 6) -> bytes:
    """A CSV file's bytes: header, rows of edge cells, sometimes ragged or not UTF-8."""
    names = draw(column_lists(table))
    rows = draw(
        st.lists(st.lists(cells, min_size=len(names), max_size=len(names)), max_size=max_rows)
    )
    if rows and draw(st.integers(0, 9)) == 0:
        rows[-1] = rows[-1][:-1]  # a truncated last line
    text = "\n".join(",".join(_csv_cell(v) for v in row) for row in [names, *rows])
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 19)) == 0:
        data = draw(st.binary(max_size=64))
    return data


def _csv_cell(value: str) -> str:
    if any(ch in value for ch in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


_POLARS_VALUES = {
    pl.Int64: st.integers(min_value=-(2**63), max_value=2**63 - 1),
    pl.Float64: st.floats(allow_nan=True, allow_infinity=True),
    pl.String: st.text(max_size=8),
    pl.Boolean: st.booleans(),
}


@st.composite
def parquet_bytes(draw, table: str | None = None, max_rows: int = 6) -> bytes:
    """A Parquet file's bytes: the table's columns typed at random (ints, NaN floats, text)."""
    names = list(dict.fromkeys(n for n in draw(column_lists(table)) if n))
    height = draw(st.integers(0, max_rows))
    columns = {}
    for name in names:
        dtype = draw(st.sampled_from(list(_POLARS_VALUES)))
        values = draw(st.lists(st.none() | _POLARS_VALUES[dtype], min_size=height, max_size=height))
        columns[name] = pl.Series(name, values, dtype=dtype)
    buffer = io.BytesIO()
    frame = pl.DataFrame(columns) if columns else pl.DataFrame({"x": [None] * height})
    frame.write_parquet(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Entry:
    """One thing in a data folder: a file with bytes, or a folder (named like a file)."""

    name: str
    data: bytes | None  # None: a folder


@st.composite
def folder_entries(draw, max_files: int = 4) -> list[Entry]:
    """A data folder's entries: table files (CSV or Parquet), junk names, folders, empty files."""
    entries = {}
    for _ in range(draw(st.integers(0, max_files))):
        stem = draw(st.sampled_from(FILE_STEMS))
        suffix = draw(st.sampled_from(SUFFIXES))
        kind = draw(st.sampled_from(["csv", "csv", "parquet", "folder", "empty"]))
        if kind == "folder":
            data = None
        elif kind == "empty":
            data = b""
        elif kind == "parquet":
            data = draw(parquet_bytes(stem))
        else:
            data = draw(csv_bytes(stem))
        if stem + suffix:
            entries[stem + suffix] = Entry(stem + suffix, data)
    return list(entries.values())


def write_folder(entries: list[Entry], folder: Path) -> Path:
    """Put `entries` into `folder` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        path = folder / entry.name
        if entry.data is None:
            path.mkdir()
        else:
            path.write_bytes(entry.data)
    return folder


# --- mappings -----------------------------------------------------------------------------------

LEGIT_EXPRESSIONS = [
    "length(screen_name) * 2",
    "default_profile_image is null or default_profile_image = 0",
    "coalesce(nullif(followers, 0), 1)",
    "lower(trim(screen_name))",
    "cast(followers as double) / 2",
    "case when followers > 10 then true else false end",
    "strptime(cast(created as varchar), '%Y-%m-%d')",
    "length(regexp_replace(screen_name, '[^0-9]', '', 'g'))",
]
ATTACK_EXPRESSIONS = [
    "(select string_agg(column0,'|') from read_csv('/etc/passwd', header=false, sep='\t'))",
    "1); copy (select 1) to '/tmp/fuzz_pwned.csv'; select (1",
    "1; attach '/tmp/fuzz_pwned.db' as x",
    "install httpfs",
    "read_csv('/etc/passwd')",
    "getenv('HOME')",
    "followers in (select 1)",
    "*",
    "",
    "length(",
    "nope + 1",
    "cast(followers as int[])",
]
SOURCE_COLUMNS = ["screen_name", "followers", "default_profile_image", "created", "fake", "bio"]
TARGETS = [c.name for c in TABLES["accounts"].columns] + ["bio_length", "not_a_target"]


@st.composite
def mapping_toml(draw) -> str:
    """Mapping TOML text: real and wrong formats, columns, expressions (legit and hostile), labels."""
    lines = [
        "[source]",
        f"format = {json.dumps(draw(st.sampled_from(['csv', 'json', 'parquet', 'xls'])))}",
    ]
    if draw(st.booleans()):
        lines.append(f"observed_at = {json.dumps(draw(st.sampled_from(EDGE_TEXT)))}")
    targets = draw(st.lists(st.sampled_from(TARGETS), max_size=5, unique=True))
    split = draw(st.integers(0, len(targets)))
    lines.append("[columns]")
    for target in targets[:split]:
        source = draw(st.sampled_from(SOURCE_COLUMNS + ["missing", "#weird col"]))
        lines.append(f"{target} = {json.dumps(source)}")
    lines.append("[expressions]")
    for target in targets[split:]:
        text = draw(st.sampled_from(LEGIT_EXPRESSIONS + ATTACK_EXPRESSIONS) | st.text(max_size=20))
        lines.append(f"{target} = {json.dumps(text)}")
    if draw(st.booleans()):
        fakes = draw(st.lists(st.sampled_from(["yes", "1", "true", "fake"]), max_size=2))
        lines += ["[label]", f"column = {json.dumps(draw(st.sampled_from(['fake', 'missing'])))}"]
        lines.append(f"fake_values = {json.dumps(fakes)}")
    if draw(st.booleans()):
        lines += ["[extra]", f"columns = {json.dumps(draw(st.lists(st.sampled_from(SOURCE_COLUMNS), max_size=2)))}"]  # fmt: skip
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 14)) == 0:
        return draw(st.text(max_size=40))
    return text


@st.composite
def source_table(draw) -> tuple[str, bytes]:
    """An external account table to import: (format, bytes) over the mapping's source columns."""
    fmt = draw(st.sampled_from(["csv", "json", "parquet"]))
    names = draw(
        st.lists(st.sampled_from(SOURCE_COLUMNS + JUNK_COLUMNS[:3]), max_size=6, unique=True)
    )
    rows = draw(st.lists(st.lists(cells, min_size=len(names), max_size=len(names)), max_size=5))
    if fmt == "csv":
        text = "\n".join(",".join(_csv_cell(v) for v in row) for row in [names, *rows])
        return fmt, text.encode("utf-8", "surrogatepass")
    if fmt == "json":
        records = [dict(zip(names, row, strict=True)) for row in rows]
        return fmt, json.dumps(records).encode()
    return fmt, draw(parquet_bytes())


# --- follower lists -----------------------------------------------------------------------------

_TIMESTAMPS = st.one_of(
    st.integers(min_value=1_000_000_000, max_value=1_800_000_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e30, 2**32, 1714567890123]),
)
_IDS = st.one_of(st.integers(min_value=-(2**63), max_value=2**64).map(str), st.text(max_size=6))


@st.composite
def follower_list(draw) -> tuple[str, bytes]:
    """A follower list: (suffix, bytes), JSON `{id: {rank, timestamp}}` or CSV, with edge values."""
    size = draw(st.integers(0, 30))
    ids = draw(st.lists(_IDS, min_size=size, max_size=size, unique=True))
    ranks = draw(st.lists(st.integers(-5, 50), min_size=size, max_size=size))
    stamps = draw(st.lists(_TIMESTAMPS, min_size=size, max_size=size))
    suffix = draw(st.sampled_from([".json", ".csv", ".txt"]))
    if suffix == ".csv":
        rows = ["follower_id,rank,timestamp"] + [
            f"{_csv_cell(i)},{r},{t!r}" for i, r, t in zip(ids, ranks, stamps, strict=True)
        ]
        return suffix, "\n".join(rows).encode("utf-8", "surrogatepass")
    body = {i: {"rank": r, "timestamp": t} for i, r, t in zip(ids, ranks, stamps, strict=True)}
    text = json.dumps(body)
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]  # truncated
    return suffix, text.encode("utf-8", "surrogatepass")
