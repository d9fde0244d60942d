"""Rules, presets and versioned policies: what the model score plus transparent rules decide.

How a policy decides, in one paragraph (shown in the UI and the policy report):
each enabled rule an account breaks adds the rule's ``weight`` to its *rule points*; the
account's **risk** is its model score (calibrated P(fake), 0..1) plus its rule points. The
account is **flagged** when risk >= the policy threshold (a value, or the score that keeps the
top X % of accounts when ``top_percent`` is set). A flagged account's **tier** is ``suspend`` if
risk >= ``tiers.suspend``, else ``remove`` if risk >= ``tiers.remove``, else ``review``;
unflagged accounts are tier ``none``. So a rule of weight 0.2 nudges a borderline account over the
line, and a rule of weight >= 1 flags on its own. ``tiers.review`` is the flag line itself and is
always kept equal to the resolved threshold.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import polars as pl
import tomli_w

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
DEFAULT_PRESET = "conservative"
OPS = {
    ">=": lambda c, t: c >= t,
    ">": lambda c, t: c > t,
    "<=": lambda c, t: c <= t,
    "<": lambda c, t: c < t,
    "==": lambda c, t: c == t,
    "!=": lambda c, t: c != t,
}
TIERS = ("none", "review", "remove", "suspend")
# The highest risk threshold a policy may hold (risk = score 0..1 + rule points); the lab's cost
# optimiser and its top-X % mode cap "flag nobody" here too.
MAX_RISK = 10.0
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_VERSION_FILE = re.compile(r"v(\d{4,})\.toml")


class PolicyError(ValueError):
    """A policy or rule is invalid; the message names the field and what was expected."""


@dataclass(frozen=True)
class Condition:
    """An extra condition a rule needs as well (e.g. 'and the account is older than 60 days')."""

    feature: str
    op: str
    threshold: float


@dataclass(frozen=True)
class Rule:
    """A transparent rule: `feature op threshold` adds `weight` rule points when it holds."""

    feature: str
    op: str
    threshold: float
    weight: float
    description: str
    enabled: bool = True
    also: tuple[Condition, ...] = ()

    @property
    def features(self) -> list[str]:
        """Every feature the rule reads."""
        return [self.feature, *(c.feature for c in self.also)]


@dataclass
class Policy:
    """Model threshold (value or top-X %) + rules + tiers, with who saved it, when and why."""

    name: str
    threshold: float = 0.7
    top_percent: float | None = None
    rules: list[Rule] = field(default_factory=list)
    tiers: dict[str, float] = field(
        default_factory=lambda: {"review": 0.7, "remove": 0.85, "suspend": 0.97}
    )
    version: int = 0
    author: str = ""
    created_at: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        validate(self)

    @property
    def enabled_rules(self) -> list[Rule]:
        """The rules that count."""
        return [r for r in self.rules if r.enabled]

    def with_changes(self, **changes) -> Policy:
        """A copy with some fields changed (validated)."""
        return replace(self, **changes)


def validate(policy: Policy) -> None:
    """Raise PolicyError naming the first bad field."""
    if not _NAME.fullmatch(policy.name or ""):
        raise PolicyError(
            f"policy name {policy.name!r}: expected 1-64 of a-z, 0-9, '_' or '-' "
            "starting with a letter or digit"
        )
    if not 0.0 <= float(policy.threshold) <= MAX_RISK:
        raise PolicyError(
            f"policy {policy.name}: threshold {policy.threshold} not in 0..{MAX_RISK:g}"
        )
    if policy.top_percent is not None and not 0.0 < float(policy.top_percent) <= 100.0:
        raise PolicyError(f"policy {policy.name}: top_percent {policy.top_percent} not in (0, 100]")
    missing = {"remove", "suspend"} - policy.tiers.keys()
    if missing:
        raise PolicyError(f"policy {policy.name}: tiers lack {sorted(missing)}")
    if float(policy.tiers["remove"]) > float(policy.tiers["suspend"]):
        raise PolicyError(f"policy {policy.name}: tiers.remove must be <= tiers.suspend")
    for index, rule in enumerate(policy.rules):
        for op in [rule.op, *(c.op for c in rule.also)]:
            if op not in OPS:
                raise PolicyError(
                    f"policy {policy.name}: rule {index + 1} ({rule.feature}) op {op!r} "
                    f"is not one of {list(OPS)}"
                )


def default_policy() -> Policy:
    """The conservative default policy shipped in `presets/conservative.toml`."""
    return load_preset(DEFAULT_PRESET)


def presets() -> dict[str, Policy]:
    """Every shipped preset by name, the conservative default first."""
    names = sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))
    names.sort(key=lambda n: n != DEFAULT_PRESET)
    return {name: load_preset(name) for name in names}


def load_preset(name: str) -> Policy:
    """One shipped preset."""
    path = PRESETS_DIR / f"{name}.toml"
    if not _NAME.fullmatch(name) or not path.exists():
        raise PolicyError(f"no preset named {name!r} (looked for {path})")
    return from_toml(path.read_text(), source=str(path))


# --- TOML round trip ------------------------------------------------------------------------


def to_toml(policy: Policy) -> str:
    """The policy as human-readable TOML."""
    data = asdict(policy)
    data["tiers"] = {k: float(v) for k, v in resolved_tiers(policy, policy.threshold).items()}
    if policy.top_percent is None:
        data.pop("top_percent")
    data["rules"] = [_rule_dict(r) for r in policy.rules]
    return tomli_w.dumps(data)


def _rule_dict(rule: Rule) -> dict:
    data = asdict(rule)
    data["also"] = [asdict(c) for c in rule.also]
    if not data["also"]:
        data.pop("also")
    return data


def from_toml(text: str, source: str = "<policy>") -> Policy:
    """Parse a policy; errors name the source file, the rule and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML ({exc})") from exc
    try:
        rules = [_rule_from(r, i) for i, r in enumerate(data.pop("rules", []))]
        return Policy(rules=rules, **data)
    except (TypeError, KeyError, ValueError) as exc:
        raise PolicyError(f"{source}: {exc}") from exc


