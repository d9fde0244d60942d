"""The analyst store: labels with history, conflicts, concurrency, crash safety, annotations."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import threading
from datetime import date

import polars as pl
import pytest

from followaudit.decide.review_queue import review_queue
from followaudit.store.analyst import AnalystStore, LabelConflict, ReviewError
from followaudit.store.crash_points import STOP_AT


def test_label_history_is_kept_and_latest_is_current(tmp_path):
    store = AnalystStore(tmp_path)
    first = store.add_label(7, "fake", "burst follower", "ann")
    second = store.add_label(7, "genuine", "has videos", "bob", seen_id=first)
    assert second > first
    assert store.history(7)["label"].to_list() == ["fake", "genuine"]
    current = store.current_labels()
    assert current.select("account_id", "label", "reviewer").rows() == [(7, "genuine", "bob")]


def test_different_label_written_since_loading_is_rejected(tmp_path):
    store = AnalystStore(tmp_path)
    seen = store.add_label(1, "fake", "", "ann")
    store.add_label(1, "genuine", "", "bob", seen_id=seen)
    with pytest.raises(LabelConflict, match="labelled 'genuine' by bob") as info:
        store.add_label(1, "fake", "", "ann", seen_id=seen)
    assert info.value.current["reviewer"] == "bob"
    assert store.progress()["events"] == 2


def test_same_label_written_since_loading_is_appended(tmp_path):
    store = AnalystStore(tmp_path)
    store.add_label(1, "fake", "", "ann", seen_id=None)
    store.add_label(1, "fake", "agree", "bob", seen_id=None)
    assert store.history(1).height == 2


def test_first_label_with_stale_none_conflicts(tmp_path):
    store = AnalystStore(tmp_path)
    store.add_label(3, "genuine", "", "bob", seen_id=None)
    with pytest.raises(LabelConflict):
        store.add_label(3, "fake", "", "ann", seen_id=None)


@pytest.mark.parametrize(
    ("args", "message"),
    [((1, "spam", "", "ann"), "label 'spam'"), ((1, "fake", "", " "), "reviewer")],
)
def test_bad_label_input_is_named(tmp_path, args, message):
    with pytest.raises(ReviewError, match=message):
        AnalystStore(tmp_path).add_label(*args)


def test_progress_counts_current_labels(tmp_path):
    store = AnalystStore(tmp_path)
    for account, label in [(1, "fake"), (2, "fake"), (3, "genuine"), (4, "unsure")]:
        store.add_label(account, label, "", "ann")
    store.add_label(2, "unsure", "", "ann")
    assert store.progress() == {"fake": 1, "genuine": 1, "unsure": 2, "total": 4, "events": 5}


def test_export_csv_round_trips(tmp_path):
    store = AnalystStore(tmp_path)
    store.add_label(5, "fake", 'note with "quotes", commas', "ann")
    path = store.export_csv(tmp_path / "labels.csv")
    back = pl.read_csv(path)
    assert back.select("account_id", "label", "note").rows() == [
        (5, "fake", 'note with "quotes", commas')
    ]
    assert pl.read_csv(store.export_csv(tmp_path / "h.csv", history=True)).height == 1


def test_empty_store_gives_typed_empty_frames(tmp_path):
    store = AnalystStore(tmp_path)
    assert store.current_labels().schema["account_id"] == pl.Int64
    assert store.annotations().schema["start"] == pl.Date
    assert store.progress()["total"] == 0


def test_annotations_round_trip_and_filter(tmp_path):
    store = AnalystStore(tmp_path)
    store.add_annotation(9, "2026-03-01", date(2026, 3, 3), "giveaway", "prize video", "ann")
    store.add_annotation(8, date(2026, 1, 1), "2026-01-02", "viral", "", "bob")
    both = store.annotations()
    assert both["creator_id"].to_list() == [8, 9]
    one = store.annotations(creator_id=9)
    assert one.select("start", "end", "kind").rows() == [
        (date(2026, 3, 1), date(2026, 3, 3), "giveaway")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1, "2026-01-02", "2026-01-01", "viral"), "before start"),
        ((1, "yesterday", "2026-01-01", "viral"), "start 'yesterday'"),
        ((1, "2026-01-01", "2026-01-01", "bots"), "kind 'bots'"),
    ],
)
def test_bad_annotation_input_is_named(tmp_path, args, message):
    with pytest.raises(ReviewError, match=message):
        AnalystStore(tmp_path).add_annotation(*args, note="", author="ann")


def test_two_threads_labelling_at_once_lose_nothing(tmp_path):
    store = AnalystStore(tmp_path)

    def label_many(offset: int) -> None:
        for i in range(100):
            store.add_label(offset + i, "fake", "", f"r{offset}")

    threads = [threading.Thread(target=label_many, args=(o,)) for o in (0, 1000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.progress()["total"] == 200


def _label_range(root: str, offset: int, count: int) -> None:
    store = AnalystStore(root)
    for i in range(count):
        store.add_label(offset + i, "genuine", "", f"p{offset}")


def test_two_processes_labelling_at_once_lose_nothing(tmp_path):
    AnalystStore(tmp_path)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_label_range, args=(str(tmp_path), o, 150)) for o in (0, 1000)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert [p.exitcode for p in procs] == [0, 0]
    assert AnalystStore(tmp_path).progress()["total"] == 300


def _label_then_die(root: str) -> None:
    """Commit ten labels, then die inside the eleventh label's transaction, before its commit."""
    store = AnalystStore(root)
    for i in range(10):
        store.add_label(i, "fake", "x" * 200, "loop")
    os.environ[STOP_AT] = "analyst.before_commit"
    store.add_label(99, "genuine", "never committed", "loop")


