"""Knobs of the synthetic world; docs/generator.md says which real-world fact each imitates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# A fixed end keeps output deterministic and never in the future.
END = datetime(2026, 9, 30, tzinfo=UTC)
END_S = int(END.timestamp())
DAY = 86_400
HOUR = 3_600
PLATFORM_LAUNCH_S = int(datetime(2016, 9, 1, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class WorldConfig:
    """Size and behaviour knobs of one generated world."""

    seed: int = 7
    accounts: int = 50_000
    creators: int | None = None  # None -> about 0.6% of accounts (300 at 50k)
    days: int = 180
    fake_share: float = 0.14  # share of non-creator accounts that are bought followers
    camouflaged_share: float = 0.28  # share of fake pools whose accounts are camouflaged
    lurker_share: float = 0.22  # share of genuine users: no picture, no videos, but they like
    new_user_share: float = 0.20  # genuine users who sign up inside the window
    viral_signup_share: float = 0.30  # new users who joined because of one creator's viral video
    onboarding_share: float = 0.45  # new users who follow suggested creators right at sign-up
    follows_per_user: float = 60.0  # mean follows a genuine user makes in the window
    popularity_sigma: float = 1.25  # log-normal spread of creator popularity (heavy tail)
    weekend_lift: float = 1.18  # weekend views relative to weekdays
    viral_rate: float = 0.9  # viral moments per creator per 180 days
    giveaway_rate: float = 0.25  # giveaways per creator per 180 days
    shoutout_rate: float = 0.35  # shoutouts per creator per 180 days
    pool_size_median: float = 150.0  # accounts per fake pool (log-normal)
    drip_share: float = 0.45  # share of fake jobs delivered as a drip over weeks
    genuine_churn: float = 0.06  # share of genuine follows later undone by the user
    purge_days: int = 4  # platform clean-up sweeps inside the window
    purge_rate_plain: float = 0.22  # chance a plain fake existing at a sweep is removed by it
    purge_rate_camouflaged: float = 0.04
    chunk_accounts: int = 100_000  # genuine followers generated and written per chunk

    @property
    def n_creators(self) -> int:
        """Number of creator accounts."""
        if self.creators is not None:
            return int(self.creators)
        return max(10, round(self.accounts * 0.006))

    @property
    def coverage(self) -> float:
        """Small worlds have few creators: users follow proportionally fewer of them."""
        return min(1.0, self.n_creators / 300)

    @property
    def start_s(self) -> int:
        """Window start in epoch seconds (midnight UTC)."""
        return END_S - self.days * DAY
