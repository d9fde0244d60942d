"""What a decision does to creators: followers each one loses, exactly, at any flag line.

Flagged accounts are always a prefix of the accounts sorted by risk (ties are all in or all
out), so "who loses what at threshold t" only needs k = how many accounts are flagged. Once per
rule set, `CreatorLoss` counts each creator's current follows from the top `j * step` accounts
for every checkpoint j (one pass over the follow log); a threshold move then adds the follows of
the fewer than `step` accounts between the checkpoint and k — a few thousand rows, well under a
millisecond at a million accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

LOSS_LEVELS = (5, 10, 25)  # creators losing more than this % of their current followers
CHECKPOINTS = 1024
MAX_CELLS = 16_000_000  # checkpoint counts kept per rule set (int32/int64 cells)


@dataclass(frozen=True)
class FollowGraph:
    """Current follows grouped by follower: account i follows `creator[start[i]:start[i + 1]]`."""

    creator_ids: np.ndarray  # int64, the accounts with at least one current follower, sorted
    start: np.ndarray  # int64, one more than accounts
    creator: np.ndarray  # int32 index into creator_ids, grouped by follower position
    followers: np.ndarray  # int64 per creator: current followers

    @classmethod
    def from_positions(
        cls, account_ids: np.ndarray, follower_pos: np.ndarray, creator_pos: np.ndarray
    ) -> FollowGraph:
        """From follows given as positions into the sorted `account_ids` (any order)."""
        n = len(account_ids)
        follower_pos = np.asarray(follower_pos, dtype=np.int64)
        if len(follower_pos) > 1 and np.any(follower_pos[1:] < follower_pos[:-1]):
            order = np.argsort(follower_pos, kind="stable")
            follower_pos, creator_pos = follower_pos[order], np.asarray(creator_pos)[order]
        is_creator = np.bincount(creator_pos, minlength=n) > 0
        index_of = np.cumsum(is_creator) - 1  # account position -> creator index
        creator = index_of[creator_pos].astype(np.int32)
        start = np.r_[0, np.cumsum(np.bincount(follower_pos, minlength=n))].astype(np.int64)
        followers = np.bincount(creator, minlength=int(is_creator.sum())).astype(np.int64)
        return cls(account_ids[is_creator], start, creator, followers)

    @cached_property
    def out_degree(self) -> np.ndarray:
        """Current follows made by each account."""
        return np.diff(self.start)

    def creators_followed_by(self, accounts: np.ndarray) -> np.ndarray:
        """Creator indexes of every current follow made by `accounts` (positions)."""
        lengths = self.out_degree[accounts]
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int32)
        # index of each follow = its account's start + its offset within that account's follows
        first = np.repeat(self.start[accounts] - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        return self.creator[first + np.arange(total)]


class CreatorLoss:
    """Followers each creator loses when the top k accounts by risk go, for any k."""

    def __init__(self, graph: FollowGraph, order: np.ndarray):
        """`order`: account positions by risk, highest first."""
        self.graph, self.order = graph, order
        n, creators = len(order), len(graph.creator_ids)
        self.step = max(1, -(-n // CHECKPOINTS), -(-n * creators // MAX_CELLS))
        chunks = -(-n // self.step) + 1
        rank_chunk = np.empty(n, dtype=np.int32)
        rank_chunk[order] = np.arange(n, dtype=np.int64) // self.step + 1
        # one pass over the follow log: each follow counts from the first checkpoint holding it
        key = np.repeat(rank_chunk, graph.out_degree).astype(np.int64) * creators + graph.creator
        counts = np.bincount(key, minlength=chunks * creators).reshape(chunks, creators)
        dtype = np.int32 if len(graph.creator) < 2**31 else np.int64
        self.checkpoints = np.cumsum(counts, axis=0, dtype=dtype)
        self.purged = np.r_[0, np.cumsum(graph.out_degree[order])]

    def lost(self, flagged: int) -> np.ndarray:
        """Followers each creator loses when the top `flagged` accounts go."""
        j = flagged // self.step
        extra = self.graph.creators_followed_by(self.order[j * self.step : flagged])
        counts = np.bincount(extra, minlength=len(self.graph.creator_ids))
        return self.checkpoints[j].astype(np.int64) + counts

    def purge_followers(self, flagged: int) -> int:
        """Current follows made by the top `flagged` accounts."""
        return int(self.purged[flagged])

    def losing(self, flagged: int) -> dict[str, int]:
        """How many creators lose more than 5 / 10 / 25 % of their current followers."""
        lost, followers = self.lost(flagged), self.graph.followers
        return {str(level): int((lost * 100 > level * followers).sum()) for level in LOSS_LEVELS}

    def frame(self, flagged: int) -> pl.DataFrame:
        """Per creator: followers, followers lost and the share lost (%)."""
        lost, followers = self.lost(flagged), self.graph.followers
        return pl.DataFrame(
            {
                "creator_id": self.graph.creator_ids,
                "followers": followers,
                "followers_lost": lost,
                "lost_pct": 100.0 * lost / np.maximum(followers, 1),
            }
        )
