"""What a Markdown string made by `ui.plain` shows in the browser: its text without the escapes."""

from __future__ import annotations

import re

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation


def shown(markdown: str) -> str:
    """`markdown` as the reader sees it: escapes resolved, zero-width spaces removed."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u200b", "")
