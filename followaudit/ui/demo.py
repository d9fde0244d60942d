"""Demo mode: stable pseudonyms for usernames and display names in every frame shown or exported."""

from __future__ import annotations

import re

import polars as pl

# Fixed seeds: the same name gets the same pseudonym on every page, chart, export and rerun.
SEED = 424242
DIGITS = 12  # 10^12 pseudonyms: collisions stay unlikely even for millions of accounts
USERNAME = re.compile(
    r"(^|_)(username|handle|nickname|screen_name)s?$|^(user|creator|follower|account)_?name$"
)
DISPLAY_NAME = re.compile(r"(^|_)(display_name|full_name|fullname)s?$|^name$")
MENTION = r"@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?"  # a trailing full stop ends the sentence


def _code(names: pl.Expr) -> pl.Expr:
    digits = (names.hash(SEED) % (10**DIGITS)).cast(pl.String)
    return digits.str.zfill(DIGITS)


def _username_expr(col: pl.Expr) -> pl.Expr:
    """`user_<digits>`, keeping a leading @ when the value had one."""
    bare = col.str.strip_prefix("@")
    at = pl.when(col.str.starts_with("@")).then(pl.lit("@")).otherwise(pl.lit(""))
    return pl.when(col.is_null()).then(None).otherwise(at + pl.lit("user_") + _code(bare))


def _display_expr(col: pl.Expr) -> pl.Expr:
    return (
        pl.when(col.is_null()).then(None).otherwise(pl.lit("Person ") + _code(col).str.slice(0, 6))
    )


def pseudonym(username: str) -> str:
    """The demo pseudonym of one username (`alice` -> `user_0123...`, `@alice` -> `@user_...`)."""
    frame = pl.DataFrame({"username": [username]}, schema={"username": pl.String})
    return frame.select(_username_expr(pl.col("username")))[0, 0]


def _mentions(frame: pl.DataFrame, columns: list[str]) -> tuple[list[str], list[str]]:
    """Every @mention in `columns` and its pseudonym (longest first, so @bobby wins over @bob)."""
    found = pl.concat(
        [frame.get_column(c).str.extract_all(MENTION).explode().drop_nulls() for c in columns]
    ).unique()
    if found.is_empty():
        return [], []
    table = pl.DataFrame({"m": found}).sort(pl.col("m").str.len_chars(), descending=True)
    table = table.with_columns(p=_username_expr(pl.col("m")))
    return table["m"].to_list(), table["p"].to_list()


def pseudonymise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with username/display-name columns replaced and @mentions in other text rewritten."""
    if not isinstance(frame, pl.DataFrame) or frame.is_empty():
        return frame
    text = [c for c, t in frame.schema.items() if t == pl.String]
    users = [c for c in text if USERNAME.search(c.lower())]
    shown = [c for c in text if DISPLAY_NAME.search(c.lower()) and c not in users]
    other = [c for c in text if c not in users and c not in shown]
    exprs = [_username_expr(pl.col(c)).alias(c) for c in users]
    exprs += [_display_expr(pl.col(c)).alias(c) for c in shown]
    patterns, replacements = _mentions(frame, other) if other else ([], [])
    if patterns:
        exprs += [
            pl.col(c).str.replace_many(patterns, replacements, leftmost=True).alias(c)
            for c in other
        ]
    return frame.with_columns(exprs) if exprs else frame


def pseudonymise_text(text: str) -> str:
    """A sentence with every @mention replaced by its pseudonym."""
    frame = pseudonymise_frame(pl.DataFrame({"text": [text]}, schema={"text": pl.String}))
    return frame[0, 0]
