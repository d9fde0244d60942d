"""Where a click's time goes, leg by leg: a diagnostic run by hand, not part of `make bench`.

Serves the app through serve_traced.py (the run log, plus every BackMsg handled and ForwardMsg
sent, with sizes) and records in the page every websocket frame's arrival and Chromium's own
trace (main-thread tasks, V8 CPU samples). For each Threshold lab slider move and Growth
anomalies spike click it prints: input -> BackMsg sent (frontend) -> handled (server) -> script
start -> script end -> last message sent -> received -> `notRunning` drawn, the bytes sent by
element type, each delta (element, delta path, bytes) in the order sent, and the page's
main-thread time by kind and by script file.
New tabs (`--views PATH ...`) get navigation timing, resources, websocket and server legs.
Run: `python -m benchmarks.browser_trace [WORKSPACE] [--moves 5] [--clicks 5] [--views ""
Threshold_Lab] [--app app.py]`.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks import browser_journeys as journeys
from benchmarks.browser_server import served
from benchmarks.browser_timing import AppTab, Stopwatch

LAUNCHER = Path(__file__).with_name("serve_traced.py")
SOCKET_RECORDER = """(() => {
    const rec = (window.__faws = { sent: [], recv: [] });
    const now = () => performance.timeOrigin + performance.now();
    const size = (d) => d.byteLength ?? d.size ?? d.length;
    const Base = window.WebSocket;
    window.WebSocket = class extends Base {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", (e) => rec.recv.push([now(), size(e.data)]));
        }
        send(data) { rec.sent.push([now(), size(data)]); return super.send(data); }
    };
    for (const type of ["pointerdown", "keydown"]) {
        document.addEventListener(type, () => performance.mark("fa-input"), true);
    }
    new MutationObserver(() => {
        const app = document.querySelector("[data-testid='stApp']");
        if (app?.getAttribute("data-test-script-state") === "notRunning") {
            performance.mark("fa-done");
        }
    }).observe(document, { attributes: true, subtree: true,
                           attributeFilter: ["data-test-script-state"] });
})();"""
CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "v8.execute",
    "blink.user_timing",
    "disabled-by-default-v8.cpu_profiler",
]
KINDS = {
    "js": {"FunctionCall", "EvaluateScript", "RunMicrotasks", "v8.run", "V8.Execute"},
    "style": {"UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet"},
    "layout": {"Layout", "IntersectionObserverController::computeIntersections"},
    "paint": {"Paint", "PrePaint", "Layerize", "CompositeLayers", "Commit", "UpdateLayer"},
    "gc": {"MinorGC", "MajorGC", "V8.GCScavenger", "V8.GCFinalizeMC", "BlinkGC.AtomicPhase"},
    "parse": {"ParseHTML", "v8.compile", "v8.parseOnBackground"},
}


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def main_thread(events: list[dict]) -> tuple[int, int, float, float]:
    """(pid, tid) of the renderer main thread that saw the action, and its window (µs)."""
    inputs = [e for e in events if e.get("name") == "fa-input"]
    done = [e for e in events if e.get("name") == "fa-done"]
    if not inputs or not done:
        raise RuntimeError("the trace holds no fa-input / fa-done marks")
    first = inputs[-1]
    end = max(e["ts"] for e in done if e["pid"] == first["pid"])
    return first["pid"], first["tid"], first["ts"], end


def busy(events: list[dict], pid: int, tid: int, start: float, end: float) -> dict[str, float]:
    """Main-thread ms in [start, end] by kind (nested events of one kind counted once)."""
    out: dict[str, float] = defaultdict(float)
    for kind, names in KINDS.items():
        spans = sorted(
            (e["ts"], e["ts"] + e.get("dur", 0))
            for e in events
            if e.get("ph") == "X" and e["pid"] == pid and e["tid"] == tid and e["name"] in names
        )
        reach = -1.0
        for s, t in spans:
            s, t = max(s, start, reach), min(t, end)
            if t > s:
                out[kind] += (t - s) / 1000
            reach = max(reach, t)
    tasks = [
        e
        for e in events
        if e.get("ph") == "X" and e["pid"] == pid and e["tid"] == tid and e["name"] == "RunTask"
    ]
    out["all tasks"] = sum(
        max(0, min(e["ts"] + e["dur"], end) - max(e["ts"], start)) / 1000 for e in tasks
    )
    return dict(out)


def samples_by_file(events: list[dict], pid: int, start: float, end: float) -> Counter:
    """V8 CPU samples (ms) in [start, end] by the script file of the sampled function."""
    nodes: dict[tuple, str] = {}
    starts: dict[str, float] = {}
    out: Counter = Counter()
    clock: dict[str, float] = {}
    for e in sorted(events, key=lambda e: e.get("ts", 0)):
        if e.get("pid") != pid:
            continue
        if e.get("name") == "Profile":
            starts[e["id"]] = e["args"]["data"]["startTime"]
        if e.get("name") != "ProfileChunk":
            continue
        data = e["args"]["data"]
        profile = data.get("cpuProfile", {})
        for node in profile.get("nodes", []):
            frame = node["callFrame"]
            url = frame.get("url") or frame.get("functionName") or "?"
            nodes[(e["id"], node["id"])] = url.rsplit("/", 1)[-1]
        t = clock.get(e["id"], starts.get(e["id"], 0))
        prev = t
        for node_id, delta in zip(
            profile.get("samples", []), data.get("timeDeltas", []), strict=False
        ):
            t += delta
            if start <= t <= end:
                out[nodes.get((e["id"], node_id), "?")] += (t - prev) / 1000
            prev = t
        clock[e["id"]] = t
    return out


def legs(watch: Stopwatch, server, trace_log: Path, input_ms: float, events: list[dict]) -> dict:
    """The action's legs (ms) from the page's and the server's clocks (one machine, one clock)."""
    page = watch.app.page.evaluate(
        "() => ({sent: __faws.sent, recv: __faws.recv, states: __fa.states})"
    )
    t0 = input_ms / 1000
    done = max(t for t, s in page["states"] if s == "notRunning") / 1000
    sent = [t / 1000 for t, _ in page["sent"] if t / 1000 >= t0]
    recv = [(t / 1000, n) for t, n in page["recv"] if t0 <= t / 1000 <= done]
    server_log = [e for e in _read_jsonl(trace_log) if t0 <= e["t"] <= done]
    handled = [e["t"] for e in server_log if e["dir"] == "in" and e["type"] == "rerun_script"]
    out_msgs = [e for e in server_log if e["dir"] == "out"]
    runs = server.runs_between(t0, done)
    by_element: Counter = Counter()
    count: Counter = Counter()
    for e in out_msgs:
        by_element[e["element"] or e["type"]] += e["bytes"]
        count[e["element"] or e["type"]] += 1
    ms = lambda a, b: round((b - a) * 1000, 1)  # noqa: E731
    row = {"total": ms(t0, done), "bytes out": sum(e["bytes"] for e in out_msgs)}
    row["messages"] = len(out_msgs)
    if sent and handled and runs:
        row |= {
            "input->sent": ms(t0, sent[0]),
            "sent->handled": ms(sent[0], handled[0]),
            "handled->script": ms(handled[0], runs[0].start),
            "script": round(sum(r.seconds for r in runs) * 1000, 1),
            "runs": len(runs),
            "script end->last sent": ms(runs[-1].end, out_msgs[-1]["t"]) if out_msgs else None,
            "last sent->received": ms(out_msgs[-1]["t"], recv[-1][0])
            if recv and out_msgs
            else None,
            "received->drawn": ms(recv[-1][0], done) if recv else None,
        }
    row["bytes by element"] = dict(by_element.most_common(6))
    row["messages by element"] = dict(count.most_common())
    # each delta in the order sent: what it is, where it goes, its size (re-sent blocks show here)
    row["deltas"] = [
        f"{e['element'] or e['type']}{'(' + e['block'] + ')' if e.get('block') else ''}"
        f" @{e['at']} {e['bytes']} B"
        for e in out_msgs
        if "at" in e
    ]
    if events:
        pid, tid, start, end = main_thread(events)
        row["main thread ms"] = {
            k: round(v, 1) for k, v in busy(events, pid, tid, start, end).items()
        }
        row["JS samples ms"] = {
            k: round(v, 1) for k, v in samples_by_file(events, pid, start, end).most_common(8)
        }
    return row


