"""The app served with its caches warmed at start: `followaudit serve` (and `make run`) runs
`streamlit run serve.py`. app.py stays the app; this wraps it in an `st.App` whose lifespan
(Streamlit's startup hook) warms the process-wide caches on a background thread
(followaudit/ui/warm.py) while the server already answers.
"""

import threading
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st


def _warm(stop: threading.Event) -> None:
    # imported here, once the runtime runs: cached functions then meet the real cache storage
    from followaudit.ui import warm

    warm.run(stop)


@asynccontextmanager
async def lifespan(app):
    """Start warming, serve, and stop warming at shutdown."""
    stop = threading.Event()
    threading.Thread(target=_warm, args=(stop,), name="followaudit-warm-up", daemon=True).start()
    try:
        yield
    finally:
        stop.set()


app = st.App(Path(__file__).with_name("app.py"), lifespan=lifespan)
