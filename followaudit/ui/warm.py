"""Warm the process-wide caches at server start, so the first visit costs what a later one does.

`followaudit serve` runs `serve.py`, an `st.App` whose lifespan (Streamlit's startup hook)
calls `start` once the runtime is up: it imports the pages' modules before the server listens,
then one background thread fills, for the default workspace and its active policy, the very
cache entries the pages' first runs read (same cached functions, same keys:
`session.run_at` / `cached_at`, `decision_cache.*_at`), Home's first, then the Threshold lab's,
Global explanations', the others'. Sessions are served meanwhile: a page that needs an entry the
thread is computing waits for that result instead of computing it again (a cached function
computes a key once), and the thread starts no new part of a step while a page loads (`visit`,
serve.py's middleware) or runs (`page_run`, app.py), nor within `QUIET_S` after, so a visitor
shares the interpreter with one short part at most. Never started by `streamlit run app.py` or page tests (AppTest): only `serve.py`.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import polars as pl

from followaudit.detect import interactions
from followaudit.growth import spikes as growth
from followaudit.store.capabilities import workspace_capabilities
from followaudit.store.workspace import Workspace, WorkspaceError
from followaudit.ui import account, adapt, decision_cache, global_view, home, session
from followaudit.ui import growth as ui_growth

# libraries the pages' first runs import beyond followaudit.ui (dataframes go through Arrow)
LIBRARIES = ("altair", "pyarrow", "pandas")
SCRIPT_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"

QUIET_S = 1.0  # after a page run, the warm-up waits this long (a rerun, the next click) to go on

_pages = threading.Condition()
_running = 0
_last_end = 0.0


@contextmanager
def page_run() -> Iterator[None]:
    """Around a page's run (app.py): the warm-up starts no new step while any page runs, nor
    within `QUIET_S` of the last run's end."""
    global _running, _last_end
    with _pages:
        _running += 1
    try:
        yield
    finally:
        with _pages:
            _running -= 1
            _last_end = time.monotonic()
            _pages.notify_all()


def _wait_for_quiet(stop: threading.Event) -> None:
    with _pages:
        while not stop.is_set():
            left = 0.5 if _running else _last_end + QUIET_S - time.monotonic()
            if left <= 0:
                return
            _pages.wait(left)


# Each step is a generator: it fills some entries, then yields; the warm-up goes on only when no
# page runs, so a visitor shares the CPU with one short step at most.


def import_modules() -> None:
    """The modules the pages import (their first run otherwise pays it): before the server
    listens, so no page load shares the interpreter with them (imports hold the GIL)."""
    import followaudit.ui as ui

    for module in pkgutil.iter_modules(ui.__path__, "followaudit.ui."):
        importlib.import_module(module.name)
    for name in LIBRARIES:
        importlib.import_module(name)


def _home(path: str, version: str) -> Iterator[None]:
    """Home: capabilities, meta, headline, the active policy's decisions, the fake share, and the
    worst creators and strongest spikes (or, without follows, the score histogram and top
    accounts)."""
    caps = session.cached_at(path, version, workspace_capabilities)
    session.cached_at(path, version, Workspace.meta)
    session.run_at(path, version, "explorer/headline")
    yield
    decision_cache.decision_inputs_at(path, version)
    yield
    active = decision_cache.active_policy_at(path)
    decided = decision_cache.decisions_at(path, version, active)
    yield
    decided.purge_followers, decided.labelled_flagged  # noqa: B018 - fills the creator-loss index
    yield
    card = decision_cache.model_card_at(path, version)
    adapt.share_at(path, version, card)
    yield
    if caps.has_follows:
        session.cached_at(path, version, growth.creator_search, "", home.LINKS)
        session.run_at(
            path, version, "explorer/top_spikes", limit=home.LINKS * home.SPIKES_READ_PER_LINK
        )
    else:
        session.run_at(path, version, "explorer/score_hist")
        session.run_at(path, version, "explorer/top_accounts", limit=home.LINKS)
    yield


def _lab(path: str, version: str) -> Iterator[None]:
    """Threshold lab (and every page that scores): the model, the active policy's creator losses,
    curves and the adaptation to reviewed labels."""
    bundle = decision_cache.model_at(path)
    yield
    active = decision_cache.active_policy_at(path)
    lab = decision_cache.lab_at(path, version, active)
    lab.decisions(active).creators_losing  # noqa: B018 - cached on the policy's risk
    if lab.estimate.has_metrics:
        lab.estimate.curves  # noqa: B018 - cached on the lab's index
    yield
    adapt.adaptation_at(path, version, bundle.card)
    yield


