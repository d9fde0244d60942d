"""How numbers and text reach the page: one formatting of each value."""

from __future__ import annotations


def fmt(value, spec: str) -> str:
    """`value` formatted with `spec`, or "n/a" when it is missing (NULL in the workspace)."""
    return "n/a" if value is None else format(value, spec)
