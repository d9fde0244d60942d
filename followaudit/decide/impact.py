"""What a decision does to creators: followers each one loses, exactly, at any flag line.

Flagged accounts are always a prefix of the accounts sorted by risk (ties are all in or all
out), so "who loses what at threshold t" only needs k = how many accounts are flagged. Once per
rule set, `CreatorLoss` counts each creator's current follows from the top `j * step` accounts
for every checkpoint j (one pass over the follow log); a threshold move then adds the follows of
the fewer than `step` accounts between the checkpoint and k — a few thousand rows, well under a
millisecond at a million accounts.
"""

from __future__ import annotations

import threading
from functools import cached_property

import numpy as np
import polars as pl

LOSS_LEVELS = (5, 10, 25)  # creators losing more than this % of their current followers
CHECKPOINTS = 1024
MAX_CELLS = 16_000_000  # checkpoint counts kept per rule set (int32/int64 cells)


class FollowGraph:
    """Current follows: each follow's follower (account position) and creator (index into
    `creator_ids`). Read in any order; grouped by follower (`start`, `creator`: account i follows
    `creator[start[i]:start[i + 1]]`) only when first needed, since grouping 41.7M follows is a
    sort of seconds that a page showing only counts never needs."""

    def __init__(
        self,
        creator_ids: np.ndarray,
        follower: np.ndarray | None,
        creator: np.ndarray,
        out_degree: np.ndarray,
        followers: np.ndarray,
    ):
        self.creator_ids = creator_ids  # int64, the accounts with at least one current follower
        self.out_degree = out_degree  # int64 per account: current follows it makes
        self.followers = followers  # int64 per creator: current followers
        # (follower position or None once grouped, creator index) per follow, one consistent pair
        self._follows: tuple[np.ndarray | None, np.ndarray] = (follower, creator)
        self._lock = threading.Lock()

    @classmethod
    def from_positions(
        cls, account_ids: np.ndarray, follower_pos: np.ndarray, creator_pos: np.ndarray
    ) -> FollowGraph:
        """From follows given as positions into the sorted `account_ids` (any order)."""
        n = len(account_ids)
        follower = np.asarray(follower_pos, dtype=np.int32)
        creator_pos = np.asarray(creator_pos)
        counts = np.bincount(creator_pos, minlength=n)  # current followers per account
        is_creator = counts > 0
        index_of = (np.cumsum(is_creator) - 1).astype(np.int32)  # account position -> creator
        creator = index_of[creator_pos]
        out_degree = np.bincount(follower, minlength=n).astype(np.int64)
        followers = counts[is_creator].astype(np.int64)  # one pass over the follows fewer
        in_order = len(follower) < 2 or not np.any(follower[1:] < follower[:-1])
        return cls(
            account_ids[is_creator],
            None if in_order else follower,  # already grouped by follower: nothing to sort
            creator,
            out_degree,
            followers,
        )

    def group_in_background(self) -> None:
        """Start grouping by follower on a daemon thread (numpy's sort releases the GIL, so it
        runs on another core while a page goes on); whoever needs `creator` first waits only for
        what is left of it, never longer than sorting itself."""
        if self._follows[0] is not None:
            threading.Thread(target=lambda: self.creator, name="group-follows", daemon=True).start()

    @property
    def follows(self) -> int:
        """Current follows."""
        return len(self._follows[1])

    def per_follow(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(`values` of each follow's follower, that follow's creator index), in one order."""
        follower, creator = self._follows
        if follower is None:
            return np.repeat(values, self.out_degree), creator
        return values[follower], creator

    @cached_property
    def start(self) -> np.ndarray:
        """int64, one more than accounts: where each follower's follows begin in `creator`."""
        return np.r_[0, np.cumsum(self.out_degree)].astype(np.int64)

    @property
    def creator(self) -> np.ndarray:
        """int32 creator index of every follow, grouped by follower (sorted on first use)."""
        with self._lock:
            follower, creator = self._follows
            if follower is not None:
                # one in-place sort of (follower, creator) packed in 64 bits: no argsort + gather
                key = follower.astype(np.int64) << 32
                key |= creator
                key.sort()
                key &= 0xFFFFFFFF
                creator = key.astype(np.int32)
                self._follows = (None, creator)
            return creator

    def creators_followed_by(self, accounts: np.ndarray) -> np.ndarray:
        """Creator indexes of every current follow made by `accounts` (positions)."""
        lengths = self.out_degree[accounts]
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int32)
        creator = self.creator
        # index of each follow = its account's start + its offset within that account's follows
        first = np.repeat(self.start[accounts] - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        return creator[first + np.arange(total)]


class CreatorLoss:
    """Followers each creator loses when the top k accounts by risk go, for any k."""

    def __init__(self, graph: FollowGraph, order: np.ndarray):
        """`order`: account positions by risk, highest first."""
        self.graph, self.order = graph, order
        n, creators = len(order), len(graph.creator_ids)
        self.step = max(1, -(-n // CHECKPOINTS), -(-n * creators // MAX_CELLS))
        self.chunks = -(-n // self.step) + 1
        self.purged = np.r_[0, np.cumsum(graph.out_degree[order])]

    @cached_property
    def checkpoints(self) -> np.ndarray:
        """Per checkpoint j, each creator's current follows from the top `j * step` accounts
        (built on first use: a purge count needs only `purged`)."""
        n, creators = len(self.order), len(self.graph.creator_ids)
        rank_chunk = np.empty(n, dtype=np.int32)
        rank_chunk[self.order] = np.arange(n, dtype=np.int64) // self.step + 1
        # one pass over the follow log: each follow counts from the first checkpoint holding it
        chunk, creator = self.graph.per_follow(rank_chunk)
        key = chunk.astype(np.int64) * creators + creator
        counts = np.bincount(key, minlength=self.chunks * creators).reshape(self.chunks, creators)
        dtype = np.int32 if self.graph.follows < 2**31 else np.int64
        return np.cumsum(counts, axis=0, dtype=dtype)

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
