"""A world that looks like a real platform's data: 19-digit ids and hostile text.

The generator's tiny world with every account id shifted by 1.5e18 (above 2^53, where
JavaScript rounds) and usernames, display names and bios that are Markdown, HTML, math, links,
images and Streamlit shortcodes. Every value carries the word `evil`, so a test can find any that
reached a page without going through `ui.plain` (no quotes or backslashes, so an error message
that quotes a value with `repr` still shows it as `plain` escaped it).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from followaudit.synth import WorldConfig, generate_world, offset_ids

OFFSET = 1_500_000_000_000_000_000
MARK = "evil"
HOSTILE = [
    "![x](http://evil.example/t.png)",
    "[link](http://evil.example/)",
    "<img src=x onerror=alert(1)>evil",
    "<b>evil</b>",
    "$evil^2$ and $$evil$$",
    "`evil`",
    ":material/warning: evil",
    ":red[evil]",
    "**evil**",
    "see http://evil.example/bare",
    "mail@evil.example",
    "www.evil.example",
    "evil &amp; &#58;",
]


def hostile(i: int, kind: str) -> str:
    """The i-th hostile value for a field, e.g. `![x](http://evil.example/t.png)` + ` bio7`."""
    return f"{HOSTILE[i % len(HOSTILE)]} {kind}{i}"


def make_platform_world(folder: Path) -> Path:
    """Generate the tiny world into `folder`, shift its ids and make every name and bio hostile."""
    generate_world(folder, WorldConfig(seed=3, accounts=3000), show_progress=False)
    offset_ids(folder, OFFSET)
    path = folder / "accounts.parquet"
    accounts = pl.read_parquet(path)
    n = accounts.height
    accounts = accounts.with_columns(
        pl.Series("username", [hostile(i, "u") for i in range(n)]),
        pl.Series("display_name", [hostile(i + 3, "d") for i in range(n)]),
        pl.Series("bio", [hostile(i + 7, "b") for i in range(n)]),
    )
    accounts.write_parquet(path)
    return folder
