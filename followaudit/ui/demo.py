"""Demo mode: no real name leaves the core: usernames and display names become stable
pseudonyms, @mentions in other text are rewritten, and bios are hidden (a bio often repeats the
account's own handle in plain words, which no pattern can find reliably).

Pseudonyms look like nothing a platform hands out: `anon·0123-4567-8901`. A handle cannot hold
`·` or `-`, and bot handles (`user675907060188`) are digits after a word, so an audience never
mistakes a pseudonym for a bot-like name, or the other way round.
"""

from __future__ import annotations

import re

import polars as pl

# Fixed seeds: the same name gets the same pseudonym on every page, chart, export and rerun.
SEED = 424242
DIGITS = 12  # 10^12 pseudonyms: collisions stay unlikely even for millions of accounts
PREFIX = "anon·"
PSEUDONYM = r"anon·\d{4}-\d{4}-\d{4}"
HIDDEN_BIO = "(bio hidden in demo mode)"
USERNAME = re.compile(
    r"(^|_)(username|handle|nickname|screen_name)s?$|^(user|creator|follower|account)_?name$"
)
DISPLAY_NAME = re.compile(r"(^|_)(display_name|full_name|fullname)s?$|^name$")
BIO = re.compile(r"(^|_)(bio|biography|description|about)$")
# A trailing full stop ends the sentence; a trailing `·` marks a pseudonym's own @ (left alone).
MENTION = r"@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?·?"


def _code(names: pl.Expr) -> pl.Expr:
    digits = (names.hash(SEED) % (10**DIGITS)).cast(pl.String).str.zfill(DIGITS)
    return pl.concat_str(
        digits.str.slice(0, 4), digits.str.slice(4, 4), digits.str.slice(8, 4), separator="-"
    )


def _username_expr(col: pl.Expr) -> pl.Expr:
    """`anon·dddd-dddd-dddd`, keeping a leading @ when the value had one; pseudonyms stay."""
    bare = col.str.strip_prefix("@")
    at = pl.when(col.str.starts_with("@")).then(pl.lit("@")).otherwise(pl.lit(""))
    fresh = at + pl.lit(PREFIX) + _code(bare)
    already = bare.str.contains(f"^{PSEUDONYM}$")
    return pl.when(col.is_null()).then(None).when(already).then(col).otherwise(fresh)


def _display_expr(col: pl.Expr) -> pl.Expr:
    already = col.str.starts_with("Anon ")
    fresh = pl.lit("Anon ") + _code(col).str.slice(0, 4)
    return pl.when(col.is_null()).then(None).when(already).then(col).otherwise(fresh)


def _bio_expr(col: pl.Expr) -> pl.Expr:
    return pl.when(col.is_null()).then(None).otherwise(pl.lit(HIDDEN_BIO))


def pseudonym(username: str) -> str:
    """The demo pseudonym of one username (`alice` -> `anon·...`, `@alice` -> `@anon·...`)."""
    frame = pl.DataFrame({"username": [username]}, schema={"username": pl.String})
    return frame.select(_username_expr(pl.col("username")))[0, 0]


def _mentions(frame: pl.DataFrame, columns: list[str]) -> tuple[list[str], list[str]]:
    """Every @mention in `columns` and its pseudonym (longest first, so @bobby wins over @bob)."""
    found = pl.concat(
        [frame.get_column(c).str.extract_all(MENTION).explode().drop_nulls() for c in columns]
    ).unique()
    found = found.filter(~found.str.ends_with("·"))
    if found.is_empty():
        return [], []
    table = pl.DataFrame({"m": found}).sort(pl.col("m").str.len_chars(), descending=True)
    table = table.with_columns(p=_username_expr(pl.col("m")))
    return table["m"].to_list(), table["p"].to_list()


def pseudonymise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with username / display-name columns replaced, bios hidden and @mentions in
    other text rewritten; applying it twice changes nothing more."""
    if not isinstance(frame, pl.DataFrame) or frame.is_empty():
        return frame
    text = [c for c, t in frame.schema.items() if t == pl.String]
    users = [c for c in text if USERNAME.search(c.lower())]
    shown = [c for c in text if DISPLAY_NAME.search(c.lower()) and c not in users]
    bios = [c for c in text if BIO.search(c.lower()) and c not in users + shown]
    other = [c for c in text if c not in users + shown + bios]
    exprs = [_username_expr(pl.col(c)).alias(c) for c in users]
    exprs += [_display_expr(pl.col(c)).alias(c) for c in shown]
    exprs += [_bio_expr(pl.col(c)).alias(c) for c in bios]
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


def matching(shown: pl.DataFrame, text: str, exact: bool = False) -> pl.DataFrame:
    """Rows of a pseudonymised frame whose `username` equals (or contains) `text`: in demo mode
    a search or `?username=` finds accounts by pseudonym, never by real name."""
    wanted = text.strip().removeprefix("@")
    name = pl.col("username")
    return shown.filter(name == wanted if exact else name.str.contains(wanted, literal=True))
