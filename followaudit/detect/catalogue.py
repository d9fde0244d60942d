"""What each account feature means: a plain description, its group, the source columns it needs,
and the sentence an analyst reads for an account's value ("No profile picture")."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import NamedTuple


class Feature(NamedTuple):
    """A feature: plain description, group, a sentence about an account's value, source columns,
    and the words comparing a value with other accounts' ("older" / "younger" than 80 % of ...)."""

    description: str
    group: str
    phrase: Callable[[float | None], str]
    sources: tuple[str, ...]
    compare: tuple[str, str] = ("higher", "lower")


MORE = ("more", "fewer")
LONGER = ("longer", "shorter")


def _num(value: float) -> str:
    """A count or measure in words-friendly form: 312, 1.2k, 0.35."""
    if abs(value) >= 10_000:
        return f"{value / 1000:,.0f}k"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.2g}"


def _duration_hours(hours: float) -> str:
    if abs(hours) < 1:
        return f"{abs(hours) * 60:.0f} min"
    if abs(hours) < 48:
        return f"{abs(hours):.0f} h"
    return f"{abs(hours) / 24:.0f} days"


def _flag(yes: str, no: str) -> Callable[[float | None], str]:
    return lambda v: yes if v >= 0.5 else no


def _share(template: str) -> Callable[[float | None], str]:
    return lambda v: template.format(pct=f"{(v or 0) * 100:.0f}%")


def _count(template: str) -> Callable[[float | None], str]:
    singular = re.sub(r"\{n\} (\w+?)s\b", r"{n} \1", template)  # "1 videos" -> "1 video"
    return lambda v: (singular if v == 1 else template).format(n=_num(v))


