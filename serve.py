"""The app served with its caches warmed at start: `followaudit serve` (and `make run`) runs
`streamlit run serve.py`. app.py stays the app; this wraps it in an `st.App` whose lifespan
(Streamlit's startup hook) imports the pages' modules before the server listens and then warms
the process-wide caches on a background thread while the server answers
(followaudit/ui/warm.py); its middleware tells the warm-up when a page is loading.
"""

from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware  # Streamlit's web framework (st.App is Starlette's)


@asynccontextmanager
async def lifespan(app):
    """Import and start warming before serving; stop warming at shutdown."""
    # imported here, once the runtime runs: cached functions then meet the real cache storage
    from followaudit.ui import warm

    stop = warm.start()
    try:
        yield
    finally:
        stop.set()


class Visits:
    """ASGI middleware: every request and new session passes through `warm.visit`."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":  # before the lifespan has imported the app
            await self.app(scope, receive, send)
            return
        from followaudit.ui import warm  # imported by the lifespan before the server listens

        await warm.visit(self.app, scope, receive, send)


app = st.App(Path(__file__).with_name("app.py"), lifespan=lifespan, middleware=[Middleware(Visits)])
