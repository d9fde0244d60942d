"""The decision inputs' follow graph, read in any row order and grouped only when needed, is
the graph the old read (`order by follower_pos` in SQL, grouped at once) built."""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pytest

from followaudit.decide.impact import CreatorLoss, FollowGraph
from followaudit.decide.inputs import load_inputs
from followaudit.store.workspace import Workspace

# The read as it was: positions joined in SQL and sorted by follower there.
OLD_SQL = """
with positions as (
    select s.account_id, cast(row_number() over (order by s.account_id) - 1 as integer) as pos
    from account_scores as s
)
select fp.pos as follower_pos, cp.pos as creator_pos
from follows as f
inner join positions as fp on fp.account_id = f.follower_id
inner join positions as cp on cp.account_id = f.creator_id
where f.unfollowed_at is null
order by follower_pos
"""


def old_graph(ws: Workspace, ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """(creator_ids, start, creator grouped by follower, followers) as the old code built them."""
    rows = ws.con.cursor().sql(OLD_SQL).fetchnumpy()
    follower_pos, creator_pos = np.asarray(rows["follower_pos"]), np.asarray(rows["creator_pos"])
    n = len(ids)
    is_creator = np.bincount(creator_pos, minlength=n) > 0
    creator = (np.cumsum(is_creator) - 1)[creator_pos]
    start = np.r_[0, np.cumsum(np.bincount(follower_pos, minlength=n))]
    followers = np.bincount(creator, minlength=int(is_creator.sum()))
    return ids[is_creator], start, creator, followers


def within_groups_sorted(start: np.ndarray, creator: np.ndarray) -> np.ndarray:
    """`creator` with each follower's creators sorted (the old SQL sort left them in any order)."""
    follower = np.repeat(np.arange(len(start) - 1), np.diff(start))
    return creator[np.lexsort((creator, follower))]


def assert_same_graph(ws: Workspace) -> None:
    inputs = load_inputs(ws)
    graph = inputs.graph
    creator_ids, start, creator, followers = old_graph(ws, inputs.account_ids)
    assert np.array_equal(graph.creator_ids, creator_ids)
    assert np.array_equal(graph.followers, followers)
    assert graph.follows == len(creator)
    # counts and a purge need no grouping; the first creator loss does it
    rng = np.random.default_rng(1)
    order = rng.permutation(inputs.accounts)
    follower = np.repeat(np.arange(inputs.accounts), np.diff(start))  # in follower order
    creator_pos = np.searchsorted(inputs.account_ids, creator_ids[creator])
    reference = CreatorLoss(
        FollowGraph.from_positions(inputs.account_ids, follower, creator_pos), order
    )
    loss = CreatorLoss(graph, order)
    assert np.array_equal(loss.purged, reference.purged)
    assert np.array_equal(loss.checkpoints, reference.checkpoints)  # before grouping
    for k in [0, 1, loss.step - 1, loss.step + 3, inputs.accounts // 3, inputs.accounts]:
        assert np.array_equal(loss.lost(k), reference.lost(k)), k
        assert loss.losing(k) == reference.losing(k)
    assert np.array_equal(graph.start, start)
    assert np.array_equal(
        within_groups_sorted(graph.start, graph.creator), within_groups_sorted(start, creator)
    )
    assert np.array_equal(CreatorLoss(graph, order).checkpoints, reference.checkpoints)  # after


def test_the_sample_world_reads_the_same_graph(sample_workspace):
    """A generated world with unfollows and accounts that follow nobody."""
    con = sample_workspace.con
    assert con.sql("select count(unfollowed_at) from follows").fetchall()[0][0] > 0
    idle = "select count(*) from account_scores where account_id not in (select follower_id from follows)"
    assert con.sql(idle).fetchall()[0][0] > 0
    rows = sample_workspace.arrays("policy/current_follows")
    assert np.any(np.diff(rows["follower_pos"]) < 0)  # not in follower order: grouped when needed
    assert_same_graph(sample_workspace)


@pytest.fixture
def odd_follows_workspace(platform_workspace_path, tmp_path) -> Workspace:
    """The 19-digit-id world plus a refollow (a pair twice), an unscored follower and creator,
    and unfollows: what the inner joins and the filter must drop or keep."""
    path = tmp_path / "odd.duckdb"
    shutil.copy(platform_workspace_path, path)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            """
            insert into follows
            select follower_id, creator_id, followed_at, null from follows limit 3;
            insert into follows
            select 9000000000000000001, creator_id, followed_at, null from follows limit 2;
            insert into follows
            select follower_id, 9000000000000000002, followed_at, null from follows limit 2;
            update follows set unfollowed_at = followed_at + interval 1 day
            where follower_id in (select follower_id from follows order by follower_id limit 2)
            """
        )
    finally:
        con.close()
    ws = Workspace.open(path)
    yield ws
    ws.close()


def test_odd_follows_read_the_same_graph(odd_follows_workspace):
    assert_same_graph(odd_follows_workspace)


def test_a_graph_given_in_follower_order_is_grouped_as_given():
    ids = np.arange(6, dtype=np.int64)
    graph = FollowGraph.from_positions(ids, np.array([0, 0, 2, 5]), np.array([3, 1, 3, 3]))
    assert graph.creator_ids.tolist() == [1, 3]
    assert graph.start.tolist() == [0, 2, 2, 3, 3, 3, 4]
    assert graph.creator.tolist() == [1, 0, 1, 1]
    assert graph.followers.tolist() == [1, 3]