A = "accounts."
FEATURES: dict[str, Feature] = {
    "has_profile_pic": Feature(
        "Whether the account has a profile picture.",
        "profile",
        _flag("Has a profile picture", "No profile picture"),
        (A + "has_profile_pic",),
    ),
    "bio_length": Feature(
        "Length of the bio in characters (0 = empty bio).",
        "profile",
        lambda v: "Empty bio" if not v else _count("Bio of {n} characters")(v),
        (A + "bio",),
        LONGER,
    ),
    "has_external_link": Feature(
        "Whether the profile links to an external site.",
        "profile",
        _flag("Has an external link", "No external link"),
        (A + "has_external_link",),
    ),
    "is_private": Feature(
        "Whether the account is private.",
        "profile",
        _flag("Private account", "Public account"),
        (A + "is_private",),
    ),
    "is_verified": Feature(
        "Whether the platform verified the account.",
        "profile",
        _flag("Verified account", "Not verified"),
        (A + "is_verified",),
    ),
    "follower_count": Feature(
        "How many accounts follow this account.",
        "profile",
        _count("{n} followers"),
        (A + "follower_count",),
        MORE,
    ),
    "following_count": Feature(
        "How many accounts this account follows.",
        "profile",
        _count("Follows {n} accounts"),
        (A + "following_count",),
        MORE,
    ),
    "video_count": Feature(
        "How many videos the account has posted.",
        "profile",
        lambda v: "Never posted a video" if not v else _count("Posted {n} videos")(v),
        (A + "video_count",),
        MORE,
    ),
    "following_follower_ratio": Feature(
        "Accounts followed per follower (following / (followers + 1)).",
        "profile",
        _count("Follows {n} accounts per follower"),
        (A + "following_count", A + "follower_count"),
    ),
    "likes_received": Feature(
        "Likes received on the account's videos.",
        "profile",
        _count("{n} likes received"),
        (A + "likes_received",),
        MORE,
    ),
    "likes_given": Feature(
        "Likes the account has given to others.",
        "profile",
        lambda v: "Never liked anything" if not v else _count("Gave {n} likes")(v),
        (A + "likes_given",),
        MORE,
    ),
    "likes_per_video": Feature(
        "Likes received per posted video (likes / (videos + 1)).",
        "profile",
        _count("{n} likes per video"),
        (A + "likes_received", A + "video_count"),
        MORE,
    ),
    "account_age_days": Feature(
        "Days between the account's creation and the end of the observed data.",
        "profile",
        lambda v: f"Account {_duration_hours(v * 24)} old",
        (A + "created_at",),
        ("older", "younger"),
    ),
    "days_since_active": Feature(
        "Days since the account was last active.",
        "profile",
        lambda v: f"Last active {_duration_hours(v * 24)} ago",
        (A + "last_active_at",),
        ("longer inactive", "more recently active"),
    ),
    "username_length": Feature(
        "Number of characters in the username.",
        "profile",
        _count("Username of {n} characters"),
        (A + "username",),
        LONGER,
    ),
    "username_digit_count": Feature(
        "Number of digits in the username.",
        "profile",
        _count("{n} digits in the username"),
        (A + "username",),
        MORE,
    ),
    "username_digit_ratio": Feature(
        "Share of the username's characters that are digits.",
        "profile",
        _share("Username is {pct} digits"),
        (A + "username",),
    ),
    "username_word_digits": Feature(
        "Username is letters followed by two or more digits (like anna_83921).",
        "profile",
        _flag("Username is a word followed by digits", "Username is not word+digits"),
        (A + "username",),
    ),
    "username_entropy": Feature(
        "Character entropy of the username in bits (random strings score high).",
        "profile",
        _count("Username character entropy {n} bits"),
        (A + "username",),
    ),
    "display_name_word_count": Feature(
        "Number of words in the display name.",
        "profile",
        lambda v: "No display name" if not v else _count("Display name of {n} words")(v),
        (A + "display_name",),
        MORE,
    ),
    "display_name_digit_ratio": Feature(
        "Share of the display name's characters that are digits.",
        "profile",
        _share("Display name is {pct} digits"),
        (A + "display_name",),
    ),
    "name_equals_username": Feature(
        "Whether the display name equals the username.",
        "profile",
        _flag("Display name equals the username", "Display name differs from the username"),
        (A + "display_name", A + "username"),
    ),
    "follows_made": Feature(
        "How many follows the account made in this data's follow log (its profile's "
        "following count may include follows outside it).",
        "behaviour",
        _count("Made {n} follows in this data"),
        ("follows",),
        MORE,
    ),
    "follows_per_active_day": Feature(
        "Follows made per day on which the account followed anyone.",
        "behaviour",
        _count("{n} follows per active day"),
        ("follows",),
        MORE,
    ),
    "max_follows_in_hour": Feature(
        "Largest number of follows the account made within one clock hour.",
        "behaviour",
        _count("Followed {n} accounts in one hour"),
        ("follows",),
        MORE,
    ),
    "median_follow_gap_min": Feature(
        "Median minutes between the account's consecutive follows.",
        "behaviour",
        lambda v: f"Median {_duration_hours(v / 60)} between follows",
        ("follows",),
        ("slower", "faster"),
    ),
    "early_follow_share": Feature(
        "Share of the account's follows made within 3 days of its creation.",
        "behaviour",
        _share("{pct} of its follows within 3 days of creation"),
        ("follows", A + "created_at"),
    ),
    "first_follow_age_hours": Feature(
        "Hours between the account's creation and its first follow.",
        "behaviour",
        lambda v: f"Created {_duration_hours(v)} before its first follow",
        ("follows", A + "created_at"),
        ("later", "sooner"),
    ),
    "creation_cohort_size": Feature(
        "Other accounts created in the same hour that followed one of the same creators "
        "within a week of creation.",
        "coordination",
        _count("Created in the same hour as {n} other followers of the same creator"),
        ("follows", A + "created_at"),
        ("larger", "smaller"),
    ),
    "lockstep_score": Feature(
        "Other accounts that followed the same two creators in the same order within the "
        "same 30 minutes (CopyCatch-style lockstep).",
        "coordination",
        _count("Followed in lockstep with {n} other accounts"),
        ("follows",),
        MORE,
    ),
    "spike_follow_share": Feature(
        "Share of its follows that landed on a creator's follower spike day "
        "(robust z-score of daily gains; no labels used).",
        "coordination",
        _share("{pct} of its follows landed on follower-spike days"),
        ("follows",),
    ),
    "creation_day_cohort": Feature(
        "On a creator's busy day, how many times more of its new followers were created on the "
        "same day as this account than the platform's follows that day predict (1 = as expected).",
        "coordination",
        lambda v: (
            _ratio(v, "Arrived with a batch of accounts created on its creation day")
            or "No batch created on its creation day among the followers it arrived with"
        ),
        ("follows", A + "created_at"),
    ),
    "shared_sequence": Feature(
        "How many times more accounts than chance followed the same two creators one after the "
        "other (within two days) as this account did (1 = as expected).",
        "coordination",
        lambda v: (
            _ratio(v, "Followed two creators back to back like many other accounts")
            or "Follows creators in an order nobody else shares"
        ),
        ("follows",),
    ),
    "newcomer_wave": Feature(
        "How many times more brand-new followers a creator got on the day this account followed "
        "it in its first two days than the platform's sign-ups that day explain (1 = ordinary "
        "sign-up traffic; absent when it made no follow in its first two days).",
        "coordination",
        lambda v: (
            _ratio(v, "Followed as a brand-new account in a wave aimed at one creator")
            or "Followed as a brand-new account like the platform's other sign-ups that day"
        ),
        ("follows", A + "created_at"),
    ),
    "target_popularity": Feature(
        "Average popularity rank of the creators it follows (0 = the least followed, "
        "1 = the most followed).",
        "behaviour",
        lambda v: f"Follows creators of average popularity rank {v * 100:.0f}%",
        ("follows",),
    ),
    "follow_span_days": Feature(
        "Days between its first and its last follow.",
        "behaviour",
        lambda v: (
            "All its follows within one day"
            if v < 1
            else f"Followed over {_duration_hours(v * 24)}"
        ),
        ("follows",),
    ),
    "active_after_follows_days": Feature(
        "Days between its last follow and its last activity (likes, views, posts).",
        "behaviour",
        lambda v: (
            "Not seen again after its last follow"
            if v < 0.05
            else f"Active {_duration_hours(v * 24)} after its last follow"
        ),
        ("follows", A + "last_active_at"),
    ),
}

RATIO_NOTABLE = 2.0  # a coordination ratio is worth naming from twice the expected level


def _ratio(value: float, sentence: str) -> str | None:
    """ "<sentence> (N× what chance explains)" when the ratio is notable, else None."""
    if value < RATIO_NOTABLE:
        return None
    return f"{sentence} ({_num(value)}× what chance explains)"


def reason(name: str, value: float | None) -> str:
    """The sentence for feature `name` at an account's `value`; unobserved values say so."""
    if value is None or math.isnan(value):  # never phrase a missing value as a zero
        return f"Not observed: {description(name)[0].lower()}{description(name)[1:-1]}"
    return FEATURES[name].phrase(value) if name in FEATURES else f"{name} = {_num(value)}"


def description(name: str) -> str:
    """The plain description of a feature (extra imported columns get a generic one)."""
    return FEATURES[name].description if name in FEATURES else f"Imported column {name!r}."


def comparatives(name: str) -> tuple[str, str]:
    """Words for a value above / below other accounts' ("older", "younger"); generic otherwise."""
    return FEATURES[name].compare if name in FEATURES else ("higher", "lower")
