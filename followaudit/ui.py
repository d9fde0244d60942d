"""Streamlit glue shared by every page: the open workspace, cached queries, demo mode, links.

How a page uses it (pages stay thin; no SQL or duckdb in pages):

    ws = ui.page_setup("Growth anomalies", ":material/trending_up:")   # config + sidebar
    creator = ui.parse_int_param("creator")       # None when absent or malformed
    df = ui.run("growth/creator_daily", creator_id=creator)  # cached, pseudonymised in demo mode
    ui.account_link(42, "@someone")              # link to Account_Explanation?account=42

This is the only module with `st.cache_data` / `st.cache_resource`. Query results are cached
per query name + params + workspace file version, so a rebuilt workspace is re-read.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from followaudit.workspace import PROJECT_ROOT, Workspace, WorkspaceError

WORKSPACES_DIR = PROJECT_ROOT / "workspaces"
DEFAULT_WORKSPACE = WORKSPACES_DIR / "sample.duckdb"
ACCOUNT_PAGE = "pages/2_Account_Explanation.py"
GROWTH_PAGE = "pages/1_Growth_Anomalies.py"
_WS_KEY = "ui_workspace"
_DEMO_KEY = "ui_demo"
_INT = re.compile(r"\s*(\d{1,18})\s*")


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
    env = os.environ.get("FOLLOWAUDIT_WORKSPACE")
    return Path(env) if env else DEFAULT_WORKSPACE


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


def _file_version(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_mtime_ns}:{stat.st_size}"


def _open(path: Path) -> Workspace:
    """The cached read-only workspace at `path`; raises WorkspaceError when missing or locked."""
    if not path.is_file():
        raise WorkspaceError(f"workspace {path} does not exist")
    holder = _holder(str(path.resolve()))
    with holder.lock:
        version = _file_version(path)
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
        return _open(path)
    except (WorkspaceError, OSError) as exc:
        st.error(
            f"Cannot open the workspace **{path}**: {exc}.\n\n"
            "Build the sample one with `make workspace`, or build your own with "
            f"`followaudit build --data <folder> --workspace {path}`, then reload this page."
        )
        st.stop()


# --- cached queries and demo mode -----------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=1024)
def _query(path: str, version: str, name: str, params: dict) -> pl.DataFrame:
    return _open(Path(path)).query(name, **params)


def run(name: str, **params) -> pl.DataFrame:
    """Run `queries/<name>.sql` on the current workspace (cached); pseudonymised in demo mode."""
    ws = current_workspace()
    frame = _query(str(ws.path), ws.version, name, params)
    return demo_frame(frame)


def cached(fn: Callable, *args, **kwargs):
    """`fn(workspace, *args, **kwargs)` once per workspace version; frames pseudonymised in demo."""
    ws = current_workspace()
    out = _cached_call(str(ws.path), ws.version, fn.__module__, fn.__qualname__, args, kwargs)
    return demo_frame(out) if isinstance(out, pl.DataFrame) else out


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(path: str, version: str, module: str, qualname: str, args: tuple, kwargs: dict):
    import importlib

    fn = importlib.import_module(module)
    for part in qualname.split("."):
        fn = getattr(fn, part)
    return fn(_open(Path(path)), *args, **kwargs)


def demo_mode() -> bool:
    """Whether usernames are pseudonymised; starts from `?demo=1`, then follows the Home toggle."""
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
    """The Home page's demo-mode toggle."""
    st.toggle(
        "Demo mode (pseudonymise usernames)",
        value=demo_mode(),
        key="home_demo",
        on_change=lambda: set_demo_mode(st.session_state["home_demo"]),
        help="Replaces every username with a stable pseudonym on every page, chart and export.",
    )


