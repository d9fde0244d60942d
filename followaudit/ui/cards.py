"""Metric cards drawn as one HTML element (`st.html`: no Markdown parse in the browser).

A row of `st.metric` costs one websocket message and one React element each, plus the row's
blocks; a Threshold lab move redrew 9 metrics + 4 captions in 9 columns (~25 messages, ~1.3 ms
each in the browser), a spike click 4 metrics in a horizontal container. Here a whole row is
one element. Only our own labels, formatted numbers and captions go into this HTML, never data
text (usernames, notes, reasons stay in Markdown through `plain`). Page tests read the cards
with tests/shown.py `metrics`; e2e helpers find `.fa-card .fa-label`.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from followaudit.ui.text import day, day_span

_GRID = (
    "display:grid;grid-template-columns:repeat({n},minmax(0,1fr));gap:1rem;margin-bottom:0.75rem"
)
_LABEL = "font-size:0.875rem"
_VALUE = "font-size:2.25rem;line-height:1.25"
_NOTE = "font-size:0.875rem;opacity:0.6"
_CAPTION = "font-size:0.875rem;opacity:0.6;margin-bottom:0.5rem"


def card(label: str, value: str, note: str = "", help: str = "") -> str:
    """One metric card: label, big value, a small note under it (shown, not a tooltip); `help`
    is the card's hover title."""
    title = f' title="{escape(help)}"' if help else ""
    note = f'<div class="fa-note" style="{_NOTE}">{note}</div>' if note else ""
    return (
        f'<div class="fa-card"{title}><div class="fa-label" style="{_LABEL}">{label}</div>'
        f'<div class="fa-value" style="{_VALUE}">{value}</div>{note}</div>'
    )


def caption_html(text: str) -> str:
    """A caption under cards, in the same element (as `st.caption` draws it: small, muted)."""
    return f'<div class="fa-caption" style="{_CAPTION}">{escape(text)}</div>'


def beside(left: str, right: str, right_width: int) -> str:
    """Two blocks of this HTML side by side, the right one `right_width` px wide (under the left
    one on a narrow screen)."""
    return (
        '<div style="display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start">'
        f'<div style="flex:1 1 18rem">{left}</div>'
        f'<div style="flex:0 1 {right_width}px">{right}</div></div>'
    )


def cards(row: list[str], columns: int) -> str:
    """Cards side by side, `columns` to a row."""
    return f'<div class="fa-cards" style="{_GRID.format(n=columns)}">{"".join(row)}</div>'


BAR_COLOUR = "#0068c9"  # Streamlit's first chart colour
BARS = 60  # at most this many bars: days, or runs of days when the span is longer


def day_bars(days: list, counts: list[int], title: str, x_title: str, y_title: str) -> str:
    """A histogram of counts per day as one HTML element (no Vega view to build in the
    browser): at most BARS bars (runs of days over long spans), each bar's dates and count in
    its hover title, the first and last day under the axis and the tallest bar's count above.
    `days` are dates, ascending."""
    if not days:
        return f'<div class="fa-bars"><b>{escape(title)}</b><div>No {escape(y_title.lower())}.</div></div>'
    first, last = days[0], days[-1]
    step = max(1, -(-((last - first).days + 1) // BARS))
    sums = [0] * (((last - first).days // step) + 1)
    for one_day, count in zip(days, counts, strict=True):
        sums[(one_day - first).days // step] += int(count)
    top = max(sums) or 1
    bars = []
    for i, count in enumerate(sums):
        start = first + timedelta(days=i * step)
        when = day_span(start, start + timedelta(step - 1))
        height = f"{100 * count / top:.1f}%" if count else "0"
        bars.append(
            f'<div title="{when}: {count:,}" style="flex:1 1 0;min-width:1px;height:{height};'
            f'background:{BAR_COLOUR}"></div>'
        )
    per = "per day" if step == 1 else f"per {step} days"
    small = "font-size:0.75rem;opacity:0.7"
    return (
        f'<div class="fa-bars" role="img" aria-label="{escape(title)}">'
        f'<div style="font-weight:600">{escape(title)}</div>'
        f'<div style="{small}">{escape(y_title)} {per} (tallest: {top:,})</div>'
        f'<div style="display:flex;align-items:flex-end;gap:1px;height:170px;'
        f'border-bottom:1px solid rgba(128,128,128,0.5)">{"".join(bars)}</div>'
        f'<div style="display:flex;justify-content:space-between;{small}">'
        f"<span>{day(first)}</span><span>{escape(x_title)}</span><span>{day(last)}</span></div>"
        "</div>"
    )
