"""What every page reads about the model and a policy's decisions, cached once per workspace
version: the active policy, the model (or only its card), the decision inputs, and the lab
indexes per rule set and review-label event. The caching rule is `ui/session.py`'s; the session's
workspace is read through the `session` module, the one place a test substitutes it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from followaudit.decide import policy
from followaudit.decide.decisions import Decisions, PolicyRisk
from followaudit.decide.inputs import DecisionInputs, load_inputs
from followaudit.decide.lab import Lab, build_lab
from followaudit.decide.policy_store import PolicyStore
from followaudit.detect import model
from followaudit.store.workspace import file_version, sidecar_dir
from followaudit.ui import session
from followaudit.ui.text import plain


def active_policy():
    """The active policy of the current workspace, or the default policy."""
    return active_policy_at(session.current_workspace().path)


def active_policy_at(path: str | Path):
    """The active policy of the workspace at `path`, or the default policy."""
    active = PolicyStore(sidecar_dir(path)).active()
    return active if active is not None else policy.default_policy()


def model_bundle():
    """The workspace's model (stored inside its file) or the shipped default, once per workspace
    version; None (with a warning shown) when neither exists."""
    try:
        return model_at(session.current_workspace().path)
    except model.ModelError as exc:
        st.warning(f"No model to explain scores with: {plain(exc)}")
        return None


def model_card() -> dict | None:
    """The card of `model_bundle()`'s model, without loading the model itself (Home's counts
    need only the card; LightGBM and scikit-learn load with the first page that scores)."""
    ws = session.current_workspace()
    try:
        return model_card_at(str(ws.path), ws.version)
    except model.ModelError as exc:
        st.warning(f"No model to explain scores with: {plain(exc)}")
        return None


def model_card_at(path: str, version: str) -> dict:
    """`model_card`'s entry for the workspace at `path` / `version`; raises model.ModelError."""
    return _model_card(path, version)


@st.cache_data(show_spinner=False, max_entries=8)
def _model_card(path: str, version: str) -> dict:
    return model.card_for_workspace(session.workspace_at(path))


def model_at(path: str | Path):
    """The model of the workspace at `path`: the one its build scored with, stored inside the
    file (what a cached function keyed by `path` reads); raises model.ModelError when none."""
    return _model_bundle(str(path), file_version(Path(path)))


@st.cache_resource(show_spinner=False, max_entries=8)
def _model_bundle(path: str, version: str):
    return model.load_for_workspace(session.workspace_at(path))


def _rules_key(pol) -> str:
    """What the expensive part of a decision depends on: the rules (not threshold or tiers)."""
    return policy.to_toml(policy.Policy("rules", rules=pol.rules))


# cache_resource, not cache_data: million-row arrays are shared read-only instead of unpickled
# on every rerun (nothing mutates them).
@st.cache_resource(show_spinner="Reading scores, labels and follows…", max_entries=4)
def _inputs(path: str, version: str) -> DecisionInputs:
    return load_inputs(session.workspace_at(path))


def decision_inputs_at(path: str, version: str) -> DecisionInputs:
    """The policy-free side of every decision (scores, labels, features, follows), read once."""
    return _inputs(path, version)


@st.cache_resource(show_spinner="Applying the rules…", max_entries=8)
def _policy_risk(path: str, version: str, rules_key: str) -> PolicyRisk:
    return PolicyRisk(_inputs(path, version), policy.from_toml(rules_key))


@st.cache_resource(show_spinner="Indexing decisions and labels…", max_entries=16)
def _lab(path: str, version: str, rules_key: str, label_events: int) -> Lab:
    reviewed = session.store_at(path).current_labels()
    return build_lab(_policy_risk(path, version, rules_key), reviewed)


def lab_at(path: str, version: str, pol) -> Lab:
    """`lab_for` in the workspace at `path` / `version` (what other caches read)."""
    events = session.store_at(path).progress()["events"]
    return _lab(path, version, _rules_key(pol), events)


def lab_for(pol=None) -> Lab:
    """The decision layer's indexes for a policy's rules (active policy when None) under the
    current review labels: once per workspace version, rule set and label event."""
    ws = session.current_workspace()
    return lab_at(str(ws.path), ws.version, active_policy() if pol is None else pol)


def decisions(pol=None) -> Decisions:
    """What a policy (the active one when None) does to every account: the one source of every
    count a page shows about a policy."""
    pol = active_policy() if pol is None else pol
    return lab_for(pol).decisions(pol)


def decisions_at(path: str, version: str, pol) -> Decisions:
    """`decisions` in the workspace at `path` / `version` (what other caches read)."""
    return lab_at(path, version, pol).decisions(pol)
