"""Review at team scale: the queue leases each account to one session, atomically; 8 sessions
reviewing at once store every label, never share an account and never hit a lock error."""

from __future__ import annotations

import threading
import time

import pytest
from policy_world import build
from streamlit.testing.v1 import AppTest

from followaudit.store.analyst import NAME_MAX, AnalystStore, ReviewError
from followaudit.store.workspace import PROJECT_ROOT, sidecar_dir

SESSIONS = 8
ACCOUNTS = 160


def test_two_sessions_get_different_accounts(tmp_path):
    store = AnalystStore(tmp_path)
    assert store.lease_next([1, 2, 3], "ann") == 1
    assert store.lease_next([1, 2, 3], "bob") == 2
    assert store.lease_next([1, 2, 3], "ann") == 1  # a rerun keeps its own account
    assert store.held_by_others("ann") == {2}


def test_a_session_holds_one_lease_and_gives_it_back(tmp_path):
    store = AnalystStore(tmp_path)
    store.lease_next([1, 2], "ann")
    store.add_label(1, "fake", "", "ann")
    assert store.lease_next([1, 2], "ann") == 2  # labelled accounts are not offered again
    assert store.held_by_others("bob") == {2}
    store.release("ann")
    assert store.held_by_others("bob") == set()
    assert store.lease_next([1, 2], "bob", skip_labelled=False) == 1


def test_an_expired_lease_frees_its_account(tmp_path):
    store = AnalystStore(tmp_path)
    store.lease_next([1], "ann", seconds=0.05)
    assert store.lease_next([1], "bob") is None
    time.sleep(0.1)  # the lease's own expiry, not a race: nothing else runs
    assert store.lease_next([1], "bob") == 1


def test_reviewer_names_have_a_length_limit(tmp_path):
    store = AnalystStore(tmp_path)
    store.add_label(1, "fake", "", "a" * NAME_MAX)
    with pytest.raises(ReviewError, match=f"at most {NAME_MAX} characters"):
        store.add_label(1, "fake", "", "a" * (NAME_MAX + 1))
    with pytest.raises(ReviewError, match="author"):
        store.add_annotation(1, "2026-01-01", "2026-01-02", "viral", "", "b" * 1000)


def _reviewer(sidecar, name, start, leased, labelled, errors):
    """One session: lease the next unlabelled account of the shared queue, label it, repeat."""
    store = AnalystStore(sidecar)
    start.wait()
    try:
        while True:
            done = set(store.current_labels()["account_id"].to_list())  # as the page reads it
            queue = [a for a in range(ACCOUNTS) if a not in done]
            account = store.lease_next(queue, name)
            if account is None:
                return
            leased.append((name, account))
            label = ("fake", "genuine", "unsure")[account % 3]
            labelled.append(store.add_label(account, label, f"by {name}", name, seen_id=None))
    except Exception as exc:  # any error (a lock timeout above all) fails the test
        errors.append(repr(exc))


def test_eight_sessions_reviewing_at_once(tmp_path):
    """Every confirmed label is stored, no account is leased twice, no lock errors."""
    leased, labelled, errors = [], [], []
    start = threading.Barrier(SESSIONS)
    threads = [
        threading.Thread(
            target=_reviewer, args=(tmp_path, f"s{i}", start, leased, labelled, errors)
        )
        for i in range(SESSIONS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    accounts = [account for _, account in leased]
    assert len(accounts) == len(set(accounts)) == ACCOUNTS, "an account went to two sessions"
    assert len({name for name, _ in leased}) > 1, "the sessions did not overlap"
    history = AnalystStore(tmp_path).all_history()
    assert sorted(history["label_id"].to_list()) == sorted(labelled)
    assert sorted(history["account_id"].to_list()) == list(range(ACCOUNTS))


@pytest.fixture
def review_world(tmp_path, monkeypatch):
    path = build(tmp_path / "w.duckdb")
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(path))
    return path


def _open_queue() -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/6_Review_Queue.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_parallel_reviewers_see_different_accounts(review_world):
    """Two browser sessions on the queue are shown two different accounts, and neither lists
    the other's account as coming next."""
    first, second = _open_queue(), _open_queue()
    shown = [at.markdown[0].value for at in (first, second)]
    assert shown[0].startswith("### @") and shown[0] != shown[1]
    first.run()  # a rerun keeps the session's own account
    assert first.markdown[0].value == shown[0]
    upcoming = {int(a) for a in second.dataframe[-1].value["account_id"]}
    held = AnalystStore(sidecar_dir(review_world)).held_by_others("nobody")
    assert len(held) == 2 and not (held & upcoming)
