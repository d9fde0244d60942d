"""How numbers and text reach the page: one formatting of each value, one escaping of untrusted text.

Every string that comes from the data (usernames, display names, bios, file names and cells) or
from analysts (notes, reviewer names, policy names, URL parameters) goes through `plain` before it
becomes part of anything Streamlit renders as Markdown: `st.markdown`, captions, alerts, titles,
metric labels and values, button / page-link / expander labels, radio options, help texts,
status labels. Plain-text elements (`st.text`, `st.code`, `st.dataframe` cells, selectbox options,
text-input values) show text as it is and take it raw.
"""

from __future__ import annotations

import re
import string

import polars as pl

# CommonMark lets a backslash escape any ASCII punctuation character, and Streamlit's own syntax
# (`$math$`, `:material/icon:`, `:red[text]`, `:emoji:`) is punctuation-led too.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# Streamlit links bare URLs and e-mail addresses in the text *after* parsing (escapes are gone by
# then), so the patterns themselves are broken with an invisible zero-width space.
_ZWSP = "\u200b"
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")  # controls, lone surrogates
ID_MAX = 2**63 - 1  # ids are DuckDB BIGINT
_ID_TEXT = re.compile(r"\s*([0-9]{1,19})\s*")


def fmt(value, spec: str) -> str:
    """`value` formatted with `spec`, or "n/a" when it is missing (NULL in the workspace)."""
    return "n/a" if value is None else format(value, spec)


def day(value) -> str:
    """A date as the app writes it everywhere: Mar 3, 2024 ("n/a" when missing)."""
    return "n/a" if value is None else f"{value:%b} {value.day}, {value.year}"


def day_span(start, end) -> str:
    """A run of days, as short as it stays clear: Mar 3, 2024; Mar 7–8, 2024;
    Mar 30 to Apr 2, 2024; Dec 30, 2023 to Jan 2, 2024."""
    if start == end:
        return day(start)
    if start is None or end is None or start.year != end.year:
        return f"{day(start)} to {day(end)}"
    if start.month != end.month:
        return f"{start:%b} {start.day} to {end:%b} {end.day}, {end.year}"
    return f"{start:%b} {start.day}–{end.day}, {end.year}"


def probability(p: float | None) -> str:
    """A probability as the app shows it everywhere: 96.7%, <0.1%, >99.9% (one rounding)."""
    if p is None:
        return "n/a"
    if p < 0.001:
        return "<0.1%"
    if p > 0.999:
        return ">99.9%"
    return f"{p:.1%}"


def plain(value, limit: int | None = None) -> str:
    """`value` as Markdown that shows exactly its text: no links, images, HTML, math or icons.

    Line breaks become spaces (a bio cannot start a heading or a code block), control characters
    and lone surrogates are dropped, and `limit` cuts the text (with an ellipsis) before escaping.
    """
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub(" ", "" if value is None else str(value)))
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    # A zero-width space after each ':' of '://', each 'www' before '.', and each '@'.
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(_ZWSP, text))


def command(text) -> str:
    """`text` (a shell command) as an inline code span that shows and copies exactly its
    characters: Markdown is inert inside one, so nothing is escaped; only what would end or
    break the span (backticks, line breaks, control characters) is dropped."""
    return "`" + _INVISIBLE.sub("", _LINE_BREAKS.sub(" ", str(text))).replace("`", "") + "`"


def parse_id(text) -> int | None:
    """A platform id typed or pasted as text (up to 19 digits, at most 2^63 - 1), else None."""
    match = _ID_TEXT.fullmatch("" if text is None else str(text))
    if not match:
        return None
    value = int(match.group(1))
    return value if value <= ID_MAX else None


def is_id_column(name: str, dtype: pl.DataType) -> bool:
    """Integer columns that hold ids (`id`, `*_id`): shown as text, since JavaScript rounds them."""
    return dtype.is_integer() and (name == "id" or name.endswith("_id"))


def ids_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with its id columns as strings, for tables and charts drawn in the browser."""
    ids = [name for name, dtype in frame.schema.items() if is_id_column(name, dtype)]
    return frame.with_columns(pl.col(ids).cast(pl.String)) if ids else frame
