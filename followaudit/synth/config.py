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
    # --- genuine users ---
    lurker_share: float = 0.22  # share of long-standing users: no picture, no videos, but they like
    new_user_share: float = 0.20  # genuine users who sign up inside the window
    viral_signup_share: float = 0.30  # new users who joined because of one creator's viral video
    onboarding_share: float = 0.45  # other new users who follow suggested creators at sign-up
    onboarding_waves: int = 4  # platform-wide sign-up waves (campaigns, holidays) per 180 days
    onboarding_wave_share: float = 0.35  # share of new users who sign up in one of those waves
    abandon_share: float = 0.4  # sign-ups who follow the suggestions and never come back
    suggested_creators: int = 30  # top creators the app suggests at sign-up
    regional_launches: int = 1  # the platform opens in a region inside the window
    regional_launch_share: float = 0.03  # accounts that join in one launch, share of all accounts
    second_account_share: float = 0.03  # genuine users' second (backup, alt) accounts
    follows_per_user: float = 85.0  # mean follows one genuine user makes in the window
    activity_sigma: float = 1.7  # log-normal spread of follow activity: many light users
    popularity_sigma: float = 1.25  # log-normal spread of creator popularity (heavy tail)
    weekend_lift: float = 1.18  # weekend views relative to weekdays
    # --- genuine growth events per creator per 180 days ---
    viral_rate: float = 0.9
    giveaway_rate: float = 0.25
    shoutout_rate: float = 0.35
    featured_rate: float = 0.2  # the platform features the creator for a few days
    acceleration_rate: float = 0.15  # organic growth trends up several-fold over a month
    genuine_churn: float = 0.06  # share of genuine follows later undone by the user
    # --- bought followers ---
    fake_share: float = 0.14  # share of non-creator accounts that are bought followers
    # shares of the fake accounts by the stock they come from; the rest is plain farm stock
    camouflaged_share: float = 0.15  # aged accounts with real-looking profiles, careful scripts
    premium_share: float = 0.15  # premium aged bots: 1-4 years old, bought in big batches
    slow_share: float = 0.10  # low-and-slow farms: a few fresh accounts a day for months
    single_target_share: float = 0.10  # fresh batches used for one creator only
    pool_size_median: float = 150.0  # accounts per plain or camouflaged pool (log-normal)
    # how plain and camouflaged pools deliver a job
    drip_share: float = 0.35  # spread over 2-6 weeks
    bundled_share: float = 0.15  # a burst sold together with views and likes on the same days
    viral_cover_share: float = 0.15  # timed inside a real viral moment of the buyer
    purge_days: int = 4  # platform clean-up sweeps inside the window
    purge_rate_plain: float = 0.22  # chance a plain fake existing at a sweep is removed by it
    purge_rate_camouflaged: float = 0.04  # careful stock (camouflaged, premium) is rarely caught
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

    @property
    def scale(self) -> float:
        """Window length relative to the 180 days the rates are stated for."""
        return self.days / 180
