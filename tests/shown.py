"""What a page shows: Markdown made by `ui.plain` as the reader sees it, and every string an
AppTest run sent to the browser (element fields, table cells, chart data)."""

from __future__ import annotations

import re

import pyarrow as pa
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation


def shown(markdown: str) -> str:
    """`markdown` as the reader sees it: escapes resolved, zero-width spaces removed."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u200b", "")


def _strings(message: Message, path: str):
    for field, value in message.ListFields():
        name = f"{path}.{field.name}"
        for item in list(value) if field.is_repeated else [value]:
            if isinstance(item, Message):
                yield from _strings(item, name)
            elif isinstance(item, str):
                yield name, item


def proto_strings(at: AppTest) -> list[tuple[str, str]]:
    """(proto field, text) of every string field of every element and block of the page."""
    found, todo = [], [at._tree]
    while todo:
        node = todo.pop()
        todo.extend(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            found += list(_strings(proto, type(proto).__name__))
    return found


def arrow_tables(at: AppTest) -> list[pa.Table]:
    """Every table the page sent to the browser: dataframes and chart datasets."""
    tables = [pa.ipc.open_stream(d.proto.arrow_data.data).read_all() for d in at.dataframe]
    for chart in at.get("vega_lite_chart"):
        tables += [pa.ipc.open_stream(d.data.data).read_all() for d in chart.proto.datasets]
    return tables


def all_text(at: AppTest) -> str:
    """Everything textual the page sent: element strings (Markdown as shown) and table cells."""
    parts = [shown(text) for _, text in proto_strings(at)]
    for table in arrow_tables(at):
        for column in table.columns:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                parts += [v for v in column.to_pylist() if v]
    return "\n".join(parts)


_CARD = re.compile(r'class="fa-label"[^>]*>(.*?)</div><div class="fa-value"[^>]*>(.*?)</div>')


def metrics(at: AppTest) -> dict[str, str]:
    """Label -> value of every metric shown: st.metric elements and the metric cards that a
    page draws as one HTML element (the Threshold lab's summary, a spike's numbers: ui/cards.py)."""
    found = {m.label: m.value for m in at.metric}
    for element in at.get("html"):
        found |= dict(_CARD.findall(element.proto.body))
    return found
