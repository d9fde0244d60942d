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
