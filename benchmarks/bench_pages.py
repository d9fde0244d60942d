"""Page timings with AppTest: cold first view, a new session's first view, one widget interaction.

Targets (issue 5): first view of each page <= 1 s and each widget interaction <= 300 ms of server
time on the 1M-account workspace. "Cold" clears every Streamlit cache first (the first visitor
after a rebuild pays for opening the workspace and applying the policy once); "first view" is a
new session with the caches warm, which is what every later analyst sees.
Run by hand: `python -m benchmarks.bench_pages workspaces/sample.duckdb`.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def _ids(workspace: Path) -> dict:
    """The strongest suspicious spike, its creator and its most suspicious follower."""
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        spike = con.execute(
            "select spike_id, creator_id from spikes order by (verdict = 'suspicious') desc, "
            "score desc limit 1"
        ).fetchone()
        follower = con.execute(
            "select account_id from spike_followers where spike_id = ? "
            "order by score desc nulls last limit 1",
            [spike[0]],
        ).fetchone()
    finally:
        con.close()
    return {"spike": str(spike[0]), "creator": str(spike[1]), "account": str(follower[0])}


def _app(page: str, params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if page != "app.py":
        at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def _timed_run(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(f"page raised: {at.exception[0].value}")
    return time.perf_counter() - started


def _overhead(runs: int) -> float:
    """AppTest's own cost per run (script thread, element tree), measured on an empty script."""
    times = []
    for _ in range(runs + 1):  # the first run also imports and registers; not counted
        at = AppTest.from_string("import streamlit as st\nst.write('')")
        times.append(_timed_run(at))
    return sorted(times[1:])[runs // 2]


def _interactions(ids: dict) -> dict:
    """page -> (params, label, widget change) for the pages this benchmark knows."""
    return {
        "app.py": ({}, "demo toggle", lambda at: at.toggle(key="home_demo").set_value(True)),
        "pages/1_Growth_Anomalies.py": (
            {"creator": ids["creator"], "spike": ids["spike"]},
            "annotation kind change",
            lambda at: at.selectbox(key="growth_ann_kind").set_value("giveaway"),
        ),
        "pages/2_Account_Explanation.py": (
            {"account": ids["account"]},
            "label choice",
            lambda at: at.radio(key="acct_label").set_value("genuine"),
        ),
        "pages/3_Global_Explanations.py": (
            {},
            "dependence feature change",
            lambda at: at.selectbox(key="global_feature").set_value(
                at.selectbox(key="global_feature").options[-1]
            ),
        ),
    }


def measure(workspace: Path, runs: int = 3) -> list[dict]:
    """Rows for every page of the app on `workspace`."""
    os.environ["FOLLOWAUDIT_WORKSPACE"] = str(workspace)
    ids = _ids(workspace)
    known = _interactions(ids)
    pages = ["app.py"] + sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
    rows = [
        _row("AppTest", "harness overhead (empty script; subtract)", _overhead(runs), "-", runs)
    ]
    for page in pages:
        params, label, change = known.get(page, ({}, None, None))
        st.cache_data.clear()
        st.cache_resource.clear()
        cold = _timed_run(_app(page, params))
        warm = sorted(_timed_run(_app(page, params)) for _ in range(runs))[runs // 2]
        rows += [_row(page, "cold first view (caches cleared)", cold, "-", 1)]
        rows += [_row(page, "first view (new session)", warm, "<= 1 s", runs)]
        if change is not None:
            times = []
            for _ in range(runs):
                at = _app(page, params)
                _timed_run(at)
                change(at)
                times.append(_timed_run(at))
            rows.append(
                _row(page, f"interaction: {label}", sorted(times)[runs // 2], "<= 0.3 s", runs)
            )
    return rows


def _row(page: str, what: str, seconds: float, target: str, runs: int) -> dict:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name = Path(page).stem
    return {
        "area": "pages",
        "measure": f"{name}: {what}",
        "median_s": round(seconds, 3),
        "target": target,
        "peak_rss_mb": round(peak, 1),
        "runs": runs,
    }


def run(ctx) -> list[dict]:
    """The benchmark entry point: every page on the 1M-account workspace."""
    return measure(Path(ctx.workspace))


if __name__ == "__main__":
    for row in measure(Path(sys.argv[1] if len(sys.argv) > 1 else "workspaces/sample.duckdb")):
        print(f"{row['measure']:<70} {row['median_s']:>7.3f} s  target {row['target']}")
