"""Mapping expressions: one scalar SQL expression over the source's columns, checked before it runs.

A mapping file may come from anyone, so its `[expressions]` are treated as untrusted input: each
is parsed with SQLGlot (DuckDB dialect) and accepted only when every node of its tree is on an
allow-list of scalar operators and functions. What runs is the SQL regenerated from that checked
tree (never the original text), with every column quoted as the source spells it.
"""

from __future__ import annotations

import logging

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

# Operators and building blocks of a scalar expression (no queries, tables, statements, lists).
_NODES = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Var,
    exp.Neg, exp.Not, exp.And, exp.Or,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Pow, exp.DPipe,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ,
    exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
    exp.Case, exp.If, exp.Cast, exp.TryCast, exp.DataType, exp.DataTypeParam, exp.Interval,
)  # fmt: skip

# Scalar functions, by SQLGlot class: text, numbers, nulls, times. None reads or writes anything.
_FUNCTIONS = (
    exp.Length, exp.Lower, exp.Upper, exp.Trim, exp.Substring, exp.Replace, exp.SplitPart,
    exp.Concat, exp.Left, exp.Right, exp.Reverse, exp.StrPosition, exp.Contains,
    exp.StartsWith, exp.RegexpLike, exp.RegexpFullMatch, exp.RegexpReplace, exp.RegexpExtract,
    exp.Coalesce, exp.Nullif, exp.Greatest, exp.Least,
    exp.Abs, exp.Round, exp.Floor, exp.Ceil, exp.Sign, exp.Ln, exp.Log, exp.Sqrt,
    exp.UnixToTime, exp.StrToTime, exp.TimeToUnix, exp.DateDiff, exp.Extract,
)  # fmt: skip

# Only to word refusals: any node off the lists above is refused, whether named here or not.
_STATEMENTS = tuple(
    getattr(exp, name)
    for name in ("Command", "Attach", "Detach", "Install", "Set", "Pragma", "Copy", "Create",
                 "Drop", "Insert", "Update", "Delete", "Merge", "Use", "Describe", "Alter")
    if hasattr(exp, name)
)  # fmt: skip

# Scalar functions SQLGlot does not model (it parses them as anonymous calls), by name.
ANONYMOUS_FUNCTIONS = frozenset(
    {"strlen", "length_grapheme", "date_part", "try_strptime", "ends_with", "suffix", "prefix"}
)

# Types a cast may produce: the canonical columns' types and their close relatives.
CAST_TYPES = frozenset(
    {"BIGINT", "INT", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT", "DECIMAL", "VARCHAR", "TEXT"}
    | {"BOOLEAN", "TIMESTAMP", "TIMESTAMPNTZ", "TIMESTAMPTZ", "DATE"}
)


class UnsafeExpression(ValueError):
    """An expression is not a plain scalar over the source's columns; `part` is the offending bit."""

    def __init__(self, part: str, reason: str):
        self.part, self.reason = part, reason
        super().__init__(f"{part}: {reason}")


def parse_expression(text: str) -> exp.Expression:
    """The checked tree of one scalar expression; raises UnsafeExpression naming what is refused."""
    if not text.strip():
        raise UnsafeExpression("''", "the expression is empty")
    try:
        statements = _parse(text)
    except (ParseError, TokenError) as exc:
        raise UnsafeExpression(text.strip(), f"not a SQL expression ({_first_line(exc)})") from exc
    if len(statements) != 1:
        raise UnsafeExpression(text.strip(), "one expression only (no ';' between statements)")
    tree = statements[0]
    for node in tree.walk():
        _check_node(node)
    return tree


def _parse(text: str) -> list[exp.Expression]:
    # SQLGlot logs a warning before parsing unknown statements as commands; they are refused anyway.
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    finally:
        logger.setLevel(level)


def column_names(tree: exp.Expression) -> list[str]:
    """The source columns an expression reads, as written."""
    return [column.name for column in tree.find_all(exp.Column)]


def to_sql(tree: exp.Expression, columns: dict[str, str]) -> str:
    """DuckDB SQL of a checked tree, each column renamed to the source's spelling and quoted.

    `columns` maps lower-case names to the source's names; a name not in it raises KeyError."""

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            return exp.column(columns[node.name.lower()], quoted=True)
        return node

    return tree.copy().transform(rename).sql(dialect="duckdb", comments=False)


def _check_node(node: exp.Expression) -> None:
    if isinstance(node, exp.Column):
        _check_column(node)
    elif isinstance(node, exp.In) and (node.args.get("query") or node.args.get("unnest")):
        raise UnsafeExpression(_part(node), "a subquery is not allowed")
    elif isinstance(node, exp.DataType):
        _check_type(node)
    elif isinstance(node, exp.Anonymous):
        if node.name.lower() not in ANONYMOUS_FUNCTIONS:
            raise UnsafeExpression(_part(node), f"function {node.name} is not allowed")
    elif isinstance(node, _FUNCTIONS):
        return
    elif isinstance(node, exp.Func) and not isinstance(node, _NODES):
        raise UnsafeExpression(_part(node), f"function {node.sql_name()} is not allowed")
    elif not isinstance(node, _NODES):
        raise UnsafeExpression(_part(node), _what(node) + " is not allowed")


def _check_column(node: exp.Column) -> None:
    if node.table or isinstance(node.this, exp.Star):
        raise UnsafeExpression(_part(node), "only plain column names of the source are allowed")


def _check_type(node: exp.DataType) -> None:
    name = node.this.name if isinstance(node.this, exp.DataType.Type) else str(node.this)
    if name not in CAST_TYPES or node.expressions and name != "DECIMAL":
        raise UnsafeExpression(_part(node), f"cast to {node.sql('duckdb')} is not allowed")


def _what(node: exp.Expression) -> str:
    if isinstance(node, exp.Query | exp.Subquery):
        return "a subquery"
    if isinstance(node, exp.Table):
        return "a table"
    if isinstance(node, exp.Star):
        return "*"
    if isinstance(node, _STATEMENTS):
        return f"statement {node.key.upper()}"
    return f"{node.key.upper()}"


def _part(node: exp.Expression) -> str:
    text = node.sql(dialect="duckdb", comments=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
