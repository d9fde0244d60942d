"""The server's warm-up (serve.py -> ui/warm.py) fills the very cache entries the pages' first
runs read: after it, a page's first run reads nothing from the workspace and rebuilds no index."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from followaudit.store.workspace import PROJECT_ROOT
from followaudit.ui import adapt, decision_cache, session, warm

# the pages a first visitor opens without parameters, each with what its first run reads
PAGES = [
    "pages/0_Home.py",
    "pages/1_Growth_Anomalies.py",
    "pages/2_Account_Explanation.py",
    "pages/3_Global_Explanations.py",
    "pages/4_Threshold_Lab.py",
]


class Recorder:
    """Stands in for the workspace's DuckDB connection: records every statement a page starts."""

    def __init__(self, con, calls: list):
        self._con, self._calls = con, calls

    def __getattr__(self, name):
        self._calls.append(name)
        return getattr(self._con, name)


def spy_on_reads(monkeypatch, path) -> list:
    """Record the workspace reads and index builds that a cache miss would cause from now on."""
    calls: list = []
    holder = session._holder(str(path.resolve()))
    monkeypatch.setattr(holder.ws, "con", Recorder(holder.ws.con, calls))
    for module, name in [
        (decision_cache, "load_inputs"),
        (decision_cache, "PolicyRisk"),
        (decision_cache, "build_lab"),
        (adapt, "adapt_to_reviews"),
        (decision_cache.model, "load_for_workspace"),
    ]:
        original = getattr(module, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    return calls


def first_run(page: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_a_first_run_after_the_warm_up_reads_nothing(page, sample_workspace_path, monkeypatch):
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(sample_workspace_path))
    seconds = warm.warm()
    assert list(seconds) == [name for name, _ in warm.STEPS]
    warm.import_modules()
    calls = spy_on_reads(monkeypatch, sample_workspace_path)
    first_run(page)
    assert calls == []


def test_without_the_warm_up_the_spy_sees_the_reads(sample_workspace_path, monkeypatch):
    """The check above can fail: a cold first run reads the workspace and builds the indexes."""
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(sample_workspace_path))
    session.workspace_at(sample_workspace_path)  # the connection the spy wraps
    calls = spy_on_reads(monkeypatch, sample_workspace_path)
    first_run("pages/0_Home.py")
    assert {"cursor", "load_inputs", "PolicyRisk", "build_lab"} <= set(calls)


def test_a_page_run_holds_the_warm_up_back(sample_workspace_path, monkeypatch):
    """No new step starts while a page runs; a stop request ends the warm-up between steps."""
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(sample_workspace_path))
    started = []

    def step(path, version):
        started.append(time.monotonic())
        yield

    monkeypatch.setattr(warm, "STEPS", [("one", step)])
    stop = threading.Event()
    with warm.page_run():
        thread = threading.Thread(target=warm.warm, kwargs={"stop": stop})
        thread.start()
        thread.join(0.3)
        assert started == [] and thread.is_alive()
    ended = time.monotonic()
    thread.join(10)
    assert len(started) == 1 and not thread.is_alive()
    assert started[0] >= ended + warm.QUIET_S * 0.9  # and only after a quiet moment
    stop.set()
    assert warm.warm(stop=stop) == {}  # stopped: not one step


def test_a_failing_step_is_reported_and_skipped(sample_workspace_path, monkeypatch, capsys):
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(sample_workspace_path))

    def broken(path, version):
        yield
        raise RuntimeError("boom")

    def fine(path, version):
        yield

    monkeypatch.setattr(warm, "STEPS", [("broken", broken), ("fine", fine)])
    assert list(warm.warm()) == ["broken", "fine"]
    assert "warming broken failed: RuntimeError: boom" in capsys.readouterr().err


def test_no_workspace_nothing_to_warm(tmp_path, capsys):
    assert warm.warm(tmp_path / "missing.duckdb") == {}
    assert "nothing to warm" in capsys.readouterr().err


def test_only_serve_py_starts_the_warm_up():
    """`streamlit run app.py` and AppTest never warm: only serve.py's lifespan starts the thread."""
    files = [PROJECT_ROOT / "app.py", PROJECT_ROOT / "serve.py"]
    for folder in ("pages", "followaudit", "benchmarks"):
        files += sorted((PROJECT_ROOT / folder).glob("**/*.py"))
    users = [
        p.relative_to(PROJECT_ROOT).as_posix() for p in files if "warm.start(" in p.read_text()
    ]
    assert users == ["serve.py"]


def test_followaudit_serve_runs_serve_py_or_app_py(monkeypatch, tmp_path):
    """`followaudit serve` (what `make run` runs) becomes `streamlit run serve.py`."""
    from followaudit.cli import main
    from followaudit.cli import serve as cli_serve

    seen = []
    monkeypatch.setattr(cli_serve.os, "execve", lambda exe, argv, env: seen.append((argv, env)))
    main(["serve", "--workspace", str(tmp_path / "w.duckdb"), "--port", "8600"])
    main(["serve", "--no-warm"])
    (warmed, env), (cold, _) = seen
    assert warmed[1:5] == ["-m", "streamlit", "run", str(PROJECT_ROOT / "serve.py")]
    assert warmed[5:] == [
        "--server.address",
        "127.0.0.1",
        "--server.port",
        "8600",
        "--browser.gatherUsageStats",
        "false",
    ]
    assert env["FOLLOWAUDIT_WORKSPACE"] == str(tmp_path / "w.duckdb")
    assert cold[4] == str(PROJECT_ROOT / "app.py")
