"""The served app's warm-up thread fills the decision caches every page reads first."""

from __future__ import annotations

from followaudit.decide import policy
from followaudit.ui import session, warm


def test_warm_up_fills_the_caches_a_first_view_reads(sample_workspace_path, monkeypatch):
    ws = session.workspace_at(sample_workspace_path)
    path, version = str(ws.path), ws.version
    warm._warm(path, version)
    reads = []
    monkeypatch.setattr(session, "load_inputs", lambda w: reads.append(w))
    default = policy.default_policy()
    session.lab_at(path, version, default).decisions(default).summary()
    session.decision_inputs_at(path, version)
    assert reads == []  # answered from the caches the thread filled


def test_page_tests_start_no_thread(sample_workspace_path, monkeypatch):
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(sample_workspace_path))
    started = []
    monkeypatch.setattr(warm, "_started", lambda *a: started.append(a))
    warm.warm_up()  # no Streamlit server runs here
    assert started == []
