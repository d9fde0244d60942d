"""Commands the CLI suggests next, written so they run as printed (paths shell-quoted)."""

from __future__ import annotations

import shlex
from pathlib import Path

DATA_PLACEHOLDER = "DATA_DIR"  # where the data folder is not known


def build_command(data_dir: str | Path | None, workspace: str | Path) -> str:
    """`followaudit build --data DIR --workspace W`, complete (every required option given)."""
    data = shlex.quote(str(data_dir)) if data_dir else DATA_PLACEHOLDER
    return f"followaudit build --data {data} --workspace {shlex.quote(str(workspace))}"


def workspace_beside(data_dir: Path) -> Path:
    """The workspace file suggested for a data folder: `<folder>.duckdb` next to it."""
    folder = data_dir.resolve() if data_dir.name in {"", ".", ".."} else data_dir
    return folder.with_name(folder.name + ".duckdb")
