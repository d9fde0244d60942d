"""A policy's rules on every account: the log-odds they add and which rules each account breaks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from followaudit.decide.policy import OPS, Policy, Rule


@dataclass(frozen=True)
class RuleHits:
    """Per account (rows of the features frame): summed rule weights and a bit per rule hit."""

    account_id: np.ndarray  # int64
    log_odds: np.ndarray  # float64, 0.0 where no rule fires
    mask: np.ndarray  # uint64, bit i set when rules[i] fires
    rules: tuple[Rule, ...]  # the usable rules, in bit order
    skipped: tuple[str, ...]  # rules left out because a feature is absent, and why


def evaluate_rules(policy: Policy, features: pl.DataFrame) -> RuleHits:
    """Every enabled rule on every account; a NULL (unobserved) feature never fires a rule."""
    usable, skipped = usable_rules(policy, features.columns)
    ids = features["account_id"].cast(pl.Int64).to_numpy()
    if not usable:
        zeros = np.zeros(len(ids))
        return RuleHits(ids, zeros, np.zeros(len(ids), np.uint64), (), tuple(skipped))
    fired = [rule_expr(r) for r in usable]
    out = features.select(
        pl.sum_horizontal(
            [
                pl.when(f).then(pl.lit(r.weight)).otherwise(0.0)
                for f, r in zip(fired, usable, strict=True)
            ]
        ).alias("log_odds"),
        pl.sum_horizontal(
            [f.cast(pl.UInt64) * pl.lit(1 << i, pl.UInt64) for i, f in enumerate(fired)]
        ).alias("mask"),
    )
    return RuleHits(
        ids,
        out["log_odds"].to_numpy().astype(np.float64),
        out["mask"].to_numpy().astype(np.uint64),
        tuple(usable),
        tuple(skipped),
    )


def usable_rules(policy: Policy, columns: list[str]) -> tuple[list[Rule], list[str]]:
    """Enabled rules whose features exist, and a sentence for each one skipped."""
    usable, skipped = [], []
    for rule in policy.enabled_rules:
        absent = [f for f in rule.features if f not in columns]
        if absent:
            skipped.append(f"{rule.description} (feature {', '.join(absent)} not available)")
        else:
            usable.append(rule)
    return usable, skipped


def rule_expr(rule: Rule) -> pl.Expr:
    """True where the rule holds; a NULL (unobserved) feature never fires a rule."""
    expr = OPS[rule.op](pl.col(rule.feature), rule.threshold)
    for cond in rule.also:
        expr = expr & OPS[cond.op](pl.col(cond.feature), cond.threshold)
    return expr.fill_null(False)


def hit_sentences(mask: pl.Expr, rules: tuple[Rule, ...]) -> pl.Expr:
    """The "; "-joined descriptions of the rules set in a mask column ('' when none)."""
    if not rules:
        return pl.lit("")
    parts = [
        pl.when((mask & pl.lit(1 << i, pl.UInt64)) != 0).then(pl.lit(r.description))
        for i, r in enumerate(rules)
    ]
    return pl.concat_str(parts, separator="; ", ignore_nulls=True).fill_null("")
