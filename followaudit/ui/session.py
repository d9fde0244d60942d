"""A session's state (the open workspace, demo mode, reviewer) and the caches every page shares.

How caching works in `followaudit.ui` (one rule, checked by tests/test_ui_caches.py):
- A cache sits beside the code it serves: here the ones every page shares (the workspace
  connection, query results, `cached(fn)`, the analyst store); in `ui/decision_cache.py` the
  model and the decision layer's inputs, rule sets and labs (what every policy number on every
  page reads); in a page area's module (`ui/lab.py`, `ui/review.py`, `ui/data.py`) the ones
  only that area uses.
- A cached function is keyed by what it reads: `(path, version, ...inputs as short strings)`
  for the workspace at `path`, where `version` is `store.workspace.file_version` of the file; a
  folder's fingerprint or a file's version for anything else. It reads nothing but its key:
  `workspace_at(path)` / `store_at(path)`, never the session (`current_workspace()`, `ui.run`),
  so two sessions on two workspaces can never share an entry by mistake.
- `st.cache_data` for small results (copied per caller); `st.cache_resource` for large ones shared
  read-only (a million-row frame, the lab's sorted indexes).
"""

from __future__ import annotations

import os
import re
import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import streamlit as st

from followaudit.store import analyst as review
from followaudit.store.capabilities import Capabilities, workspace_capabilities
from followaudit.store.workspace import (
    PROJECT_ROOT,
    Workspace,
    WorkspaceError,
    file_version,
    sidecar_dir,
)
from followaudit.ui import auth, demo
from followaudit.ui.demo import pseudonymise_frame
from followaudit.ui.text import command, plain

# where the app lists and writes workspaces (uploads under it): FOLLOWAUDIT_WORKSPACES_DIR or
# the project's workspaces/
WORKSPACES_DIR = Path(os.environ.get("FOLLOWAUDIT_WORKSPACES_DIR") or PROJECT_ROOT / "workspaces")
DEFAULT_WORKSPACE = WORKSPACES_DIR / "sample.duckdb"
_WS_KEY = "ui_workspace"
_DEMO_KEY = "ui_demo"


# --- the open workspace -------------------------------------------------------------------


def _ws_from_query() -> Path | None:
    """`?ws=name.duckdb`, only for files directly inside workspaces/ (no path escapes)."""
    name = st.query_params.get("ws")
    if not name or not re.fullmatch(r"[A-Za-z0-9_.-]+\.duckdb", name):
        return None
    path = WORKSPACES_DIR / name
    return path if path.is_file() else None


def workspace_path() -> Path:
    """The workspace this session looks at: session, then `?ws=`, then env, then the sample."""
    if st.session_state.get(_WS_KEY):
        return Path(st.session_state[_WS_KEY])
    from_query = _ws_from_query()
    if from_query is not None:
        return from_query
    return default_workspace()


def default_workspace() -> Path:
    """The workspace a new session opens: `FOLLOWAUDIT_WORKSPACE`, else the sample."""
    env = os.environ.get("FOLLOWAUDIT_WORKSPACE")
    return Path(env) if env else DEFAULT_WORKSPACE


def _forget_chosen_workspace() -> bool:
    """Drop the session's own choice of workspace (session or `?ws=`); whether there was one."""
    chosen = bool(st.session_state.pop(_WS_KEY, None)) or "ws" in st.query_params
    if "ws" in st.query_params:
        del st.query_params["ws"]
    return chosen


def switch_workspace(path: str | Path) -> None:
    """Make `path` this session's workspace and reflect it in the URL when it is shareable."""
    path = Path(path)
    st.session_state[_WS_KEY] = str(path)
    if path.parent.resolve() == WORKSPACES_DIR.resolve():
        st.query_params["ws"] = path.name
    elif "ws" in st.query_params:
        del st.query_params["ws"]


@dataclass
class _Holder:
    """One open connection per workspace path, reopened when the file is rebuilt."""

    ws: Workspace | None = None
    version: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource(show_spinner=False)
