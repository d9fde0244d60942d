"""A spike's verdict and its reason in plain words.

`explained` only when engagement (views with comments and shares) or a platform-wide sign-up wave
accounts for the jump; `suspicious` when its followers are flagged beyond both the creator's usual
level and the platform's same-day traffic, when brand-new accounts arrive far beyond what the
platform's sign-ups explain, when views rose without comments or shares (bought views), or when it
grew `flat_growth` times with flat views; otherwise `unexplained`: the followers look genuine but
nothing in the data accounts for the jump (an analyst annotation can say what it was).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

PLATFORM_COLUMNS = (
    "platform_young",
    "platform_young_expected",
    "platform_flagged",
    "platform_flagged_expected",
    "signup_followers",  # followed within an hour of signing up
    "signup_expected",  # ... as many as the creator usually gets on that many days
    "wave_breadth",  # other creators many of those sign-ups followed in the same hour
)


@dataclass(frozen=True)
class VerdictConfig:
    """Thresholds of the verdict rules."""

    fake_excess_share: float = 0.3  # flagged followers above usual, as a share of the excess
    quality_z: float = 6.0  # ... and that many Poisson sigmas above the usual flagged follows
    platform_z: float = 3.0  # ... and this many above the platform's same-day flagged traffic
    min_flagged_excess: float = 10.0  # ... and at least this many extra flagged followers
    flagged_share: float = 0.5  # or simply this share of all new followers flagged ...
    flagged_share_min_excess: float = 5.0  # ... with at least this many extra flagged followers
    engagement_rise: float = 2.0  # views this many times their usual level ...
    talk_rise: float = 1.5  # ... with comments + shares up this much: real engagement
    young_share: float = 0.5  # (no platform context) brand-new accounts ...
    cohort_share: float = 0.3  # ... mostly from one creation cohort
    wave_share: float = 0.5  # a sign-up wave: extra sign-ups make up this share of the excess ...
    wave_breadth: int = 4  # ... and followed at least this many other creators in the same hour
    newcomer_z: float = 6.0  # brand-new accounts this many Poisson sigmas beyond the platform's
    flat_growth: float = 10.0  # never explained: this many times the expected gain ...
    flat_views: float = 1.5  # ... with views below this many times their usual level
    drip_days: int = 5  # runs at least this long are drips, shorter ones bursts


def _with_defaults(spikes: pl.DataFrame) -> pl.DataFrame:
    """Columns the rules read that a spike frame may lack (NULL = not known)."""
    optional = (
        "cohort_share",
        "flagged_cohort",
        "flagged_cohort_share",
        "talk_ratio",
        "followers_gained",
        "expected_followers",
    )
    missing = [c for c in (*optional, *PLATFORM_COLUMNS) if c not in spikes.columns]
    return spikes.with_columns(pl.lit(None, pl.Float64).alias(c) for c in missing)


def _flagged_excess() -> pl.Expr:
    """Extra flagged followers beyond the creator's usual AND the platform's same-day level."""
    platform = pl.col("platform_flagged") - pl.col("platform_flagged_expected")
    return pl.min_horizontal(pl.col("flagged_excess"), platform.fill_null(pl.col("flagged_excess")))


def _rules(cfg: VerdictConfig) -> dict[str, pl.Expr]:
    """Each rule as a boolean expression over a spike row."""
    fx = pl.col("_fx")
    platform_z = (pl.col("platform_flagged") - pl.col("platform_flagged_expected")) / (
        pl.col("platform_flagged_expected") + 1
    ).sqrt()
    many_fakes = (
        (fx >= cfg.fake_excess_share * pl.col("excess").clip(1))
        & (pl.col("quality_z") >= cfg.quality_z)
        & (platform_z.fill_null(cfg.platform_z) >= cfg.platform_z)
        & (fx >= cfg.min_flagged_excess)
    )
    mostly_fakes = (pl.col("flagged_share") >= cfg.flagged_share) & (
        fx >= cfg.flagged_share_min_excess
    )
    # Extra flagged followers, many of them created on one day: a bought batch fed in slowly.
    one_batch = (
        (fx >= cfg.min_flagged_excess)
        & (pl.col("flagged_cohort").fill_null(0) >= cfg.min_flagged_excess)
        & (pl.col("flagged_cohort_share").fill_null(0) >= cfg.cohort_share)
    )
    young, expected = pl.col("platform_young"), pl.col("platform_young_expected")
    young_excess = young - expected
    extra_signups = pl.col("signup_followers") - pl.col("signup_expected").fill_null(0)
    wave = (extra_signups >= cfg.wave_share * pl.col("excess").clip(1)) & (
        pl.col("wave_breadth") >= cfg.wave_breadth
    )
    newcomers = (
        young_excess >= pl.max_horizontal(pl.lit(cfg.min_flagged_excess), 0.3 * pl.col("excess"))
    ) & (young_excess / (expected + 1).sqrt() >= cfg.newcomer_z)
    # Without platform context (a table without creation times): the old one-creator test.
    odd = (pl.col("young_share") >= cfg.young_share) & (
        pl.col("cohort_share").fill_null(1.0) >= cfg.cohort_share
    )
    views_up = pl.col("views_ratio") >= cfg.engagement_rise
    talk = pl.col("talk_ratio")
    return {
        "low_quality": many_fakes | mostly_fakes | one_batch,
        "wave": wave.fill_null(False),
        "engagement": views_up & (talk.is_null() | (talk >= cfg.talk_rise)),
        "newcomers": newcomers.fill_null(odd),
        "bought_views": views_up & (talk < cfg.talk_rise).fill_null(False),
        "flat_growth": (
            pl.col("followers_gained") >= cfg.flat_growth * pl.col("expected_followers")
        )
        & (pl.col("views_ratio") < cfg.flat_views),
    }


# Order matters: the first rule that holds gives the verdict and the reason.
ORDER = (
    ("low_quality", "suspicious"),
    ("wave", "explained"),
    ("engagement", "explained"),
    ("newcomers", "suspicious"),
    ("bought_views", "suspicious"),
    ("flat_growth", "suspicious"),
)


def assign_verdict(spikes: pl.DataFrame, cfg: VerdictConfig | None = None) -> pl.DataFrame:
    """Add `verdict` (suspicious|explained|unexplained), `kind` (burst|drip) and a plain `reason`."""
    cfg = cfg or VerdictConfig()
    spikes = _with_defaults(spikes).with_columns(_flagged_excess().alias("_fx"))
    rules = _rules(cfg)
    verdict, reason = pl.lit("unexplained"), _reason("unexplained")
    for name, outcome in reversed(ORDER):
        verdict = pl.when(rules[name]).then(pl.lit(outcome)).otherwise(verdict)
        reason = pl.when(rules[name]).then(_reason(name)).otherwise(reason)
    return spikes.with_columns(
        verdict.alias("verdict"),
        pl.when(pl.col("days") >= cfg.drip_days)
        .then(pl.lit("drip"))
        .otherwise(pl.lit("burst"))
        .alias("kind"),
        reason.alias("reason"),
    ).drop("_fx")


def _pct(column: str) -> pl.Expr:
    return (pl.col(column) * 100).round(0).cast(pl.Int64).cast(pl.String)


def _int(expr: pl.Expr) -> pl.Expr:
    return expr.round(0).cast(pl.Int64).cast(pl.String)


def _times(expr: pl.Expr) -> pl.Expr:
    return expr.round(1).cast(pl.String)


def _reason(rule: str) -> pl.Expr:
    """The sentence an analyst reads beside the verdict."""
    young_extra = pl.col("platform_young") - pl.col("platform_young_expected")
    parts = {
        "low_quality": (
            "low-quality followers: ",
            _int(pl.col("_fx")),
            " more flagged accounts than usual and than the platform's same-day traffic explains (",
            _pct("flagged_share"),
            "% of new followers flagged)",
        ),
        "wave": (
            "platform-wide sign-up wave: ",
            _int(pl.col("signup_followers")),
            " of its new followers followed it within an hour of signing up (",
            _int(pl.col("signup_expected").fill_null(0)),
            " usual), and followed ",
            _int(pl.col("wave_breadth")),
            " other creators in that hour too",
        ),
        "engagement": ("views rose ", _times(pl.col("views_ratio")), "x with it"),
        "newcomers": (
            "brand-new accounts beyond the platform's sign-ups: ",
            _int(young_extra.fill_null(pl.col("young_share") * pl.col("followers_gained"))),
            " more than that day's sign-ups explain, with no engagement to account for them",
        ),
        "bought_views": (
            "views rose ",
            _times(pl.col("views_ratio")),
            "x but comments and shares did not: views bought with the followers?",
        ),
        "flat_growth": (
            "grew ",
            _times(pl.col("followers_gained") / pl.col("expected_followers").clip(1)),
            "x the expected gain with flat views; no engagement or platform-wide wave explains it",
        ),
        "unexplained": (
            "followers look genuine (",
            _pct("flagged_share"),
            "% flagged), but neither engagement nor a platform-wide wave explains the jump",
        ),
    }
    return pl.concat_str([p if isinstance(p, pl.Expr) else pl.lit(p) for p in parts[rule]])
