"""Policies as the analyst picks, edits, saves, activates, compares and exports them.

The versioned store beside the workspace, the policy under edit (one per session, shared by the
Threshold lab and the Policies page), the save form, and the Policies page's sections. The lab
itself (what it shows at a threshold) is `ui/lab.py`; every number comes from the decision
layer (`ui.lab_for` / `ui.decisions`).
"""

from __future__ import annotations

from functools import partial

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.decide.lab import Lab, snapshot
from followaudit.decide.policy import Policy, PolicyError, presets, to_toml
from followaudit.decide.policy_store import PolicyStore
from followaudit.decide.report import Comparison, compare, report_csv, report_html
from followaudit.ui.tables import count_column, number_column
from followaudit.ui.text import plain

EDIT_KEY = "lab_policy"  # the policy being edited in the lab, shared with the Policies page
UNSAVED = "lab settings (unsaved)"
_SAVED = "lab_saved_message"


def policy_store() -> PolicyStore:
    """The versioned policy store beside the current workspace."""
    return PolicyStore(ui.current_workspace().sidecar)


# --- choosing and editing policies ------------------------------------------------------------


def policy_choices() -> list[str]:
    """Saved versions ('name v3') newest first, then presets by name."""
    saved = [f"{v.name} v{v.version}" for v in policy_store().list()]
    return saved + [n for n in presets() if n not in policy_store().names()]


def load_choice(choice: str) -> Policy:
    """A choice from `policy_choices` (or the lab's unsaved settings) as a Policy."""
    if choice == UNSAVED:
        return editing_policy()
    name, _, version = choice.partition(" v")
    return policy_store().load(name, int(version) if version else None)


def editing_policy() -> Policy:
    """The policy the lab edits: kept in the session; `?policy=NAME` (a new link) loads NAME."""
    wanted = st.query_params.get("policy")
    current = st.session_state.get(EDIT_KEY)
    if current is None or (wanted and wanted != st.session_state.get("lab_loaded")):
        try:
            current = policy_store().load(wanted) if wanted else policy_store().active()
        except PolicyError as exc:
            st.warning(f"{plain(exc)}. Showing the active policy instead.")
            current = policy_store().active()
        start_editing(current)
        st.session_state["lab_loaded"] = wanted
    return current


def start_editing(policy: Policy) -> None:
    """Load `policy` into the lab and reset its widgets to the policy's values."""
    keep = ("lab_loaded", "lab_cost_fp", "lab_cost_fn", _SAVED)
    for key in [k for k in st.session_state if str(k).startswith("lab_") and k not in keep]:
        del st.session_state[key]
    st.session_state[EDIT_KEY] = policy


def set_editing(policy: Policy) -> None:
    """Replace the lab's policy after a widget change (widgets keep their own values)."""
    st.session_state[EDIT_KEY] = policy


def show_saved() -> None:
    """The outcome of a save, shown once on the rerun that follows it."""
    saved = st.session_state.pop(_SAVED, None)
    if saved:
        st.success(saved)


def editing_label(policy: Policy) -> str:
    """'name v3', with '(changed, not saved)' once the lab's settings differ from that version."""
    if not policy.version:
        return f"{policy.name} (not saved)"
    try:
        saved = policy_store().load(policy.name, policy.version)
    except PolicyError:
        return f"{policy.label} (changed, not saved)"
    same = to_toml(saved) == to_toml(policy)
    return policy.label if same else f"{policy.label} (changed, not saved)"


def save_form(policy: Policy, key: str) -> Policy | None:
    """Name + note + Save; a save lands as a new version, then the page reruns so every
    header names the saved policy and version. Incoherent tiers are refused with the reason."""
    with st.form(f"{key}_form"):
        name = st.text_input("Policy name", value=policy.name, key=f"{key}_name", max_chars=64)
        note = st.text_input("Note (why this policy)", key=f"{key}_note", max_chars=500)
        if not st.form_submit_button("Save as new version", type="primary"):
            return None
    try:
        saved = policy_store().save(
            policy.with_changes(name=name.strip()), author=ui.reviewer_name(), note=note
        )
    except PolicyError as exc:
        st.error(f"Not saved: {plain(exc)}")
        return None
    start_editing(saved)
    st.session_state["lab_loaded"] = saved.name
    st.query_params["policy"] = saved.name
    st.session_state[_SAVED] = f"Saved **{plain(saved.name)}** version {saved.version}."
    st.rerun()
    return saved


def download_path_name(policy: Policy, ext: str) -> str:
    """A file name for exports."""
    return f"policy_{policy.name}_v{policy.version}.{ext}"


# --- the Policies page ----------------------------------------------------------------------------


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
    """Choose the active policy: the one Home, exports, the review queue and `decide` use."""
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
            st.error(plain(exc))
            return
        st.success(f"**{plain(name)}** is now the active policy.")


