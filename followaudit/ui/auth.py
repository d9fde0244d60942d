"""Who is using the app, where the deployment says so: Streamlit's OIDC login.

When `.streamlit/secrets.toml` has an `[auth]` section, every page asks for a login first
(`st.login`) and the reviewer name written with labels, annotations and policies is the identity
the provider vouches for (`st.user`), not a name typed in the sidebar. Without `[auth]` the app
trusts whoever reaches it: run it on 127.0.0.1 (`make run` does) or behind an authenticating proxy.
"""

from __future__ import annotations

import streamlit as st


def configured() -> bool:
    """Whether the deployment configured a login provider (`[auth]` in the secrets)."""
    return bool(st.secrets.load_if_toml_exists() and st.secrets.get("auth"))


def require_login() -> None:
    """Where login is configured: stop the page with a login button until the user logs in."""
    if not configured():
        return
    if not st.user.is_logged_in:
        st.title("Follower Audit")
        st.info("Log in to see this workspace; labels and policies are saved under your name.")
        st.button("Log in", key="auth_login", on_click=st.login, type="primary")
        st.stop()
    with st.sidebar:
        st.button("Log out", key="auth_logout", on_click=st.logout)


def identity() -> str | None:
    """The logged-in user's name (or e-mail) when login is configured, else None."""
    if not configured() or not st.user.is_logged_in:
        return None
    return str(st.user.get("name") or st.user.get("email") or "").strip() or None