def _global(path: str, version: str) -> Iterator[None]:
    """Global explanations: the SHAP summary, pairs and the first dependence plot."""
    if not session.cached_at(path, version, Workspace.has_table, "shap_sample"):
        return
    importance = session.run_at(path, version, "explorer/shap_importance")
    if importance.is_empty():
        return
    yield
    session.run_at(path, version, "explorer/shap_sample_strata")
    yield
    session.run_at(
        path,
        version,
        "explorer/shap_beeswarm",
        top_features=global_view.BEESWARM_FEATURES,
        accounts=global_view.BEESWARM_ACCOUNTS,
    )
    yield
    pairs = pl.DataFrame(schema=interactions.PAIR_SCHEMA)
    if session.cached_at(path, version, Workspace.has_table, "shap_interactions"):
        pairs = session.run_at(
            path, version, "explain/shap_interactions", limit=global_view.PAIRS_READ
        )
    names = global_view.feature_labels(importance)["feature"].to_list()
    colour = names[global_view.default_colour(names, pairs, names[0])]
    session.run_at(
        path, version, "explorer/shap_dependence", feature=names[0], color_feature=colour
    )
    yield


def _others(path: str, version: str) -> Iterator[None]:
    """Growth anomalies' creator picker and Account explanation's highest-scored accounts."""
    if session.cached_at(path, version, workspace_capabilities).supports("growth"):
        session.cached_at(path, version, growth.creator_search, "", ui_growth.PICKER_ROWS)
    session.run_at(path, version, "explorer/top_accounts", limit=account.TOP_ACCOUNTS)
    yield


# in the order a first visitor meets them: Home first
STEPS: list[tuple[str, Callable[[str, str], Iterator[None]]]] = [
    ("home", _home),
    ("lab", _lab),
    ("global", _global),
    ("others", _others),
]


def warm(workspace=None, stop: threading.Event | None = None) -> dict[str, float]:
    """Fill the caches of the workspace at `workspace` (the default one when None), step by step;
    seconds per step. A step that fails is reported and skipped: its page meets the error itself."""
    stop = stop or threading.Event()
    try:
        ws = session.workspace_at(workspace or session.default_workspace())
    except (WorkspaceError, OSError) as exc:
        _say(f"nothing to warm: {exc}")
        return {}
    path, version = str(ws.path), ws.version
    seconds: dict[str, float] = {}
    for name, step in STEPS:
        _wait_for_quiet(stop)
        if stop.is_set():
            break
        seconds[name] = _run_step(name, step, (path, version), stop)
    return seconds


def _run_step(name: str, step: Callable, args: tuple, stop: threading.Event) -> float:
    """Run a step's parts, waiting for quiet between them; its busy seconds (waits left out)."""
    busy, start = 0.0, time.perf_counter()
    try:
        for _ in step(*args):
            busy += time.perf_counter() - start
            _wait_for_quiet(stop)
            if stop.is_set():
                break
            start = time.perf_counter()
        else:
            busy += time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001 - a warm-up never stops the server
        busy += time.perf_counter() - start
        _say(f"warming {name} failed: {type(exc).__name__}: {exc}")
    return busy


def _say(text: str) -> None:
    print(f"followaudit warm-up: {text}", file=sys.stderr, flush=True)


class _NotThisThread(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the warm-up thread: it runs no
    script by design (its cached calls draw nothing)."""

    def __init__(self) -> None:
        super().__init__()
        self.ident = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.ident


def start() -> threading.Event:
    """serve.py's lifespan, before the server listens: import the pages' modules, then warm the
    default workspace on a background thread; set the returned event to stop it."""
    began = time.perf_counter()
    import_modules()
    imported = time.perf_counter() - began
    stop = threading.Event()
    thread = threading.Thread(
        target=_run, args=(stop, began, imported), name="followaudit-warm-up", daemon=True
    )
    thread.start()
    return stop


def _run(stop: threading.Event, began: float, imported: float) -> None:
    logging.getLogger(SCRIPT_CONTEXT_LOGGER).addFilter(_NotThisThread())
    seconds = {"imports": imported} | warm(stop=stop)
    steps = ", ".join(f"{name} {s:.2f} s" for name, s in seconds.items())
    _say(f"caches warm in {time.perf_counter() - began:.2f} s ({steps})")


async def visit(app, scope, receive, send) -> None:
    """serve.py's ASGI middleware: a page load's HTTP requests hold the warm-up back like a page
    run (they share the interpreter with it); a new websocket (a session) restarts the quiet."""
    if scope["type"] == "http":
        with page_run():
            await app(scope, receive, send)
        return
    if scope["type"] == "websocket":
        with page_run():
            pass
    await app(scope, receive, send)
