"""serve_timed.py, plus one JSON line per websocket message in trace.jsonl beside the run log.

`{"t", "dir": "in", "type"}` when the server handles a BackMsg and `{"t", "dir": "out", "type",
"element", "bytes"}` when it serializes a ForwardMsg for the browser (Unix seconds), plus for a
delta where it goes (`"at"`: its delta path, "0.3.1.2") and for a new block its kind (`"block"`:
flex_container, expandable, ...): with the run log and the page's own clock,
benchmarks/browser_trace.py splits an action's time into its legs and lists what it sent.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import serve_timed  # the launcher beside this file (run as a script, like it)
from streamlit.runtime.app_session import AppSession
from streamlit.web.server.starlette import starlette_websocket as ws


def _element(msg) -> str:
    if msg.WhichOneof("type") != "delta":
        return ""
    delta = msg.delta
    kind = delta.WhichOneof("type")
    if kind == "new_element":
        return delta.new_element.WhichOneof("type")
    return kind or ""


def _where(msg) -> dict:
    """A delta's (or a deduplicated element's ref_hash's) path in the page and, for a new
    block, the block's kind."""
    if msg.WhichOneof("type") not in ("delta", "ref_hash"):
        return {}
    out = {"at": ".".join(str(i) for i in msg.metadata.delta_path)}
    if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "add_block":
        out["block"] = msg.delta.add_block.WhichOneof("type") or ""
    return out


def install(path: Path) -> None:
    """Log handled BackMsgs and serialized ForwardMsgs to `path`."""
    log = path.open("a", buffering=1)
    lock = threading.Lock()

    def write(line: dict) -> None:
        with lock:
            log.write(json.dumps(line) + "\n")

    handle = AppSession.handle_backmsg

    def handle_backmsg(self, msg):
        write({"t": time.time(), "dir": "in", "type": msg.WhichOneof("type")})
        return handle(self, msg)

    serialize = ws.serialize_forward_msg

    def serialize_forward_msg(msg):
        payload = serialize(msg)
        write(
            {
                "t": time.time(),
                "dir": "out",
                "type": msg.WhichOneof("type"),
                "element": _element(msg),
            }
            | {"bytes": len(payload)}
            | _where(msg)
        )
        return payload

    AppSession.handle_backmsg = handle_backmsg
    ws.serialize_forward_msg = serialize_forward_msg


if __name__ == "__main__":
    install(Path(sys.argv[1]).with_name("trace.jsonl"))
    serve_timed.main()