def _holder(path: str) -> _Holder:
    return _Holder()


def workspace_at(path: str | Path) -> Workspace:
    """The read-only workspace at `path`, one connection per file version (what a cached
    function keyed by `path` reads); raises WorkspaceError when missing or locked."""
    path = Path(path)
    if not path.is_file():
        raise WorkspaceError(f"workspace {path} does not exist")
    holder = _holder(str(path.resolve()))
    with holder.lock:
        version = file_version(path)
        if holder.ws is None or holder.version != version:
            # Close first: DuckDB would otherwise hand back the old, replaced file's instance.
            if holder.ws is not None:
                holder.ws.close()
                holder.ws = None
            holder.ws = Workspace.open(path, read_only=True)
            holder.version = version
        return holder.ws


def current_workspace() -> Workspace:
    """The session's workspace, opened once per file version; stops the page with help if absent."""
    path = workspace_path()
    try:
        return workspace_at(path)
    except (WorkspaceError, OSError) as exc:
        if path != default_workspace() and _forget_chosen_workspace():
            # a chosen workspace that stopped opening must not lock the session on every page
            st.warning(f"Cannot open **{plain(path)}**: {plain(exc)}. Back on the default one.")
            return current_workspace()
        st.error(
            f"Cannot open the workspace **{plain(path)}**: {plain(exc)}.\n\n"
            "Build the sample one with `make workspace`, or build your own with "
            f"{command(build_hint(path))}, then reload this page."
        )
        st.stop()


def build_hint(workspace: Path | str) -> str:
    """The command that builds `workspace` from a data folder, with the path shell-quoted."""
    return f"followaudit build --data DATA_DIR --workspace {shlex.quote(str(workspace))}"


# --- cached queries and demo mode -----------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=1024)
def _query(path: str, version: str, name: str, params: dict) -> pl.DataFrame:
    return workspace_at(path).query(name, **params)


def run(name: str, **params) -> pl.DataFrame:
    """Run `queries/<name>.sql` on the current workspace (cached); pseudonymised in demo mode."""
    ws = current_workspace()
    return demo_frame(run_at(str(ws.path), ws.version, name, **params))


def run_at(path: str, version: str, name: str, **params) -> pl.DataFrame:
    """`run`'s cache entry for the workspace at `path` / `version`, as stored (never
    pseudonymised): the one place its key is made (the server's warm-up fills the same entry)."""
    return _query(path, version, name, params)


def cached(fn: Callable, *args, **kwargs):
    """`fn(workspace, *args, **kwargs)` once per workspace version; frames pseudonymised in demo."""
    ws = current_workspace()
    out = cached_at(str(ws.path), ws.version, fn, *args, **kwargs)
    return demo_frame(out) if isinstance(out, pl.DataFrame) else out


def cached_at(path: str, version: str, fn: Callable, *args, **kwargs):
    """`cached`'s entry for the workspace at `path` / `version`, as stored."""
    return _cached_call(path, version, fn.__module__, fn.__qualname__, args, kwargs)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(path: str, version: str, module: str, qualname: str, args: tuple, kwargs: dict):
    import importlib

    fn = importlib.import_module(module)
    for part in qualname.split("."):
        fn = getattr(fn, part)
    return fn(workspace_at(path), *args, **kwargs)


def demo_mode() -> bool:
    """Whether names are pseudonymised; starts from `?demo=1`, then follows the sidebar toggle."""
    if _DEMO_KEY not in st.session_state:
        st.session_state[_DEMO_KEY] = st.query_params.get("demo") in {"1", "true"}
    return bool(st.session_state[_DEMO_KEY])


def set_demo_mode(on: bool) -> None:
    """Turn demo mode on or off for this session and reflect it in the URL."""
    st.session_state[_DEMO_KEY] = bool(on)
    if on:
        st.query_params["demo"] = "1"
    elif "demo" in st.query_params:
        del st.query_params["demo"]


