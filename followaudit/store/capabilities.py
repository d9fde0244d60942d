"""What a workspace's data can support: which tables and columns it has, and, for every part of
the app that needs something it lacks, the one sentence that says what to add.

Pages ask here instead of finding out from an empty table: a profile-only import (no follow log,
no engagement, no labels) is a normal workspace, not a broken one.
"""

from __future__ import annotations

from dataclasses import dataclass

from followaudit.store.workspace import Workspace

# feature -> what it needs, said once for every page (README "Data format" names the columns)
NEEDS = {
    "growth": "Growth anomalies need a follow log with follow times: add `follows.csv` "
    "(follower_id, creator_id, followed_at) to the data and rebuild.",
    "sandbox": "The attack sandbox injects bought followers into a follow log: add "
    "`follows.csv` (follower_id, creator_id, followed_at) to the data and rebuild.",
    "audience": "Audience quality and purge impact are per creator and need a follow log: add "
    "`follows.csv` to the data and rebuild.",
    "creator_exports": "Spike and audience-score downloads need a follow log: add `follows.csv` "
    "(follower_id, creator_id, followed_at) to the data and rebuild.",
    "engagement": "Expected gains from views and likes need daily engagement: add "
    "`engagement_daily.csv` (creator_id, date, views, likes); until then spikes are judged "
    "against each creator's own history only.",
    "labels": "Detection metrics need labelled fake and genuine accounts: label some in the "
    "Review queue, or add `labels.csv` (account_id, label) and rebuild.",
    "creation_times": "Account age and creation cohorts need creation times: map a "
    "`created_at` column (ISO time or epoch seconds) and rebuild.",
    "peers": "Creation cohorts and lockstep peers need a follow log with follow times and "
    "account creation times.",
}


@dataclass(frozen=True)
class Capabilities:
    """A workspace's data: its size, which optional tables have rows, which columns have values."""

    accounts: int
    has_follows: bool
    has_engagement: bool
    fake_labels: int
    genuine_labels: int
    columns: frozenset[tuple[str, str]]  # (table, column) pairs the files had values for

    def has_column(self, table: str, column: str) -> bool:
        """Whether the data files gave `table.column` at least one value."""
        return (table, column) in self.columns

    @property
    def has_labels(self) -> bool:
        """Labelled fake *and* genuine accounts: enough to train and to measure."""
        return self.fake_labels > 0 and self.genuine_labels > 0

    @property
    def has_creation_times(self) -> bool:
        return self.has_column("accounts", "created_at")

    @property
    def profile_only(self) -> bool:
        """Accounts and nothing else: no follow log and no engagement."""
        return not self.has_follows and not self.has_engagement

    def supports(self, feature: str) -> bool:
        """Whether the data supports `feature` (a key of NEEDS)."""
        checks = {
            "growth": self.has_follows,
            "sandbox": self.has_follows,
            "audience": self.has_follows,
            "creator_exports": self.has_follows,
            "engagement": self.has_engagement,
            "labels": self.has_labels,
            "creation_times": self.has_creation_times,
            "peers": self.has_follows and self.has_creation_times,
        }
        return checks[feature]

    def needs(self, feature: str) -> str | None:
        """The sentence saying what `feature` needs, or None when the data supports it."""
        return None if self.supports(feature) else NEEDS[feature]


def workspace_capabilities(ws: Workspace) -> Capabilities:
    """Read what `ws` holds (cheap: row probes and the loaded-columns list)."""
    row = ws.query("workspace/contents").row(0, named=True)
    loaded = ws.query("workspace/loaded_columns") if ws.has_table("loaded_columns") else None
    columns = frozenset(loaded.iter_rows()) if loaded is not None else frozenset()
    return Capabilities(
        accounts=int(row["accounts"]),
        has_follows=bool(row["has_follows"]),
        has_engagement=bool(row["has_engagement"]),
        fake_labels=int(row["fake_labels"]),
        genuine_labels=int(row["genuine_labels"]),
        columns=columns,
    )
