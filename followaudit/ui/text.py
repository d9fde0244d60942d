"""How numbers and text reach the page: one formatting of each value, one escaping of untrusted text."""

from __future__ import annotations

import re
import string

# CommonMark lets a backslash escape any ASCII punctuation character, and Streamlit's own syntax
# (`$math$`, `:material/icon:`, `:red[text]`, `:emoji:`) is punctuation-led too.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# Streamlit links bare URLs and e-mail addresses after parsing: break the patterns themselves.
_ZWSP = "\u200b"
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")  # controls, lone surrogates


def fmt(value, spec: str) -> str:
    """`value` formatted with `spec`, or "n/a" when it is missing (NULL in the workspace)."""
    return "n/a" if value is None else format(value, spec)


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
    """`value` as Markdown that shows exactly its text: no links, images, HTML, math or icons."""
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub(" ", "" if value is None else str(value)))
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(_ZWSP, text))
