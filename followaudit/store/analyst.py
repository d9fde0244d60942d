"""The analyst store: review labels (append-only history) and spike annotations, in SQLite.

Lives in `<sidecar>/analyst.sqlite` (WAL, busy timeout, one transaction per write) so two
browser sessions or a CLI can write at once and a killed process leaves old or new state.

Never silently overwritten: a reviewer passes `seen_id`, the id of the label they were shown
(None = "there was no label"). If someone else wrote a *different* label for that account since,
`add_label` raises `LabelConflict` carrying the newer label; the page shows it and the reviewer
decides. Labels equal to the current one are simply appended (history shows both reviewers).

Review at team scale: `lease_next` gives a session the first account of its queue that no other
session holds, for a few minutes, in one write transaction, so parallel reviewers never work on
the same account; a session holds one lease at a time.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from followaudit.store.crash_points import crash_point

LABELS = ("fake", "genuine", "unsure")
KINDS = ("viral", "giveaway", "shoutout", "ad_campaign", "other")
UNCHECKED = object()  # `seen_id` default: the caller did not load a label first (e.g. a script)
NAME_MAX = 64  # characters of a reviewer's or author's name
LEASE_SECONDS = 300.0  # how long a review queue keeps an account for one session

_SCHEMA = """
create table if not exists labels (
    id integer primary key autoincrement,
    account_id integer not null,
    label text not null check (label in ('fake', 'genuine', 'unsure')),
    note text not null default '',
    reviewer text not null,
    created_at text not null
);
create index if not exists labels_account on labels (account_id, id);
create table if not exists annotations (
    id integer primary key autoincrement,
    creator_id integer not null,
    start text not null,
    "end" text not null,
    kind text not null check (kind in ('viral', 'giveaway', 'shoutout', 'ad_campaign', 'other')),
    note text not null default '',
    author text not null,
    created_at text not null
);
create index if not exists annotations_creator on annotations (creator_id);
create table if not exists leases (
    account_id integer primary key,
    session text not null,
    expires_at real not null
);
"""
_CURRENT = """
select l.id as label_id, l.account_id, l.label, l.note, l.reviewer, l.created_at
from labels l
join (select account_id, max(id) as id from labels group by account_id) last on last.id = l.id
"""
LABEL_SCHEMA = {
    "label_id": pl.Int64,
    "account_id": pl.Int64,
    "label": pl.String,
    "note": pl.String,
    "reviewer": pl.String,
    "created_at": pl.String,
}
ANNOTATION_SCHEMA = {
    "annotation_id": pl.Int64,
    "creator_id": pl.Int64,
    "start": pl.Date,
    "end": pl.Date,
    "kind": pl.String,
    "note": pl.String,
    "author": pl.String,
    "created_at": pl.String,
}


class ReviewError(ValueError):
    """Bad input to the analyst store; the message says which argument and what was expected."""


class LabelConflict(ReviewError):
    """Someone labelled the account differently after the reviewer loaded it."""

    def __init__(self, account_id: int, current: dict):
        self.current = current
        super().__init__(
            f"account {account_id} was labelled {current['label']!r} by {current['reviewer']} "
            f"at {current['created_at']} after you loaded it; reload and decide again"
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class AnalystStore:
    """Review labels and spike annotations for one workspace."""

    def __init__(self, sidecar_dir: str | Path):
        self.path = Path(sidecar_dir) / "analyst.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(_SCHEMA)

    @contextmanager
    def _connect(self):
        # A connection per call: Streamlit serves sessions on threads, sqlite3 objects are not shared.
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            con.execute("pragma journal_mode=wal")
            con.execute("pragma busy_timeout=30000")
            con.execute("pragma synchronous=normal")
            yield con
        finally:
            con.close()

    @contextmanager
    def _write(self):
        """One immediate transaction: the write lock is taken before anything is read."""
        with self._connect() as con:
            con.execute("begin immediate")
            try:
                yield con
                crash_point("analyst.before_commit")
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise

    # --- labels ---------------------------------------------------------------------------

    def add_label(
        self, account_id: int, label: str, note: str = "", reviewer: str = "", seen_id=UNCHECKED
    ) -> int:
        """Append a label; raise LabelConflict if a different one landed since `seen_id`."""
        if label not in LABELS:
            raise ReviewError(f"label {label!r}: expected one of {list(LABELS)}")
        reviewer = _name(reviewer, "reviewer")
        account_id = int(account_id)
        with self._write() as con:
            current = _current_row(con, account_id)
            if _conflicts(current, seen_id, label):
                raise LabelConflict(account_id, current)
            cur = con.execute(
                "insert into labels (account_id, label, note, reviewer, created_at)"
                " values (?, ?, ?, ?, ?)",
                (account_id, label, note or "", reviewer, _now()),
            )
            return int(cur.lastrowid)

    def current_label(self, account_id: int) -> dict | None:
        """The latest label of one account, or None."""
        with self._connect() as con:
            return _current_row(con, int(account_id))

    def current_labels(self) -> pl.DataFrame:
        """One row per reviewed account: its latest label (`label_id` identifies it)."""
        return self._frame(_CURRENT + " order by l.account_id", (), LABEL_SCHEMA)

    def history(self, account_id: int) -> pl.DataFrame:
        """Every label ever given to one account, oldest first."""
        sql = (
            "select id as label_id, account_id, label, note, reviewer, created_at"
            " from labels where account_id = ? order by id"
        )
        return self._frame(sql, (int(account_id),), LABEL_SCHEMA)

    def progress(self) -> dict[str, int]:
        """Counts of current labels: fake, genuine, unsure, total reviewed, label events."""
        with self._connect() as con:
            rows = dict(con.execute(f"select label, count(*) from ({_CURRENT}) group by label"))
            events = con.execute("select count(*) from labels").fetchone()[0]
        counts = {label: int(rows.get(label, 0)) for label in LABELS}
        return counts | {"total": sum(counts.values()), "events": int(events)}

    def export_csv(self, path: str | Path, history: bool = False) -> Path:
        """Write current labels (or the whole history) as CSV; return the path."""
        frame = self.all_history() if history else self.current_labels()
        path = Path(path)
        frame.write_csv(path, quote_style="non_numeric")
        return path

    def all_history(self) -> pl.DataFrame:
        """Every label event, oldest first."""
        sql = "select id as label_id, account_id, label, note, reviewer, created_at from labels"
        return self._frame(sql + " order by id", (), LABEL_SCHEMA)

    def labels_csv(self, history: bool = False) -> bytes:
        """Current labels (or every label event: who, when, note) as CSV bytes for a download."""
        frame = self.all_history() if history else self.current_labels()
        return frame.write_csv().encode()

    # --- leases: one reviewer per account -----------------------------------------------------

    def lease_next(
        self,
        candidates: Iterable[int],
        session: str,
        skip_labelled: bool = True,
        seconds: float = LEASE_SECONDS,
    ) -> int | None:
        """The first of `candidates` that no other session holds (and, with `skip_labelled`,
        nobody labelled yet), leased to `session` for `seconds` in place of its previous lease;
        None when every candidate is taken."""
        with self._write() as con:
            now = time.time()
            con.execute("delete from leases where expires_at <= ? or session = ?", (now, session))
            held = {row[0] for row in con.execute("select account_id from leases")}
            free = (int(a) for a in candidates if int(a) not in held)
            pick = next((a for a in free if not (skip_labelled and _has_label(con, a))), None)
            if pick is not None:
                con.execute("insert into leases values (?, ?, ?)", (pick, session, now + seconds))
            return pick

    def held_by_others(self, session: str) -> set[int]:
        """Accounts other sessions hold right now (left out of a reviewer's upcoming list)."""
        with self._connect() as con:
            rows = con.execute(
                "select account_id from leases where session != ? and expires_at > ?",
                (session, time.time()),
            ).fetchall()
        return {int(r[0]) for r in rows}

    def release(self, session: str) -> None:
        """Give back the session's lease (e.g. when its reviewer leaves the queue)."""
        with self._write() as con:
            con.execute("delete from leases where session = ?", (session,))

    # --- annotations ----------------------------------------------------------------------

    def add_annotation(
        self, creator_id: int, start, end, kind: str, note: str = "", author: str = ""
    ) -> int:
        """Record why a creator's spike happened (viral, giveaway, ...); return its id."""
        if kind not in KINDS:
            raise ReviewError(f"kind {kind!r}: expected one of {list(KINDS)}")
        start_day, end_day = _day(start, "start"), _day(end, "end")
        if end_day < start_day:
            raise ReviewError(f"end {end_day} is before start {start_day}")
        author = _name(author, "author")
        with self._write() as con:
            cur = con.execute(
                'insert into annotations (creator_id, start, "end", kind, note, author, created_at)'
                " values (?, ?, ?, ?, ?, ?, ?)",
                (int(creator_id), start_day.isoformat(), end_day.isoformat(), kind, note or "")
                + (author, _now()),
            )
            return int(cur.lastrowid)

    def annotations(self, creator_id: int | None = None) -> pl.DataFrame:
        """Spike annotations, optionally of one creator, in time order."""
        return annotation_frame(self.annotation_rows(creator_id))

    def annotation_rows(self, creator_id: int | None = None) -> tuple[tuple, ...]:
        """`annotations` as plain rows (ANNOTATION_SCHEMA's columns, days as ISO text): a cheap,
        hashable cache key for what is drawn from them."""
        sql = (
            'select id as annotation_id, creator_id, start, "end", kind, note, author, created_at'
            " from annotations"
        )
        params: tuple = ()
        if creator_id is not None:
            sql, params = sql + " where creator_id = ?", (int(creator_id),)
        return tuple(self._rows(sql + " order by start, id", params))

    def _rows(self, sql: str, params: tuple) -> list[tuple]:
        with self._connect() as con, closing(con.execute(sql, params)) as cur:
            return cur.fetchall()

    def _frame(self, sql: str, params: tuple, schema: dict) -> pl.DataFrame:
        return _text_frame(self._rows(sql, params), schema)


def annotation_frame(rows: tuple[tuple, ...]) -> pl.DataFrame:
    """`AnalystStore.annotation_rows` as a frame of ANNOTATION_SCHEMA (days as dates)."""
    frame = _text_frame(list(rows), ANNOTATION_SCHEMA)
    return frame.with_columns(pl.col("start", "end").str.to_date())


def _text_frame(rows: list[tuple], schema: dict) -> pl.DataFrame:
    """SQLite rows as a frame of `schema`, its date columns still ISO text."""
    text_schema = {k: (pl.String if v == pl.Date else v) for k, v in schema.items()}
    return pl.DataFrame(rows, schema=text_schema, orient="row")


def _current_row(con: sqlite3.Connection, account_id: int) -> dict | None:
    row = con.execute(
        "select id, account_id, label, note, reviewer, created_at from labels"
        " where account_id = ? order by id desc limit 1",
        (account_id,),
    ).fetchone()
    if row is None:
        return None
    return dict(zip(LABEL_SCHEMA, row, strict=True))


def _has_label(con: sqlite3.Connection, account_id: int) -> bool:
    return (
        con.execute("select 1 from labels where account_id = ?", (account_id,)).fetchone()
        is not None
    )


def _name(value, what: str) -> str:
    """A reviewer's or author's name: stripped, not empty, at most NAME_MAX characters."""
    name = str(value or "").strip()
    if not name:
        raise ReviewError(f"{what}: expected a name, got an empty string")
    if len(name) > NAME_MAX:
        raise ReviewError(f"{what}: at most {NAME_MAX} characters (got {len(name)})")
    return name


def _conflicts(current: dict | None, seen_id, label: str) -> bool:
    """A different label landed after the one the reviewer saw."""
    if seen_id is UNCHECKED or current is None:
        return False
    return current["label_id"] != seen_id and current["label"] != label


def _day(value, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ReviewError(f"{name} {value!r}: expected a date like 2026-03-01") from exc
