"""Altair charts drawn from a Vega-Lite spec cached by the chart's inputs.

`st.altair_chart` builds the spec on every run: Altair validates it against the Vega-Lite
JSON schema (20-60 ms a chart on this machine) and Streamlit converts its data to Arrow. A page
with five charts paid ~0.1 s of every view for that (Global explanations at 1M accounts). Here
each chart's spec is built once per distinct input and drawn with `st.vega_lite_chart`, which
sends the same element as `st.altair_chart` would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import pyarrow as pa
import streamlit as st

ATTEMPTS = 3


@st.cache_data(max_entries=128, show_spinner=False)
def spec(_build: Callable[..., Any], name: str, *args: Any) -> dict:
    """`_build(*args)` (an Altair chart; `name` keys the cache for it) as a Vega-Lite dict with its datasets as Arrow IPC bytes.

    Built as Streamlit builds it for `st.altair_chart`: no Altair theme (Streamlit's frontend
    themes the chart) and named datasets. Altair's data transformer is process-wide and
    Streamlit swaps it while it converts a chart in another session's thread, so a spec
    whose data went elsewhere is built again.
    """
    for _ in range(ATTEMPTS):
        context: dict[str, Any] = {"datasets": {}, "top_level": False}
        out = _build(*args).to_dict(context=context)
        datasets = context["datasets"]
        if _names(out) <= datasets.keys():
            break
    else:
        raise RuntimeError("a chart's data never reached its spec")
    out.setdefault("$schema", alt.SCHEMA_URL)
    return with_arrow_datasets({**out, "datasets": datasets})


def with_arrow_datasets(spec: dict) -> dict:
    """`spec` with its inline named datasets (lists of records) as Arrow IPC bytes, the form
    Streamlit sends a chart's datasets in."""
    inline = spec.get("datasets") or {}
    rest = {key: value for key, value in spec.items() if key != "datasets"}
    return (
        {**rest, "datasets": {name: _arrow(rows) for name, rows in inline.items()}}
        if inline
        else rest
    )


def altair(build: Callable[..., Any], *args: Any, where: Any = None, **kwargs: Any) -> None:
    """Draw `build(*args)` like `st.altair_chart(build(*args), **kwargs)`, from the cached spec."""
    name = f"{build.__module__}.{build.__qualname__}"
    (where or st).vega_lite_chart(spec(build, name, *args), **kwargs)


def _names(node: Any) -> set[str]:
    """The dataset names a spec's `data` entries refer to."""
    out: set[str] = set()
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            out.add(data["name"])
        for value in node.values():
            out |= _names(value)
    elif isinstance(node, list):
        for value in node:
            out |= _names(value)
    return out


def _arrow(records: list[dict]) -> bytes:
    """Records as an Arrow IPC stream, the form Streamlit sends a chart's datasets in."""
    table = pa.Table.from_pylist(records)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
