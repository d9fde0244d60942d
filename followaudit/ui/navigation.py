"""Page frame, links between pages and URL parameters (deep links an analyst can paste)."""

from __future__ import annotations

import re

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError
from streamlit.runtime.pages_manager import PagesManager

from followaudit.store.capabilities import Capabilities
from followaudit.store.workspace import Workspace
from followaudit.ui import auth, demo
from followaudit.ui.session import (
    current_workspace,
    demo_mode,
    demo_toggle,
    pseudonym_matches,
    reviewer_input,
    run,
    workspace_meta,
)
from followaudit.ui.text import parse_id, plain

HOME_PAGE = "pages/0_Home.py"
ACCOUNT_PAGE = "pages/2_Account_Explanation.py"
GROWTH_PAGE = "pages/1_Growth_Anomalies.py"
REVIEW_PAGE = "pages/6_Review_Queue.py"
# the sidebar, in order: (file, title, icon); app.py registers them with st.navigation
PAGES = [
    (HOME_PAGE, "Home", ":material/home:"),
    (GROWTH_PAGE, "Growth anomalies", ":material/trending_up:"),
    (ACCOUNT_PAGE, "Account explanation", ":material/person_search:"),
    ("pages/3_Global_Explanations.py", "Global explanations", ":material/insights:"),
    ("pages/4_Threshold_Lab.py", "Threshold lab", ":material/tune:"),
    ("pages/5_Policies.py", "Policies", ":material/policy:"),
    (REVIEW_PAGE, "Review queue", ":material/fact_check:"),
    ("pages/7_Data.py", "Data", ":material/database:"),
    ("pages/8_Attack_Sandbox.py", "Attack sandbox", ":material/science:"),
]
# pages that work only with some data, and the feature (store.capabilities) each needs
PAGE_NEEDS = {GROWTH_PAGE: "growth", "pages/8_Attack_Sandbox.py": "sandbox"}


def sidebar_pages(caps: Capabilities | None) -> list[tuple[str, str, str]]:
    """The pages the workspace's data supports, in sidebar order (every page while none opens:
    each then says why)."""
    return [
        page
        for page in PAGES
        if caps is None or page[0] not in PAGE_NEEDS or caps.supports(PAGE_NEEDS[page[0]])
    ]


def route_through_app() -> None:
    """Make this run go through app.py's st.navigation if Streamlit started it the v1 way."""
    # With a pages/ folder, a fresh server serves runs the v1 way (each file on its own, every
    # file in the sidebar, "app" first) until some run calls st.navigation. The first visitor
    # would see pages the data cannot support; flip to navigation and rerun this very page.
    # Only a session's first run reruns: a later one (AppTest resets the flag every run) would
    # lose the click that started it, and its app.py calls st.navigation anyway.
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if not st.session_state:
            st.rerun()


def page_setup(title: str, icon: str) -> Workspace:
    """Configure the page, draw the sidebar (workspace, model, demo badge); return the workspace."""
    route_through_app()
    st.set_page_config(page_title=f"{title} · Follower Audit", page_icon=icon, layout="wide")
    auth.require_login()
    ws = current_workspace()
    if demo_mode() and st.query_params.get("demo") != "1":
        st.query_params["demo"] = "1"
    meta = workspace_meta()
    with st.sidebar:
        st.caption(f"Workspace **{plain(ws.path.name)}**")
        source = meta.get("model_source", "unknown")
        model = {"trained": "trained on its labels", "default": "shipped default (no labels)"}
        st.caption(f"Model: **{plain(model.get(source, source))}**")
        if meta.get("built_at"):
            st.caption(f"Built {plain(meta['built_at'])}")
        reviewer_input()
        demo_toggle()
        if demo_mode():
            st.badge(
                "Demo mode: names pseudonymised", icon=":material/visibility_off:", color="orange"
            )
    return ws


def _carry() -> dict[str, str]:
    """URL parameters every link keeps, so a new tab shows the same workspace and mode."""
    keep = {}
    if st.query_params.get("ws"):
        keep["ws"] = st.query_params["ws"]
    if demo_mode():
        keep["demo"] = "1"
    return keep


def account_url(account_id: int) -> str:
    """A relative URL to an account's explanation (for LinkColumn cells)."""
    extra = "".join(f"&{k}={v}" for k, v in _carry().items())
    return f"Account_Explanation?account={int(account_id)}{extra}"