def traced(browser, watch: Stopwatch, server, trace_log: Path, what: str, act) -> dict:
    """Time `act` with Chromium's trace on."""
    browser.start_tracing(page=watch.app.page, categories=CATEGORIES)
    try:
        seen = len(watch._recorded()["inputs"])
        watch.act(act, True, what)
    finally:
        events = json.loads(browser.stop_tracing())
    events = events["traceEvents"] if isinstance(events, dict) else events
    input_ms = watch._recorded()["inputs"][seen:][-1]
    return {"action": what} | legs(watch, server, trace_log, input_ms, events)


def slider_moves(browser, watch: Stopwatch, server, trace_log: Path, moves: int) -> list[dict]:
    """Arrow-key moves of the "Threshold" slider on the page already open."""
    page = watch.app.page
    thumb = page.locator("[data-testid='stSlider']", has_text="Threshold").get_by_role("slider")
    rows = []
    for i in range(moves):
        thumb.first.focus()
        key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
        press = lambda k=key: page.keyboard.press(k)  # noqa: E731
        rows.append(traced(browser, watch, server, trace_log, "slider move", press))
    return rows


def spike_clicks(browser, watch: Stopwatch, server, trace_log: Path, clicks: int) -> list[dict]:
    """Home -> the i-th worst creator -> a click on its first suspicious spike (traced)."""
    page = watch.app.page
    rows = []
    for i in range(clicks):
        watch.load("")
        links = page.locator(journeys.PAGE_LINK, has_text="quality")
        with watch.app.rerun("open a creator"):
            links.nth(i % links.count()).click()  # Home lists ~8 creators: go round
        band = page.locator(f"{journeys.SPIKE_BAND}[aria-label*='suspicious']").first
        box = band.bounding_box()
        click = lambda x=box["x"] + box["width"] / 2, y=box["y"] + 4: page.mouse.click(x, y)  # noqa: E731
        rows.append(traced(browser, watch, server, trace_log, "spike click", click))
    return rows


