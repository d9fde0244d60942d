"""DuckDB-dialect queries -> Spark SQL: SQLGlot plus the rewrite rules that keep results equal.

`queries/**.sql` stay in DuckDB's dialect (the app runs them as written). The Spark engine runs
the build queries through `to_spark`, which transpiles with SQLGlot and then applies the rules
below. Each rule exists because, without it, Spark either refuses the query or, worse, returns
different values; `tests/test_spark_parity.py` shows each one necessary.

Build queries keep to a portable subset, checked in `make test` without a JVM:
`unsupported_functions` finds any function Spark lacks, `non_portable` the constructs whose
results differ between engines:
- no `mad()`: spell out `median(abs(x - median))`;
- no `arg_max`/`arg_min`: ties resolve differently; break them explicitly;
- no `round(x, n)` on doubles: DuckDB and Spark round ties differently (2.675 -> 2.67 vs 2.68);
  quantise with `floor(x * 10^n + 0.5) / 10^n`, exact IEEE steps on every engine;
- `array_length` for list lengths, divisors guarded with `nullif`/`greatest` (DuckDB returns
  inf for x/0; Spark's ANSI mode raises), and floats a model trains on summed in a fixed order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import sqlglot
from sqlglot import exp

SPARK_FUNCTIONS_FILE = Path(__file__).with_name("spark_functions.txt")
# Syntax SQLGlot models as functions that Spark parses as keywords, not catalog functions.
SPARK_SYNTAX = {"CAST", "TRY_CAST", "CASE", "EXTRACT", "INTERVAL", "WHEN"}

Rule = Callable[[exp.Expression], exp.Expression]


def _double(type_name: str = "double") -> exp.DataType:
    return exp.DataType.build(type_name)


def _unix_micros(node: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="unix_micros", expressions=[exp.cast(node, _double("timestamp"))])


def decimal_literals_are_doubles(node: exp.Expression) -> exp.Expression:
    """`1.0` is DECIMAL in both engines, but DuckDB turns decimal averages and mixed arithmetic
    into DOUBLE while Spark keeps DECIMAL with a fixed scale: `avg(case .. then 1.0 else 0.0)`
    is decimal(6,5) there, so shares come back rounded to 5e-6. Every decimal literal in a
    build query means a double (write `cast(x as decimal(p, s))` to mean a decimal)."""
    if isinstance(node, exp.Literal) and not node.is_string and re.search(r"[.eE]", node.this):
        return exp.cast(node.copy(), _double())
    return node


def epoch_keeps_fractions(node: exp.Expression) -> exp.Expression:
    """SQLGlot maps `epoch(ts)` to `unix_timestamp`, which drops fractions of a second."""
    if isinstance(node, exp.TimeToUnix):
        return exp.Div(this=_unix_micros(node.this.copy()), expression=exp.Literal.number("1e6"))
    return node


def seconds_between_count_boundaries(node: exp.Expression) -> exp.Expression:
    """DuckDB's `date_diff('second', a, b)` counts second boundaries crossed (whole-second parts
    subtracted); Spark's `timestampdiff` truncates the difference (0.9 s -> 1.1 s: 1 vs 0)."""
    unit = node.args.get("unit") if isinstance(node, exp.DateDiff) else None
    if unit is None or unit.name.upper() != "SECOND":
        return node

    def seconds(value: exp.Expression) -> exp.Expression:
        return exp.IntDiv(this=_unix_micros(value.copy()), expression=exp.Literal.number(1000000))

    return exp.paren(exp.Sub(this=seconds(node.this), expression=seconds(node.expression)))


def characters_split(node: exp.Expression) -> exp.Expression:
    """`string_split(s, '')` splits into characters in DuckDB; SQLGlot turns it into a Spark
    regex split on an empty quoted pattern, which adds a trailing '' (then log2(0) makes the
    username entropy NULL for every account)."""
    separator = node.expression if isinstance(node, exp.Split) else None
    if isinstance(separator, exp.Literal) and separator.is_string and separator.this == "":
        pattern = exp.Literal.string("(?s)(.)")
        return exp.Anonymous(
            this="regexp_extract_all",
            expressions=[node.this.copy(), pattern, exp.Literal.number(1)],
        )
    return node


def list_sum_as_aggregate(node: exp.Expression) -> exp.Expression:
    """Spark has no `list_sum`; its higher-order `aggregate` sums an array in double."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_sum":
        summed = sqlglot.parse_one(
            "aggregate(_list, cast(0 as double), (acc, v) -> acc + v)", "spark"
        )
        summed.find(exp.Column).replace(node.expressions[0].copy())
        return summed
    return node


def full_match_anchored(node: exp.Expression) -> exp.Expression:
    """Spark has no `regexp_full_match`; `rlike` searches, so the pattern is anchored. `\\z`,
    not `$`: Java's `$` also matches before a final newline."""
    if not isinstance(node, exp.RegexpFullMatch):
        return node
    pattern = node.expression
    if isinstance(pattern, exp.Literal):
        anchored = exp.Literal.string(f"^(?:{pattern.this})\\z")
    else:
        anchored = exp.func(
            "concat", exp.Literal.string("^(?:"), pattern.copy(), exp.Literal.string(")\\z")
        )
    return exp.RegexpLike(this=node.this.copy(), expression=anchored)