def compare_section(a_choice: str, b_choice: str):
    """Measure deltas, accounts that flip and creators whose impact changes; returns them."""
    try:
        pol_a, pol_b = load_choice(a_choice), load_choice(b_choice)
    except PolicyError as exc:
        st.error(plain(exc))
        return None
    names = (choice_label(a_choice, pol_a), choice_label(b_choice, pol_b))
    comparison = compare(ui.lab_for(pol_a), pol_a, ui.lab_for(pol_b), pol_b, names)
    a, b = comparison.a, comparison.b
    ui.table(
        comparison.deltas,
        hide_index=True,
        column_config={
            "measure": "Measure",
            "a": number_column(f"A: {a}", 4),
            "b": number_column(f"B: {b}", 4),
            "delta": number_column("Change (B − A)", 4),
        },
    )
    st.markdown(
        f"**{comparison.flip_count:,} accounts change flag** from A ({plain(a)}) to B ({plain(b)})"
    )
    if comparison.flip_count:
        flips_table(comparison)
    else:
        st.caption("A and B flag exactly the same accounts.")
    if not ui.capabilities().has_follows:
        ui.note_missing("audience")
        return pol_a, pol_b, comparison
    st.markdown(
        f"**{comparison.creators.height:,} creators** whose lost share changes by ≥ 1 point"
    )
    if comparison.creators.height:
        creators_table(comparison)
    return pol_a, pol_b, comparison


def choice_label(choice: str, policy: Policy) -> str:
    """How the page and the report name a compared policy."""
    return f"{policy.name}, lab settings (unsaved)" if choice == UNSAVED else choice


def flips_table(comparison: Comparison) -> None:
    """Accounts whose flag differs, with usernames beside their ids and links."""
    flips = comparison.flips
    names = ui.run("policy/usernames", ids=flips["account_id"].to_list())
    flips = flips.join(names, on="account_id", how="left", maintain_order="left").with_columns(
        pl.col("account_id").map_elements(ui.account_url, return_dtype=pl.String).alias("link")
    )
    shown = ["username", "account_id", "score", "risk_a", "risk_b", "flagged_a", "flagged_b"]
    ui.table(
        flips.select(*shown, "rule_hits_b", "link"),
        hide_index=True,
        key="pol_flips",
        column_config={
            "username": "Account",
            "account_id": "Account id",
            "score": number_column("Model score", 4),
            "risk_a": number_column("Risk under A", 4),
            "risk_b": number_column("Risk under B", 4),
            "flagged_a": "Flagged by A",
            "flagged_b": "Flagged by B",
            "rule_hits_b": "Rules broken (B)",
            "link": st.column_config.LinkColumn("Open", display_text="explain"),
        },
    )


def creators_table(comparison: Comparison) -> None:
    """Creators whose share of followers lost changes, with their usernames."""
    creators = comparison.creators
    names = ui.run("policy/usernames", ids=creators["creator_id"].to_list())
    creators = creators.join(
        names, left_on="creator_id", right_on="account_id", how="left", maintain_order="left"
    )
    ui.table(
        creators.select("username", "creator_id", "followers", "lost_pct_a", "lost_pct_b", "change_pts"),
        hide_index=True,
        column_config={
            "username": "Creator",
            "creator_id": "Creator id",
            "followers": count_column("Current followers"),
            "lost_pct_a": number_column("Lost under A (%)", 1),
            "lost_pct_b": number_column("Lost under B (%)", 1),
            "change_pts": number_column("Change (points)", 1),
        },
    )  # fmt: skip


def export_buttons(policy: Policy, comparison: Comparison) -> None:
    """Download the policy report (A, compared with B) as CSV and as a one-page HTML summary.

    Both are written when clicked (~80 ms at 1M accounts that every view of the page paid), from
    values read here: the callables run outside the script run, without its session."""
    lab = ui.lab_for(policy)
    names = ui.run("policy/creator_names") if ui.has_table("creator_quality") else None
    left, right = st.columns(2)
    left.download_button(
        "Report CSV",
        partial(_report_csv, policy, lab, comparison),
        file_name=download_path_name(policy, "csv"),
        mime="text/csv",
        key="pol_export_csv",
    )
    right.download_button(
        "Report HTML (one page, charts included)",
        partial(_report_html, policy, lab, comparison, names),
        file_name=download_path_name(policy, "html"),
        mime="text/html",
        key="pol_export_html",
    )


def _report_csv(policy: Policy, lab: Lab, comparison: Comparison) -> bytes:
    """The report's CSV, written on click."""
    return report_csv(policy, snapshot(lab, policy), comparison)


def _report_html(policy: Policy, lab: Lab, comparison: Comparison, names) -> str:
    """The report's one-page HTML, written on click."""
    return report_html(policy, lab, snapshot(lab, policy), comparison, names)