def demo_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with usernames pseudonymised when demo mode is on."""
    if not demo_mode():
        return frame
    from followaudit.demo import pseudonymise_frame

    return pseudonymise_frame(frame)


# --- analyst work, policy and model -------------------------------------------------------


def store():
    """The analyst store (review labels, annotations) beside the current workspace."""
    return _store(str(current_workspace().sidecar))


# Safe to share across sessions: the store opens a fresh SQLite connection per call.
@st.cache_resource(show_spinner=False, max_entries=16)
def _store(sidecar: str):
    from followaudit import review

    return review.AnalystStore(sidecar)


def active_policy():
    """The active policy of the current workspace, or the default policy."""
    from followaudit import policy

    active = policy.PolicyStore(current_workspace().sidecar).active()
    return active if active is not None else policy.default_policy()


def model_bundle():
    """The workspace's model (or the shipped default), once per model file; None (with a
    warning shown) when neither exists."""
    from followaudit import model

    side = current_workspace().sidecar
    card = side / "model" / "card.json"
    stamp = str(card.stat().st_mtime_ns) if card.exists() else "default"
    try:
        return _model_bundle(str(side), stamp)
    except model.ModelError as exc:
        st.warning(f"No model to explain scores with: {exc}")
        return None


@st.cache_resource(show_spinner=False, max_entries=8)
def _model_bundle(sidecar: str, stamp: str):
    from followaudit import model

    return model.load_for_workspace(Path(sidecar))


def policy_result():
    """The active policy applied to every account (`policy.PolicyResult`), once per version."""
    from followaudit import policy

    ws = current_workspace()
    return _policy_result(str(ws.path), ws.version, policy.to_toml(active_policy()))


# cache_resource, not cache_data: a million-row frame is shared read-only instead of unpickled
# on every rerun (Polars frames are immutable, so sharing is safe).
@st.cache_resource(show_spinner="Applying the active policy…", max_entries=4)
def _policy_result(path: str, version: str, policy_toml: str):
    from followaudit import policy

    ws = _open(Path(path))
    scores = ws.query("explorer/account_scores")
    features = ws.query("explorer/account_features")
    return policy.evaluate_policy(policy.from_toml(policy_toml), scores, features)


def reviewer_name() -> str:
    """The name written with labels and annotations (set in the sidebar)."""
    return st.session_state.get("ui_reviewer") or os.environ.get("USER") or "analyst"


def _reviewer_input() -> None:
    st.text_input(
        "Reviewer name",
        value=reviewer_name(),
        key="sidebar_reviewer",
        on_change=lambda: st.session_state.update(ui_reviewer=st.session_state["sidebar_reviewer"]),
        help="Stored with every label and annotation you make.",
    )


def workspace_meta() -> dict[str, str]:
    """The current workspace's build `meta` (built_at, model_source, ...)."""
    return cached(Workspace.meta)


def has_table(table: str) -> bool:
    """Whether the current workspace has `table` (partial or older workspaces may lack it)."""
    return cached(Workspace.has_table, table)


# --- page frame, links and URL parameters ---------------------------------------------------


def page_setup(title: str, icon: str) -> Workspace:
    """Configure the page, draw the sidebar (workspace, model, demo badge); return the workspace."""
    st.set_page_config(page_title=f"{title} · Follower Audit", page_icon=icon, layout="wide")
    ws = current_workspace()
    if demo_mode() and st.query_params.get("demo") != "1":
        st.query_params["demo"] = "1"
    meta = workspace_meta()
    with st.sidebar:
        st.caption(f"Workspace **{ws.path.name}**")
        source = meta.get("model_source", "unknown")
        model = {"trained": "trained on its labels", "default": "shipped default (no labels)"}
        st.caption(f"Model: **{model.get(source, source)}**")
        if meta.get("built_at"):
            st.caption(f"Built {meta['built_at']}")
        _reviewer_input()
        if demo_mode():
            st.badge(
                "Demo mode: names pseudonymised", icon=":material/visibility_off:", color="orange"
            )
    return ws