def test_killed_process_leaves_old_or_new_state(tmp_path):
    AnalystStore(tmp_path).add_label(-1, "genuine", "before", "ann")
    child = multiprocessing.get_context("fork").Process(
        target=_label_then_die, args=(str(tmp_path),)
    )
    child.start()
    child.join()
    assert child.exitcode == -signal.SIGKILL  # it died at the crash point, mid-transaction
    con = sqlite3.connect(tmp_path / "analyst.sqlite")
    assert con.execute("pragma integrity_check").fetchone() == ("ok",)
    con.close()
    store = AnalystStore(tmp_path)
    history = store.all_history()
    # the first label and the ten committed ones, whole and without holes; the killed one: nothing
    assert history["label_id"].to_list() == list(range(1, 12))
    assert history.filter(pl.col("account_id") >= 0)["note"].str.len_chars().unique().to_list() == [
        200
    ]
    assert store.current_label(99) is None
    assert store.current_label(-1)["note"] == "before"
    store.add_label(10**6, "fake", "", "ann")  # still writable: the dead writer's lock is gone


def test_crash_points_are_inert_unless_named(tmp_path, monkeypatch):
    monkeypatch.setenv(STOP_AT, "some.other_point")
    store = AnalystStore(tmp_path)
    assert store.add_label(1, "fake", "", "ann") == 1  # still alive, and the label committed
    assert store.current_label(1)["label"] == "fake"


RISK = pl.DataFrame(
    {
        "account_id": [1, 2, 3, 4, 5],
        "score": [0.9, 0.52, 0.1, 0.45, 0.7],
        "risk": [0.9, 0.52, 0.1, 0.45, 0.7],
        "rule_hits": [""] * 5,
    }
)


def test_queue_by_uncertainty_puts_the_nearest_to_the_threshold_first():
    queue = review_queue(RISK, 0.5, "uncertainty", limit=3)
    assert queue["account_id"].to_list() == [2, 4, 5]


def test_queue_by_score_and_restricted_to_some_accounts():
    only = pl.DataFrame({"account_id": [3, 5, 1]})
    assert review_queue(RISK, 0.5, "score", only=only)["account_id"].to_list() == [1, 5, 3]


def test_queue_rejects_an_unknown_order():
    with pytest.raises(ReviewError, match="order 'random'"):
        review_queue(RISK, 0.5, "random")