def cast_inside_generator(node: exp.Expression) -> exp.Expression:
    """`cast(unnest(list) as date)` becomes `cast(explode(..) as date)`, which Spark refuses
    (a generator nested in an expression): the cast moves inside, onto each element."""
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Explode):
        element = exp.to_identifier("element")
        each = exp.Lambda(this=exp.cast(exp.column(element), node.to.copy()), expressions=[element])
        return exp.Explode(this=exp.Transform(this=node.this.this.copy(), expression=each))
    return node


def cte_hints_stay_in_duckdb(node: exp.Expression) -> exp.Expression:
    """`as not materialized` tells DuckDB to read a CTE's source at each use instead of buffering
    it; Spark's grammar has no such hint (the Spark engine computes a shared CTE once anyway,
    `split_shared_ctes`)."""
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)
    return node


# Applied to the DuckDB tree, before SQLGlot generates Spark SQL.
DUCKDB_RULES: tuple[Rule, ...] = (
    cte_hints_stay_in_duckdb,
    decimal_literals_are_doubles,
    epoch_keeps_fractions,
    seconds_between_count_boundaries,
    characters_split,
    list_sum_as_aggregate,
    full_match_anchored,
)
# Applied to the Spark tree SQLGlot generated (the shapes only exist after generation).
SPARK_RULES: tuple[Rule, ...] = (cast_inside_generator,)


@lru_cache(maxsize=256)
def to_spark(sql: str) -> str:
    """Spark SQL for a DuckDB-dialect query, with every rewrite rule applied."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    for rule in DUCKDB_RULES:
        tree = tree.transform(rule)
    spark_tree = sqlglot.parse_one(tree.sql(dialect="spark"), read="spark")
    for rule in SPARK_RULES:
        spark_tree = spark_tree.transform(rule)
    return spark_tree.sql(dialect="spark", pretty=True)


@lru_cache(maxsize=1)
def spark_functions() -> frozenset[str]:
    """The committed list of Spark's built-in functions (`SHOW FUNCTIONS`, pyspark 4.x)."""
    return frozenset(SPARK_FUNCTIONS_FILE.read_text().split())


def function_names(spark_sql: str) -> set[str]:
    """Upper-case names of the functions a Spark SQL text calls."""
    names = set()
    for node in sqlglot.parse_one(spark_sql, read="spark").find_all(exp.Func):
        if isinstance(node, exp.Anonymous):
            names.add(node.name.upper())
            continue
        text = node.sql(dialect="spark")
        match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", text)
        if match:
            names.add(match.group(1).upper())
    return names


def non_portable(duckdb_sql: str) -> set[str]:
    """Constructs of a DuckDB-dialect query that give different results on Spark."""
    found = set()
    for node in sqlglot.parse_one(duckdb_sql, read="duckdb").find_all(exp.Func):
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            found.add("round(x, n)")
        elif isinstance(node, exp.ArgMax | exp.ArgMin):
            found.add(type(node).__name__.lower())
        elif isinstance(node, exp.Anonymous) and node.name.lower() == "mad":
            found.add("mad")
    return found


def unsupported_functions(duckdb_sql: str) -> set[str]:
    """Functions the Spark translation of a query calls that Spark does not have."""
    known = {name.upper() for name in spark_functions()} | SPARK_SYNTAX
    return function_names(to_spark(duckdb_sql)) - known


def split_shared_ctes(spark_sql: str, prefix: str) -> tuple[list[tuple[str, str]], str]:
    """A Spark query split into its CTEs used more than once, each a statement of its own
    (named `<prefix>_<cte>`, in order), and the query reading them by those names.

    Spark inlines every CTE at each use: a CTE read eight times is computed eight times (the
    follower window of `features/follows`, the cells of `growth/spike_context`). The engine
    writes each shared CTE once and the rest of the query reads it back."""
    tree = sqlglot.parse_one(spark_sql, read="spark")
    with_ = tree.args.get("with_")
    if with_ is None:
        return [], spark_sql
    statements = []
    for cte in list(with_.expressions):
        name = cte.alias_or_name
        uses = [t for t in tree.find_all(exp.Table) if not t.db and t.name == name]
        if len(uses) < 2 or cte.this.args.get("with_") is not None:
            continue
        earlier = _needed(cte.this, with_.expressions[: with_.expressions.index(cte)])
        body = cte.this.copy()
        if earlier:
            body.set("with_", exp.With(expressions=[c.copy() for c in earlier]))
        shared = f"{prefix}_{name}"
        statements.append((shared, body.sql(dialect="spark", pretty=True)))
        for use in uses:
            use.set("alias", use.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name)))
            use.set("this", exp.to_identifier(shared))
        cte.pop()
    if not with_.expressions:
        with_.pop()
    return statements, tree.sql(dialect="spark", pretty=True)


def _needed(body: exp.Expression, earlier: list[exp.CTE]) -> list[exp.CTE]:
    """The CTEs among `earlier` that `body` reads, directly or through each other (in order)."""
    named = {c.alias_or_name: c for c in earlier}
    wanted, frontier = set(), [body]
    while frontier:
        node = frontier.pop()
        for table in node.find_all(exp.Table):
            if not table.db and table.name in named and table.name not in wanted:
                wanted.add(table.name)
                frontier.append(named[table.name].this)
    return [c for c in earlier if c.alias_or_name in wanted]


def without_final_order(spark_sql: str) -> str:
    """The query without its outermost ORDER BY (kept with a LIMIT): a table written as files
    has no row order, and the workspace pack sorts what the app reads in order."""
    tree = sqlglot.parse_one(spark_sql, read="spark")
    if tree.args.get("order") is None or tree.args.get("limit") is not None:
        return spark_sql
    tree.set("order", None)
    return tree.sql(dialect="spark", pretty=True)