def _rule_from(data: dict, index: int) -> Rule:
    try:
        also = tuple(
            Condition(c["feature"], c["op"], float(c["threshold"])) for c in data.get("also", [])
        )
        return Rule(
            feature=data["feature"],
            op=data["op"],
            threshold=float(data["threshold"]),
            weight=float(data["weight"]),
            description=data.get("description", data["feature"]),
            enabled=bool(data.get("enabled", True)),
            also=also,
        )
    except KeyError as exc:
        raise PolicyError(f"rule {index + 1}: missing key {exc}") from exc


# --- applying a policy ------------------------------------------------------------------------


def rule_points(policy: Policy, features: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Per account: `rule_points` and `rule_hits` ("; "-joined); plus the rules skipped."""
    usable, skipped = _usable_rules(policy, features.columns)
    if not usable:
        empty = features.select("account_id").with_columns(
            pl.lit(0.0).alias("rule_points"), pl.lit("").alias("rule_hits")
        )
        return empty, skipped
    frame = features.select(
        "account_id", *(_rule_expr(r).alias(f"_r{i}") for i, r in enumerate(usable))
    )
    points = pl.sum_horizontal(
        [pl.col(f"_r{i}").cast(pl.Float64) * r.weight for i, r in enumerate(usable)]
    )
    names = [pl.when(pl.col(f"_r{i}")).then(pl.lit(r.description)) for i, r in enumerate(usable)]
    out = frame.select(
        "account_id",
        points.alias("rule_points"),
        pl.concat_str(names, separator="; ", ignore_nulls=True).fill_null("").alias("rule_hits"),
    )
    return out, skipped


def _usable_rules(policy: Policy, columns: list[str]) -> tuple[list[Rule], list[str]]:
    usable, skipped = [], []
    for rule in policy.enabled_rules:
        absent = [f for f in rule.features if f not in columns]
        if absent:
            skipped.append(f"{rule.description} (feature {', '.join(absent)} not available)")
        else:
            usable.append(rule)
    return usable, skipped


def _rule_expr(rule: Rule) -> pl.Expr:
    """True where the rule holds; a NULL (unobserved) feature never fires a rule."""
    expr = OPS[rule.op](pl.col(rule.feature), rule.threshold)
    for cond in rule.also:
        expr = expr & OPS[cond.op](pl.col(cond.feature), cond.threshold)
    return expr.fill_null(False)


def resolve_threshold(policy: Policy, risk) -> float:
    """The flag line: `policy.threshold`, or the risk keeping the top X % when `top_percent`."""
    if policy.top_percent is None or len(risk) == 0:
        return float(policy.threshold)
    import numpy as np

    values = np.sort(np.asarray(risk, dtype=np.float64))
    keep = max(1, int(round(len(values) * policy.top_percent / 100.0)))
    return float(values[len(values) - min(keep, len(values))])


def resolved_tiers(policy: Policy, threshold: float) -> dict[str, float]:
    """Tier cut-offs with `review` = the flag line and remove/suspend never below it."""
    remove = max(float(policy.tiers["remove"]), threshold)
    return {
        "review": threshold,
        "remove": remove,
        "suspend": max(float(policy.tiers["suspend"]), remove),
    }


def tier_expr(risk: pl.Expr, tiers: dict[str, float]) -> pl.Expr:
    """The tier name for a risk column."""
    return (
        pl.when(risk >= tiers["suspend"])
        .then(pl.lit("suspend"))
        .when(risk >= tiers["remove"])
        .then(pl.lit("remove"))
        .when(risk >= tiers["review"])
        .then(pl.lit("review"))
        .otherwise(pl.lit("none"))
    )


@dataclass
class PolicyResult:
    """`apply_policy`'s frame plus what the caller should tell the analyst."""

    frame: pl.DataFrame
    threshold: float
    skipped: list[str]


def evaluate_policy(policy: Policy, scores: pl.DataFrame, features: pl.DataFrame) -> PolicyResult:
    """Apply the policy and keep the resolved threshold and the skipped rules."""
    points, skipped = rule_points(policy, features)
    joined = scores.select("account_id", "score").join(points, on="account_id", how="left")
    joined = joined.with_columns(
        pl.col("rule_points").fill_null(0.0), pl.col("rule_hits").fill_null("")
    ).with_columns((pl.col("score") + pl.col("rule_points")).alias("risk"))
    threshold = resolve_threshold(policy, joined["risk"].to_numpy())
    tiers = resolved_tiers(policy, threshold)
    frame = joined.with_columns(
        (pl.col("risk") >= threshold).alias("flagged"),
        tier_expr(pl.col("risk"), tiers).alias("tier"),
    )
    return PolicyResult(frame, threshold, skipped)


def apply_policy(policy: Policy, scores: pl.DataFrame, features: pl.DataFrame) -> pl.DataFrame:
    """Per account: score, rule_points, rule_hits ("; "-joined), risk, flagged, tier."""
    return evaluate_policy(policy, scores, features).frame


def describe(policy: Policy) -> str:
    """One paragraph a stakeholder can read."""
    line = (
        f"top {policy.top_percent:g} % of accounts by risk"
        if policy.top_percent is not None
        else f"risk >= {policy.threshold:.3f}"
    )
    rules = ", ".join(f"{r.description} (+{r.weight:g})" for r in policy.enabled_rules)
    return (
        f"Flag when {line}; risk = model score + points of broken rules"
        f" [{rules or 'no rules'}]. Remove follower at risk >= {policy.tiers['remove']:g},"
        f" suspend at >= {policy.tiers['suspend']:g}."
    )