def creator_url(creator_id: int) -> str:
    """A relative URL to a creator's growth page (for LinkColumn cells)."""
    extra = "".join(f"&{k}={v}" for k, v in _carry().items())
    return f"Growth_Anomalies?creator={int(creator_id)}{extra}"


def _link(page: str, url: str, label: str, icon: str, params: dict[str, str]) -> None:
    """A page link; a markdown link where the page is not registered (e.g. a one-file test)."""
    try:
        st.page_link(page, label=label, icon=icon, query_params=params)
    except StreamlitPageNotFoundError:
        st.markdown(f"[{label}]({url})")  # label: Markdown made safe by the caller


def home_link(label: str) -> None:
    """A link to Home (keeping the workspace and demo mode)."""
    _link(HOME_PAGE, "./", label, ":material/home:", _carry())


def review_link(label: str) -> None:
    """A link to the Review queue (keeping the workspace and demo mode)."""
    _link(REVIEW_PAGE, "Review_Queue", label, ":material/fact_check:", _carry())


def account_link(account_id: int, label: str | None = None) -> None:
    """A link to `Account_Explanation?account=ID`."""
    params = {"account": str(int(account_id)), **_carry()}
    label = label or f"Account {account_id}"
    _link(ACCOUNT_PAGE, account_url(account_id), label, ":material/person_search:", params)


def creator_link(creator_id: int, label: str | None = None, spike: int | None = None) -> None:
    """A link to `Growth_Anomalies?creator=ID` (optionally with `&spike=ID` open)."""
    params = {"creator": str(int(creator_id)), **_carry()}
    url = creator_url(creator_id)
    if spike is not None:
        params["spike"] = str(int(spike))
        url += f"&spike={int(spike)}"
    label = label or f"Creator {creator_id}"
    _link(GROWTH_PAGE, url, label, ":material/trending_up:", params)


def open_account(account_id: int) -> None:
    """Switch to an account's explanation (e.g. after a table row is selected)."""
    st.switch_page(ACCOUNT_PAGE, query_params={"account": str(int(account_id)), **_carry()})


def parse_int_param(name: str) -> int | None:
    """The URL parameter `name` as a 64-bit id (up to 19 digits); absent or malformed gives None."""
    return parse_id(st.query_params.get(name))


def param_index(name: str, options: list[str], default: int) -> int:
    """Index of `?name=` among `options` (a selectbox's start); unknown values give `default`."""
    value = st.query_params.get(name)
    return options.index(value) if value in options else min(default, max(len(options) - 1, 0))


def drop_params(*names: str) -> None:
    """Remove URL parameters (keeping shared ones such as `ws` and `demo`)."""
    for name in names:
        if name in st.query_params:
            del st.query_params[name]


def not_found(what: str, value: object, search: bool = True) -> None:
    """A friendly 'not found' (with a search box unless the page has its own), never a traceback."""
    st.warning(f"No {what} matches “{plain(value, limit=60)}”. Search by username instead:")
    if search:
        search_box(what, key=f"nf_{re.sub(r'[^a-z]', '_', what.lower())}")


def search_box(what: str, key: str) -> None:
    """Username search that lists matching accounts (or creators) as links."""
    text = st.text_input(f"Search {what}s by username", key=key, max_chars=64)
    if not text:
        return
    creators = "creator" in what.lower()
    hits = _username_search(text.strip(), creators, limit=20)
    if hits.is_empty():
        st.info(f"No {what} has a username containing “{plain(text, limit=64)}”.")
    for row in hits.iter_rows(named=True):
        label = f"@{plain(row['username'])} · id {row['id']}"
        (creator_link if creators else account_link)(row["id"], label)


def _username_search(text: str, creators: bool, limit: int):
    """Accounts (or creators) whose username contains `text`: id, username. In demo mode the
    search runs on pseudonyms, so a real name finds nothing."""
    name = "explorer/search_creators" if creators else "explorer/search_accounts"
    if not demo_mode():
        return run(name, pattern=text, limit=limit)
    if creators:  # creators are few: pseudonymise them all (run does) and filter
        return demo.matching(run(name, pattern="", limit=10**9), text).head(limit)
    return pseudonym_matches(text).head(limit)
