"""The Streamlit side: the only package that imports streamlit.

How a page uses it (pages stay thin; no SQL or duckdb in pages):

    ws = ui.page_setup("Growth anomalies", ":material/trending_up:")   # config + sidebar
    creator = ui.parse_int_param("creator")       # None when absent or malformed
    df = ui.run("growth/creator_daily", creator_id=creator)  # cached, pseudonymised in demo mode
    ui.account_link(42, "@someone")              # link to Account_Explanation?account=42

`ui.session` holds the session's state and the caches every page shares (`ui.decision_cache`
those of the model and a policy's decisions), and states the one
caching rule (a cache sits beside the code it serves, keyed by what it reads: workspace path +
file version + inputs; it never reads the session); `ui.navigation` the page frame, links and URL
parameters; the other modules are one page area each (`lab`, `policies`, `review`, `data`, ...,
with the caches only they use), plus `charts` / `lab_charts` (pure Altair).
"""

from followaudit.ui.decision_cache import active_policy, decisions, lab_for, model_bundle
from followaudit.ui.navigation import (
    ACCOUNT_PAGE,
    GROWTH_PAGE,
    account_link,
    account_url,
    creator_link,
    creator_url,
    drop_params,
    home_link,
    not_found,
    open_account,
    page_setup,
    param_index,
    parse_int_param,
    review_link,
    route_through_app,
    search_box,
)
from followaudit.ui.session import (
    DEFAULT_WORKSPACE,
    WORKSPACES_DIR,
    cached,
    capabilities,
    current_workspace,
    demo_frame,
    demo_mode,
    demo_toggle,
    has_table,
    note_missing,
    require,
    reviewer_name,
    run,
    set_demo_mode,
    store,
    switch_workspace,
    workspace_meta,
    workspace_path,
)
from followaudit.ui.tables import table
from followaudit.ui.text import ids_as_text, parse_id, plain

__all__ = [
    "route_through_app",
    "ACCOUNT_PAGE",
    "DEFAULT_WORKSPACE",
    "GROWTH_PAGE",
    "WORKSPACES_DIR",
    "account_link",
    "account_url",
    "active_policy",
    "cached",
    "capabilities",
    "creator_link",
    "creator_url",
    "current_workspace",
    "decisions",
    "demo_frame",
    "demo_mode",
    "demo_toggle",
    "drop_params",
    "home_link",
    "has_table",
    "ids_as_text",
    "lab_for",
    "model_bundle",
    "note_missing",
    "not_found",
    "open_account",
    "page_setup",
    "param_index",
    "parse_id",
    "parse_int_param",
    "plain",
    "require",
    "review_link",
    "reviewer_name",
    "run",
    "search_box",
    "set_demo_mode",
    "store",
    "switch_workspace",
    "table",
    "workspace_meta",
    "workspace_path",
]
