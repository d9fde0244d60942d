"""How frames reach the page as tables: every table goes through `table`."""

from __future__ import annotations

import polars as pl
import streamlit as st

from followaudit.ui.text import ids_as_text


def table(frame: pl.DataFrame, **kwargs):
    """`st.dataframe` of `frame` with its id columns as text: the browser's table keeps numbers
    as JavaScript doubles, which round (and flag) 19-digit platform ids. Returns the selection
    event when `on_select` is given; rows keep their positions, so `frame[row]` is the pick."""
    return st.dataframe(ids_as_text(frame), **kwargs)


def count_column(label: str, help: str | None = None):
    """A table column of counts: a human header and thousands separators."""
    return st.column_config.NumberColumn(label, help=help, format="localized")


def share_column(label: str, help: str | None = None, of_one: bool = True):
    """A table column of shares shown as percentages (`of_one`: stored as 0..1)."""
    return st.column_config.NumberColumn(
        label, help=help, format="percent" if of_one else "%.1f %%"
    )


def number_column(label: str, digits: int = 3, help: str | None = None):
    """A table column of decimals with a fixed number of digits."""
    return st.column_config.NumberColumn(label, help=help, format=f"%.{digits}f")
