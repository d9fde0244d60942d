"""A spike's drill-down data: its most suspicious new followers with their top reason, and when
those followers' accounts were created. Computed once per spike in the server process, and ahead
of the click for the spikes of the creator on screen.

A cold spike costs its followers' rows, their feature rows and TreeSHAP for the reasoned ones
(~0.1-0.2 s at 1M accounts on a quiet machine, several times that under load). An analyst looks
at the chart for seconds before clicking a band, so the page starts the creator's spikes on one
background thread as soon as the chart is drawn (`prefetch`); the click (`view`) takes the result,
waits for the one already being computed, or computes it now when it was never started.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl
import streamlit as st

from followaudit.decide import exports
from followaudit.detect import explain, model
from followaudit.growth import spikes as growth
from followaudit.ui import cards, decision_cache, demo, session, tables

log = logging.getLogger(__name__)
FOLLOWER_ROWS = 200  # new followers in the table, most suspicious first, each with its top
# reason (~0.3 ms each); the table shows ~9 at a time, the rest are one download away (`all_csv`)
PREFETCHED = 4  # spikes of the creator on screen computed ahead of a click, suspicious first
TABLE_COLUMNS = (
    "username",
    "score",
    "age_at_follow_days",
    "cohort_size",
    "has_profile_pic",
    "top_reason",
    "account_id",
)
EVERY_ROW = 2**62  # `limit` of the full list
KEPT = 128  # spikes kept per server process (~100 KB each)

_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="followaudit-spike-prefetch")
_LOCK = threading.Lock()


@st.cache_resource(max_entries=4, show_spinner=False)
def _views(path: str, version: str) -> OrderedDict[int, Future]:
    """The spikes computed or started for one workspace version: spike id -> Future[SpikeView]
    (a Streamlit cache so that clearing the caches clears it too)."""
    return OrderedDict()


@dataclass(frozen=True)
class SpikeView:
    followers: pl.DataFrame  # FOLLOWER_ROWS at most, each with its `top_reason`
    table: object  # pyarrow.Table of TABLE_COLUMNS, ready for st.dataframe
    creation_chart: str  # every new follower's account-creation day as HTML bars (cards.day_bars:
    # one element with no Vega view to build in the browser on a click)


def compute(path: str, spike_id: int) -> SpikeView:
    """The spike's drill-down data, read from the workspace at `path`; safe on any thread (it
    reads no session, and the model comes from a cache shared by all sessions)."""
    ws = session.workspace_at(path)
    followers = growth.spike_followers(ws, spike_id, FOLLOWER_ROWS)
    days = ws.query("explorer/spike_creation_hist", spike_id=spike_id)
    ids = followers["account_id"].to_list()
    reasons = pl.DataFrame(schema={"account_id": pl.Int64, "top_reason": pl.Utf8})
    bundle = _model(path) if ids else None
    if bundle is not None:
        rows = ws.query("explorer/account_feature_rows", ids=ids)
        reasons = explain.reasons_table(bundle, rows).rename({"top_reasons": "top_reason"})
    followers = followers.join(reasons, on="account_id", how="left", maintain_order="left")
    chart = cards.day_bars(
        days["created_day"].to_list(),
        days["followers"].to_list(),
        "When were they created?",
        "Account created",
        "New followers",
    )
    return SpikeView(followers, table_data(followers), chart)


def table_data(followers: pl.DataFrame):
    """The followers table as `st.dataframe` data: Arrow straight from Polars (Streamlit takes
    an Arrow table as is; a Polars frame goes through pandas: ~20-60 ms for 1,000 rows)."""
    shown = tables.ids_as_text(followers.select(TABLE_COLUMNS))
    return shown.to_arrow(compat_level=pl.CompatLevel.oldest())


def all_csv(path: str, spike_id: int, demo_on: bool) -> bytes:
    """Every new follower of the spike as CSV, most suspicious first (the download under the
    table; written on click, outside the script run: no session here)."""
    followers = growth.spike_followers(session.workspace_at(path), spike_id, EVERY_ROW)
    if demo_on:
        followers = demo.pseudonymise_frame(followers)
    return exports.to_csv(followers)


def _where() -> tuple[str, OrderedDict[int, Future]]:
    """The current workspace's path and its computed spikes (read on the script thread)."""
    ws = session.current_workspace()
    return str(ws.path), _views(str(ws.path), ws.version)


def _model(path: str):
    """The workspace's model (loaded once per process, shared); None without one."""
    try:
        return decision_cache.model_at(path)
    except model.ModelError:
        return None


def _remember(views: OrderedDict, key: int, future: Future) -> None:
    views[key] = future
    views.move_to_end(key)
    while len(views) > KEPT:
        views.popitem(last=False)


def view(spike_id: int) -> SpikeView:
    """The spike's data for the page: computed ahead, being computed (waited for), or now."""
    path, views = _where()
    key = int(spike_id)
    with _LOCK:
        future = views.get(key)
        if future is not None and future.cancel():  # queued behind other spikes: do it here
            future = None
        if future is not None and future.done() and future.exception() is not None:
            future = None  # a background failure is retried here, where it reaches the page
        mine = future is None
        if mine:
            future = Future()
            future.set_running_or_notify_cancel()
            _remember(views, key, future)
        else:
            views.move_to_end(key)
    if mine:
        try:
            future.set_result(compute(path, key))
        except BaseException as exc:
            future.set_exception(exc)
            with _LOCK:
                if views.get(key) is future:
                    del views[key]
            raise
    try:
        return future.result()
    except CancelledError:  # cannot happen (running futures do not cancel); compute to be safe
        return compute(path, key)


def ahead(spikes: pl.DataFrame) -> tuple[int, ...]:
    """The spikes `prefetch` starts: the first PREFETCHED, suspicious ones first (computed once
    per creator with its chart)."""
    if spikes.is_empty():
        return ()
    order = spikes.with_columns((pl.col("verdict") != "suspicious").alias("_later"))
    ids = order.sort("_later", maintain_order=True)["spike_id"].head(PREFETCHED).to_list()
    return tuple(int(i) for i in ids)


def prefetch(ids: tuple[int, ...]) -> None:
    """Start computing these spikes (`ahead`) on the background thread; spikes already computed
    or started are left alone."""
    if not ids:
        return
    path, views = _where()
    with _LOCK:
        todo = [key for key in ids if key not in views]
        for key in todo:
            _remember(views, key, _POOL.submit(_background, path, key))


def _background(path: str, spike_id: int) -> SpikeView:
    try:
        return compute(path, spike_id)
    except Exception:
        log.warning("prefetching spike %s failed; it is computed on click", spike_id, exc_info=True)
        raise
