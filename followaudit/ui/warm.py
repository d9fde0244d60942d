"""Fill the process-wide decision caches in the background, once per process and workspace version.

The decision layer reads a workspace once (`session._inputs`: at 1M accounts ~10 s for 41.7M
follows) and indexes each rule set once; every session then shares them. The first script run
of the server process starts a thread that reads the default workspace and indexes its active
policy, so sessions opened meanwhile or later (on any page) wait at most for what is left
instead of each page paying its part in turn. A session that needs the same cache entry waits
for the thread's result (Streamlit computes a cache_resource key once).
"""

from __future__ import annotations

import logging
import threading

import streamlit as st

from followaudit.decide import policy
from followaudit.decide.policy_store import PolicyStore
from followaudit.store.workspace import WorkspaceError
from followaudit.ui import session

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Start warming the default workspace's caches unless already started for its version (only
    in a served app: page tests run without a server, and a thread would outlive their workspace)."""
    if not st.runtime.exists():
        return
    try:
        ws = session.workspace_at(session.default_workspace())
    except (WorkspaceError, OSError):
        return  # the page says why it cannot open it
    _started(str(ws.path), ws.version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _started(path: str, version: str) -> threading.Thread:
    thread = threading.Thread(target=_warm, args=(path, version), name="followaudit-warm-up")
    thread.daemon = True
    thread.start()
    return thread


def _warm(path: str, version: str) -> None:
    """The keys every page reads first: decision inputs, the active policy's lab and its
    creator-loss index (Home's counts), and the model."""
    try:
        active = PolicyStore(session.sidecar_dir(path)).active() or policy.default_policy()
        session.lab_at(path, version, active).decisions(active).summary()
        session.model_at(path)
    except Exception:  # a warm-up never breaks the app: the page meets the error itself
        log.exception("warming the caches of %s failed", path)
