"""Start the app for the browser tests with its workspaces folder in a temporary directory.

`python tests/e2e/serve_app.py <workspaces dir> run app.py ...`: uploads (Data page) and workspaces
built from the app land under <workspaces dir>, never in the project's workspaces/, as in the page
tests; then Streamlit's own command line takes over, in this process.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.web import cli

from followaudit.ui import data as ui_data
from followaudit.ui import session as ui_session


def main() -> None:
    """Point the app's writable folders at argv[1], then run `streamlit <argv[2:]>`."""
    workspaces = Path(sys.argv[1]).resolve()
    ui_session.WORKSPACES_DIR = workspaces
    ui_data.UPLOADS_DIR = workspaces / "uploads"
    sys.argv = ["streamlit", *sys.argv[2:]]
    cli.main()


if __name__ == "__main__":
    main()
