"""What a policy is: a threshold (or top X %), rules in log-odds, tiers; presets and TOML files.

How a policy decides, in one paragraph (shown in the UI and the policy report): each enabled
rule an account breaks adds its ``weight`` (log-odds) to the model's logit, so the account's
**risk** = sigmoid(logit(score) + sum of weights) is still a probability (`decide.risk`). The
account is **flagged** when risk >= the policy threshold (a value in [0, 1], or the risk keeping
the top X % of accounts when ``top_percent`` is set). A flagged account's **tier** is ``suspend``
if risk >= ``tiers.suspend``, else ``remove`` if risk >= ``tiers.remove``, else ``review``;
unflagged accounts are tier ``none``. Tiers therefore start at the threshold: a tier below it
is refused with the reason (`tier_problems`).

Files written before risk became a probability (no ``risk_scale`` key) carried weights in score
points (risk = score + points). They still load: each weight w becomes the log-odds that lifts an
account from score t - w to the file's threshold t, which keeps that file's borderline decisions;
a file whose threshold or tiers lie above 1 cannot be converted and is refused, naming the file.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import tomli_w

from followaudit.decide.risk import MAX_WEIGHT, logit, odds_factor

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
DEFAULT_PRESET = "conservative"
RISK_SCALE = "log-odds"  # the `risk_scale` of files written now; absent = old score points
MAX_RULES = 64  # rule hits are kept as one 64-bit mask per account
OPS = {
    ">=": lambda c, t: c >= t,
    ">": lambda c, t: c > t,
    "<=": lambda c, t: c <= t,
    "<": lambda c, t: c < t,
    "==": lambda c, t: c == t,
    "!=": lambda c, t: c != t,
}
TIERS = ("none", "review", "remove", "suspend")
MAX_RISK = 1.0  # risk is a probability: the highest line a policy may hold
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


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
    """A transparent rule: when `feature op threshold` holds it adds `weight` log-odds."""

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
    """Threshold (value or top-X %) + rules + tiers, with who saved it, when and why."""

    name: str
    threshold: float = 0.8
    top_percent: float | None = None
    rules: list[Rule] = field(default_factory=list)
    tiers: dict[str, float] = field(
        default_factory=lambda: {"review": 0.8, "remove": 0.9, "suspend": 0.98}
    )
    version: int = 0
    author: str = ""
    created_at: str = ""
    note: str = ""
    converted: str = ""  # how an old score-point file was converted on load (never written)

    def __post_init__(self) -> None:
        validate(self)

    @property
    def enabled_rules(self) -> list[Rule]:
        """The rules that count."""
        return [r for r in self.rules if r.enabled]

    @property
    def label(self) -> str:
        """'name v3' for a saved version, else the name (a preset or settings never saved)."""
        return f"{self.name} v{self.version}" if self.version else self.name

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
    _check_unit(policy, "threshold", policy.threshold)
    if policy.top_percent is not None and not 0.0 < float(policy.top_percent) <= 100.0:
        raise PolicyError(f"policy {policy.name}: top_percent {policy.top_percent} not in (0, 100]")
    missing = {"remove", "suspend"} - policy.tiers.keys()
    if missing:
        raise PolicyError(f"policy {policy.name}: tiers lack {sorted(missing)}")
    for tier in ("remove", "suspend"):
        _check_unit(policy, f"tiers.{tier}", policy.tiers[tier])
    if float(policy.tiers["remove"]) > float(policy.tiers["suspend"]):
        raise PolicyError(f"policy {policy.name}: tiers.remove must be <= tiers.suspend")
    if len(policy.rules) > MAX_RULES:
        raise PolicyError(f"policy {policy.name}: {len(policy.rules)} rules, at most {MAX_RULES}")
    for index, rule in enumerate(policy.rules):
        _check_rule(policy.name, index, rule)


def _check_unit(policy: Policy, what: str, value: float) -> None:
    if not 0.0 <= float(value) <= 1.0:
        raise PolicyError(
            f"policy {policy.name}: {what} {value} not in 0..1 (risk is a probability)"
        )


def _check_rule(name: str, index: int, rule: Rule) -> None:
    where = f"policy {name}: rule {index + 1} ({rule.feature})"
    for op in [rule.op, *(c.op for c in rule.also)]:
        if op not in OPS:
            raise PolicyError(f"{where} op {op!r} is not one of {list(OPS)}")
    if not math.isfinite(rule.weight) or abs(rule.weight) > MAX_WEIGHT:
        raise PolicyError(f"{where} weight {rule.weight} not in -{MAX_WEIGHT:g}..{MAX_WEIGHT:g}")


def tier_problems(policy: Policy, threshold: float) -> list[str]:
    """Why the tiers cannot stand at this threshold (empty when they can)."""
    problems = []
    for tier in ("remove", "suspend"):
        cut = float(policy.tiers[tier])
        if cut < threshold:
            problems.append(
                f"The {tier} tier ({cut:.3f}) is below the threshold ({threshold:.3f}). Only "
                f"flagged accounts get a tier, so tiers start at the threshold: raise {tier} "
                f"to at least {threshold:.3f} or lower the threshold."
            )
    return problems


def check_saveable(policy: Policy) -> None:
    """Raise PolicyError with every reason the policy's tiers are incoherent."""
    problems = tier_problems(policy, float(policy.threshold))
    if problems:
        raise PolicyError(f"policy {policy.name}: " + " ".join(problems))