def first_view(browser, context, server, trace_log: Path, path: str) -> dict:
    """A new tab on `path`: navigation timing, websocket and server legs, main-thread time."""
    page = context.new_page()
    try:
        watch = Stopwatch(AppTab(page, server.url, journeys.RUN_TIMEOUT_S, None), server)
        browser.start_tracing(page=page, categories=CATEGORIES)
        try:
            watch.app.open(path)
        finally:
            events = json.loads(browser.stop_tracing())
        events = events["traceEvents"] if isinstance(events, dict) else events
        rec = page.evaluate(
            """() => { const n = performance.getEntriesByType("navigation")[0];
            return {origin: performance.timeOrigin, nav: n.toJSON(), sent: __faws.sent,
                    recv: __faws.recv, states: __fa.states,
                    paints: performance.getEntriesByType("paint").map(p => [p.name, p.startTime]),
                    resources: performance.getEntriesByType("resource").map(
                        r => [r.name.replace(location.origin, ""), r.transferSize, r.startTime,
                              r.responseEnd])}; }"""
        )
    finally:
        page.close()
    origin = rec["origin"]
    done = max(t for t, s in rec["states"] if s == "notRunning")
    runs = server.runs_between(origin / 1000, done / 1000)
    nav = rec["nav"]
    at = lambda t: round(t - origin, 1)  # noqa: E731
    row = {
        "action": f"first view {path or 'Home'}",
        "total": at(done),
        "html received": round(nav["responseEnd"], 1),
        "DOMContentLoaded": round(nav["domContentLoadedEventEnd"], 1),
        "load": round(nav["loadEventEnd"], 1),
        "resources": len(rec["resources"]),
        "resources fetched (not cached)": sum(1 for _, size, *_ in rec["resources"] if size),
        # the frontend's pings: <page>/_stcore/health (404 but on Home), 100 ms, then the root
        "stcore fetches (start, end)": [
            [name, round(start, 1), round(end, 1)]
            for name, _, start, end in rec["resources"]
            if "/_stcore/" in name
        ],
        "last resource": round(max((end for *_, end in rec["resources"]), default=0), 1),
        "paints": {name: round(t, 1) for name, t in rec["paints"]},
        "ws first sent": at(rec["sent"][0][0]) if rec["sent"] else None,
        "ws first received": at(rec["recv"][0][0]) if rec["recv"] else None,
        "ws last received": at(rec["recv"][-1][0]) if rec["recv"] else None,
        "messages": len(rec["recv"]),
        "script start": at(runs[0].start * 1000) if runs else None,
        "script": round(sum(r.seconds for r in runs) * 1000, 1),
    }
    main = [e for e in events if e.get("name") == "fa-done"]
    if main:
        pid, tid = main[-1]["pid"], main[-1]["tid"]
        start = min(e["ts"] for e in events if e.get("pid") == pid and e.get("ts"))
        end = main[-1]["ts"]
        row["main thread ms"] = {
            k: round(v, 1) for k, v in busy(events, pid, tid, start, end).items()
        }
        row["JS samples ms"] = {
            k: round(v, 1) for k, v in samples_by_file(events, pid, start, end).most_common(10)
        }
    return row


def run(workspace: Path, moves: int, clicks: int, app: str, views: list[str] = ()) -> list[dict]:
    """Trace `moves` slider moves (the lab, or a floor app's Slider page) and `clicks` spike
    clicks."""
    with served(workspace, script=app, launcher=LAUNCHER) as server, sync_playwright() as pw:
        trace_log = server.run_log.with_name("trace.jsonl")
        with journeys.session(pw, server) as tabs:
            context = tabs.context
            browser = context.browser  # Chromium's tracing is per browser
            context.add_init_script(SOCKET_RECORDER)
            page = context.new_page()
            page.set_default_timeout(journeys.ACTION_TIMEOUT_MS)
            watch = Stopwatch(AppTab(page, server.url, journeys.RUN_TIMEOUT_S, None), server)
            watch.load("Threshold_Lab" if app == "app.py" else "Slider")
            viewed = [first_view(browser, context, server, trace_log, p) for p in views]
            rows = slider_moves(browser, watch, server, trace_log, moves)
            return viewed + rows + spike_clicks(browser, watch, server, trace_log, clicks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", nargs="?", default="workspaces/sample.duckdb", type=Path)
    parser.add_argument("--moves", type=int, default=5)
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--app", default="app.py")
    parser.add_argument("--views", nargs="*", default=[], help="paths to open in new tabs")
    args = parser.parse_args(argv)
    for row in run(args.workspace, args.moves, args.clicks, args.app, args.views):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
