"""Streamlit helpers for the Policies page: saved versions, the active policy, compare, export."""

from __future__ import annotations

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.decide.policy import Policy, PolicyError, presets
from followaudit.decide.report import compare, report_csv, report_html, snapshot
from followaudit.ui.lab import download_path_name, lab_for, load_choice, policy_store


def versions_frame() -> pl.DataFrame:
    """Saved versions with the active policy marked."""
    store = policy_store()
    active = store.active_name()
    rows = [
        (v.name, v.version, v.name == active, v.author, v.created_at, v.note) for v in store.list()
    ]
    schema = ["policy", "version", "active", "author", "saved at", "note"]
    return pl.DataFrame(rows, schema=schema, orient="row")


def active_picker() -> None:
    """Choose the active policy (used for build-time flags elsewhere and as the lab's start)."""
    store = policy_store()
    names = store.names() + [n for n in presets() if n not in store.names()]
    current = store.active_name()
    left, right = st.columns([3, 1])
    name = left.selectbox(
        "Active policy",
        names,
        index=names.index(current) if current in names else 0,
        key="pol_active",
    )
    if right.button("Set active", key="pol_set_active"):
        try:
            store.set_active(name)
        except PolicyError as exc:
            st.error(str(exc))
            return
        st.success(f"**{name}** is now the active policy.")


def compare_section(a_choice: str, b_choice: str):
    """Metric deltas, accounts that flip and creators whose impact changes; returns the comparison."""
    try:
        pol_a, pol_b = load_choice(a_choice), load_choice(b_choice)
    except PolicyError as exc:
        st.error(str(exc))
        return None
    comparison = compare(lab_for(pol_a), pol_a, lab_for(pol_b), pol_b)
    st.dataframe(comparison.deltas, hide_index=True)
    st.markdown(f"**{comparison.flip_count:,} accounts change flag** from A to B")
    flips = comparison.flips.with_columns(
        pl.col("account_id").map_elements(ui.account_url, return_dtype=pl.String).alias("link")
    )
    st.dataframe(
        flips,
        hide_index=True,
        key="pol_flips",
        column_config={"link": st.column_config.LinkColumn("open", display_text="explain")},
    )
    st.markdown(
        f"**{comparison.creators.height:,} creators** whose lost share changes by ≥ 1 point"
    )
    st.dataframe(comparison.creators, hide_index=True)
    return pol_a, pol_b, comparison


def export_buttons(policy: Policy, comparison) -> None:
    """Download the policy report as CSV and as a one-page HTML summary."""
    lab = lab_for(policy)
    snap = snapshot(lab, policy)
    names = ui.run("policy/creator_names") if ui.has_table("creator_quality") else None
    left, right = st.columns(2)
    left.download_button(
        "Report CSV",
        report_csv(policy, snap, comparison),
        file_name=download_path_name(policy, "csv"),
        mime="text/csv",
        key="pol_export_csv",
    )
    right.download_button(
        "Report HTML (one page, charts included)",
        report_html(policy, lab, snap, comparison, names),
        file_name=download_path_name(policy, "html"),
        mime="text/html",
        key="pol_export_html",
    )