def resolve_threshold(policy: Policy, sorted_risk: np.ndarray) -> float:
    """The flag line: `policy.threshold`, or the risk keeping the top X % of `sorted_risk`."""
    n = len(sorted_risk)
    if policy.top_percent is None or n == 0:
        return float(policy.threshold)
    return threshold_for_top(sorted_risk, policy.top_percent)


def threshold_for_top(sorted_risk: np.ndarray, percent: float) -> float:
    """The risk of the account at the top-`percent` % line of ascending `sorted_risk`."""
    n = len(sorted_risk)
    if n == 0:
        return 1.0
    keep = min(n, max(1, int(round(n * percent / 100.0))))
    return float(sorted_risk[n - keep])


def resolved_tiers(policy: Policy, threshold: float) -> dict[str, float]:
    """Tier cut-offs: `review` = the flag line; remove/suspend never below it."""
    remove = max(float(policy.tiers["remove"]), threshold)
    return {
        "review": threshold,
        "remove": remove,
        "suspend": max(float(policy.tiers["suspend"]), remove),
    }


def describe(policy: Policy) -> str:
    """One paragraph a stakeholder can read."""
    line = (
        f"the top {policy.top_percent:g} % of accounts by risk"
        if policy.top_percent is not None
        else f"risk ≥ {policy.threshold:.3f}"
    )
    rules = ", ".join(
        f"{r.description} ({r.weight:+g}, {odds_factor(r.weight)})" for r in policy.enabled_rules
    )
    return (
        f"Flag {line}. Risk is the model's calibrated probability that an account is fake, with "
        f"the odds multiplied by each rule it breaks [{rules or 'no rules'}]. "
        f"Remove the follower at risk ≥ {policy.tiers['remove']:g}, suspend at ≥ "
        f"{policy.tiers['suspend']:g}."
    )


# --- presets ----------------------------------------------------------------------------------


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


# --- TOML round trip --------------------------------------------------------------------------


def to_toml(policy: Policy) -> str:
    """The policy as human-readable TOML (always in the current log-odds scale)."""
    data = {"risk_scale": RISK_SCALE} | asdict(policy)
    data.pop("converted")
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
    scale = data.pop("risk_scale", None)
    try:
        rules = [_rule_from(r, i) for i, r in enumerate(data.pop("rules", []))]
        if scale is None:
            return _from_score_points(data, rules, source)
        if scale != RISK_SCALE:
            raise PolicyError(f"risk_scale {scale!r}: expected {RISK_SCALE!r}")
        data.pop("converted", None)
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


def _from_score_points(data: dict, rules: list[Rule], source: str) -> Policy:
    """An old file (risk = score + points): weights converted to log-odds at its threshold."""
    threshold = float(data.get("threshold", 0.7))
    above = {"threshold": threshold} | {
        f"tiers.{k}": float(v) for k, v in data.get("tiers", {}).items()
    }
    too_high = {k: v for k, v in above.items() if v > 1.0}
    if too_high:
        shown = ", ".join(f"{k} = {v:g}" for k, v in too_high.items())
        raise PolicyError(
            f"{source} was saved when risk was score + rule points, and its {shown} lies above "
            "1; risk is now a probability (0..1), so it cannot be converted. Open it in the "
            "Threshold lab from a preset and save it again."
        )
    converted = [replace(r, weight=points_to_log_odds(r.weight, threshold)) for r in rules]
    note = (
        f"{Path(source).name} used score-point weights; converted to log-odds at its threshold "
        f"{threshold:g} ("
        + ", ".join(
            f"{r.weight:+g} pts → {c.weight:+.2f}" for r, c in zip(rules, converted, strict=True)
        )
        + "). Save it again to store the converted form."
    )
    data.pop("converted", None)
    return Policy(rules=converted, converted=note, **data)


def points_to_log_odds(points: float, threshold: float) -> float:
    """The log-odds that lift an account from score `threshold - points` to `threshold`."""
    t = min(max(threshold, 1e-6), 1 - 1e-6)
    below = t - points
    if below <= 0.0:
        return MAX_WEIGHT  # the old rule flagged on its own
    if below >= 1.0:
        return -MAX_WEIGHT  # the old rule cleared on its own
    return float(np.clip(logit(t) - logit(below), -MAX_WEIGHT, MAX_WEIGHT))