def demo_toggle() -> None:
    """The demo-mode toggle, in every page's sidebar."""
    st.toggle(
        "Demo mode (pseudonymise usernames)",
        value=demo_mode(),
        key="sidebar_demo",
        on_change=lambda: set_demo_mode(st.session_state["sidebar_demo"]),
        help="Replaces every username and display name with a stable pseudonym (anon·…) and "
        "hides bios on every page, chart and export; look accounts up by pseudonym.",
    )


def demo_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with usernames pseudonymised when demo mode is on."""
    if not demo_mode():
        return frame
    return pseudonymise_frame(frame)


def pseudonym_matches(text: str, exact: bool = False) -> pl.DataFrame:
    """Demo mode's username lookup: accounts (id, username = pseudonym) whose pseudonym equals
    or contains `text`; a real name matches nothing."""
    ws = current_workspace()
    return demo.matching(_pseudonyms(str(ws.path), ws.version), text, exact)


# cache_resource: every username of the workspace, pseudonymised once per workspace version.
@st.cache_resource(show_spinner="Preparing pseudonyms…", max_entries=2)
def _pseudonyms(path: str, version: str) -> pl.DataFrame:
    return demo.pseudonymise_frame(workspace_at(path).query("explorer/account_names"))


# --- analyst work --------------------------------------------------------------------------


def store():
    """The analyst store (review labels, annotations) beside the current workspace."""
    return _store(str(current_workspace().sidecar))


def store_at(path: str | Path):
    """The analyst store beside the workspace at `path` (what a cached function keyed by
    `path` reads)."""
    return _store(str(sidecar_dir(path)))


# Safe to share across sessions: the store opens a fresh SQLite connection per call.
@st.cache_resource(show_spinner=False, max_entries=16)
def _store(sidecar: str):
    return review.AnalystStore(sidecar)


def reviewer_name() -> str:
    """The name written with labels and annotations (set in the sidebar; at most
    `analyst.NAME_MAX` characters)."""
    name = (
        auth.identity()
        or st.session_state.get("ui_reviewer")
        or os.environ.get("USER")
        or "analyst"
    )
    return name.strip()[: review.NAME_MAX] or "analyst"


def reviewer_input() -> None:
    """The sidebar's reviewer name: typed, or the logged-in identity (then not editable)."""
    logged_in = auth.identity() is not None
    st.text_input(
        "Reviewer name",
        value=reviewer_name(),
        key="sidebar_reviewer",
        max_chars=review.NAME_MAX,
        disabled=logged_in,
        on_change=lambda: st.session_state.update(ui_reviewer=st.session_state["sidebar_reviewer"]),
        help="Stored with every label and annotation you make"
        + (" (your login)." if logged_in else "."),
    )


def workspace_meta() -> dict[str, str]:
    """The current workspace's build `meta` (built_at, model_source, ...)."""
    return cached(Workspace.meta)


def has_table(table: str) -> bool:
    """Whether the current workspace has `table` (partial or older workspaces may lack it)."""
    return cached(Workspace.has_table, table)


# --- what the data supports ---------------------------------------------------------------


def capabilities() -> Capabilities:
    """What the current workspace's data supports (tables, columns, labels), once per version."""
    return cached(workspace_capabilities)


def capabilities_if_open() -> Capabilities | None:
    """`capabilities()`, or None when no workspace opens (the page then says why)."""
    try:
        workspace_at(workspace_path())
    except (WorkspaceError, OSError):
        return None
    return capabilities()


def require(feature: str) -> None:
    """Stop the page with the one sentence saying what `feature` needs, when the data lacks it."""
    sentence = capabilities().needs(feature)
    if sentence is not None:
        st.info(sentence, icon=":material/info:")
        st.stop()


def note_missing(*features: str) -> None:
    """One caption per feature the data lacks, each saying what it needs."""
    for feature in features:
        sentence = capabilities().needs(feature)
        if sentence is not None:
            st.caption(f":material/info: {sentence}")