def _carry() -> dict[str, str]:
    """URL parameters every link keeps, so a new tab shows the same workspace and mode."""
    keep = {}
    if st.query_params.get("ws"):
        keep["ws"] = st.query_params["ws"]
    if demo_mode():
        keep["demo"] = "1"
    return keep


def account_url(account_id: int) -> str:
    """A relative URL to an account's explanation (for LinkColumn cells)."""
    extra = "".join(f"&{k}={v}" for k, v in _carry().items())
    return f"Account_Explanation?account={int(account_id)}{extra}"


def creator_url(creator_id: int) -> str:
    """A relative URL to a creator's growth page (for LinkColumn cells)."""
    extra = "".join(f"&{k}={v}" for k, v in _carry().items())
    return f"Growth_Anomalies?creator={int(creator_id)}{extra}"


def _link(page: str, url: str, label: str, icon: str, params: dict[str, str]) -> None:
    """A page link; a markdown link where the page is not registered (e.g. a one-file test)."""
    try:
        st.page_link(page, label=label, icon=icon, query_params=params)
    except StreamlitPageNotFoundError:
        st.markdown(f"[{label}]({url})")


def account_link(account_id: int, label: str | None = None) -> None:
    """A link to `Account_Explanation?account=ID`."""
    params = {"account": str(int(account_id)), **_carry()}
    label = label or f"Account {account_id}"
    _link(ACCOUNT_PAGE, account_url(account_id), label, ":material/person_search:", params)


def creator_link(creator_id: int, label: str | None = None, spike: int | None = None) -> None:
    """A link to `Growth_Anomalies?creator=ID` (optionally with `&spike=ID` open)."""
    params = {"creator": str(int(creator_id)), **_carry()}
    url = creator_url(creator_id)
    if spike is not None:
        params["spike"] = str(int(spike))
        url += f"&spike={int(spike)}"
    label = label or f"Creator {creator_id}"
    _link(GROWTH_PAGE, url, label, ":material/trending_up:", params)


def open_account(account_id: int) -> None:
    """Switch to an account's explanation (e.g. after a table row is selected)."""
    st.switch_page(ACCOUNT_PAGE, query_params={"account": str(int(account_id)), **_carry()})


def parse_int_param(name: str) -> int | None:
    """The URL parameter `name` as a non-negative integer; absent or malformed gives None."""
    match = _INT.fullmatch(st.query_params.get(name) or "")
    return int(match.group(1)) if match else None


def param_index(name: str, options: list[str], default: int) -> int:
    """Index of `?name=` among `options` (a selectbox's start); unknown values give `default`."""
    value = st.query_params.get(name)
    return options.index(value) if value in options else min(default, max(len(options) - 1, 0))


def drop_params(*names: str) -> None:
    """Remove URL parameters (keeping shared ones such as `ws` and `demo`)."""
    for name in names:
        if name in st.query_params:
            del st.query_params[name]


def not_found(what: str, value: object, search: bool = True) -> None:
    """A friendly 'not found' (with a search box unless the page has its own), never a traceback."""
    shown = re.sub(r"[`\\]", "", str(value))[:60]
    st.warning(f"No {what} matches `{shown}`. Search by username instead:")
    if search:
        search_box(what, key=f"nf_{re.sub(r'[^a-z]', '_', what.lower())}")


def search_box(what: str, key: str) -> None:
    """Username search that lists matching accounts (or creators) as links."""
    text = st.text_input(f"Search {what}s by username", key=key, max_chars=64)
    if not text:
        return
    creators = "creator" in what.lower()
    name = "explorer/search_creators" if creators else "explorer/search_accounts"
    hits = run(name, pattern=text.strip(), limit=20)
    if hits.is_empty():
        st.info(f"No {what} has a username containing `{text[:64]}`.")
    for row in hits.iter_rows(named=True):
        label = f"@{row['username']} · id {row['id']}"
        (creator_link if creators else account_link)(row["id"], label)
