"""README.md stays true: the two commands, every canonical column, every CLI command, its images."""

from __future__ import annotations

import re

import pytest

from followaudit.cli import COMMANDS
from followaudit.data.spec import TABLES
from followaudit.store.workspace import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def test_readme_names_the_two_commands():
    assert "make run" in README and "make test" in README


@pytest.mark.parametrize(
    "table, column", [(t.name, c.name) for t in TABLES.values() for c in t.columns]
)
def test_readme_documents_every_canonical_column(table, column):
    assert f"**{table}**" in README
    assert f"`{column}`" in README


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_readme_documents_every_cli_command(command):
    assert f"followaudit {command}" in README


def test_readme_images_are_files_in_the_tree():
    """Every image the README shows exists (`make screenshots` writes docs/screenshots/)."""
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", README)
    assert len(images) >= 10
    assert [i for i in images if not (PROJECT_ROOT / i).is_file()] == []
