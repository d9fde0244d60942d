"""Sections of the Account explanation page: who the account is, its score, rules, peers, label.
(The explanation itself — waterfall, reasons, what-if — is in `ui.explain_view`.)"""

from __future__ import annotations

import streamlit as st

from followaudit import ui
from followaudit.store import analyst as review
from followaudit.ui import session
from followaudit.ui.text import plain, probability

TOP_ACCOUNTS = 5  # highest-scored accounts offered when none is open

PROFILE_FIELDS = [
    ("created_at", "Created"),
    ("follower_count", "Followers"),
    ("following_count", "Following"),
    ("video_count", "Videos"),
    ("region", "Region"),
]


def resolve_account() -> dict | None:
    """The profile row of `?account=ID` or `?username=NAME`; otherwise not-found or a search."""
    raw_id, raw_name = st.query_params.get("account"), st.query_params.get("username")
    account = ui.parse_int_param("account")
    if account is None and raw_name and not raw_id:
        account = account_by_username(raw_name.strip()[:64])
    if account is not None:
        profile = ui.run("explorer/account_profile", account_id=account)
        if profile.height:
            return profile.row(0, named=True)
    if raw_id or raw_name:
        ui.not_found("account", raw_id or raw_name)
    else:
        where = "a spike's follower table" if ui.capabilities().has_follows else "Home"
        st.info(f"Open an account from {where} or the Review queue, or search for one.")
        ui.search_box("account", key="acct_search")
        st.markdown("**Highest-scored accounts**")
        for row in ui.run("explorer/top_accounts", limit=TOP_ACCOUNTS).iter_rows(named=True):
            label = f"@{plain(row['username'])} · P(fake) {probability(row['score'])}"
            ui.account_link(row["account_id"], label)
    return None


def account_by_username(name: str) -> int | None:
    """The account with this username; in demo mode, with this pseudonym (a real name misses)."""
    if ui.demo_mode():
        hit = session.pseudonym_matches(name, exact=True)["id"]
    else:
        hit = ui.run("explorer/account_by_username", username=name)["account_id"]
    return int(hit[0]) if len(hit) else None


def profile_card(profile: dict, follows_in_data: float | None = None) -> None:
    """Username, picture/bio flags and the main counts of one account; the follow log's count
    beside the profile's own following count, so "6 follows" never reads as "following 6"."""
    flags = [
        "profile picture" if profile.get("has_profile_pic") else "no profile picture",
        "verified" if profile.get("is_verified") else None,
        "private" if profile.get("is_private") else None,
        f"bio: “{plain(profile['bio'], limit=80)}”" if profile.get("bio") else "no bio",
    ]
    shown = plain(profile.get("display_name") or "")
    st.subheader(f"@{plain(profile['username'])}  {shown}")
    st.caption(" · ".join(f for f in flags if f) + f" · id {profile['account_id']}")
    present = [(k, label) for k, label in PROFILE_FIELDS if profile.get(k) is not None]
    for col, (key, label) in zip(st.columns(len(present) or 1), present, strict=False):
        value = profile[key]
        col.metric(label, f"{value:,}" if isinstance(value, int) else plain(str(value)[:10]))
        if key == "following_count" and follows_in_data is not None:
            col.caption(f"{follows_in_data:,.0f} follows in this data's follow log")


def policy_decision(account_id: int) -> dict | None:
    """The account's decision under the active policy (score, risk, flagged, tier, rule hits)."""
    return ui.decisions().account(account_id)


def score_block(decision: dict | None, profile: dict) -> None:
    """Calibrated score and tier under the active policy."""
    pol = ui.active_policy()
    cols = st.columns(3)
    score = decision["score"] if decision else profile.get("score")
    cols[0].metric("Calibrated P(fake)", probability(score))
    cols[1].metric("Tier (active policy)", decision["tier"] if decision else "n/a")
    cols[2].metric(
        "Risk (score with rule odds)",
        f"{decision['risk']:.1%}" if decision else "n/a",
        help="The model's probability with the odds multiplied by each rule the account breaks",
    )
    st.caption(
        f"Policy **{plain(pol.name)}** v{pol.version}. Scores are calibrated: of 100 accounts at 80 %, "
        "about 80 are fake."
    )


def rules_broken(decision: dict | None) -> None:
    """The rules of the active policy the account breaks, beside the model's reasons."""
    st.markdown("**Rules of the active policy it breaks**")
    hits = (decision or {}).get("rule_hits") or ""
    st.markdown("\n".join(f"- {plain(h)}" for h in hits.split("; ") if h) or "None.")


def peers(account_id: int) -> None:
    """Creation-cohort and lockstep peers (from the same spikes) as links."""
    found = ui.run("explorer/account_peers", account_id=account_id, limit=12)
    if found.is_empty():
        st.caption("No cohort or lockstep peers among the followers of its spikes.")
        return
    for row in found.iter_rows(named=True):
        why = []
        if row["same_hour_spikes"]:
            why.append(f"created in the same hour ({row['same_hour_spikes']} spike(s))")
        if row["lockstep_spikes"]:
            why.append(f"followed within 10 min ({row['lockstep_spikes']} spike(s))")
        score = "" if row["score"] is None else f" · P(fake) {probability(row['score'])}"
        ui.account_link(row["account_id"], f"@{plain(row['username'])}{score} · {', '.join(why)}")


def label_form(account_id: int) -> None:
    """Label the account fake or genuine with a note (stored as a review label).

    The conflict check compares with the label the analyst was *shown* when pressing Save: the
    run that drew the form remembers it, because the run the press starts re-reads the store and
    would otherwise see (and silently overwrite) a label written in between.
    """
    store = ui.store()
    current = store.current_label(account_id)
    shown_key = f"acct_shown_label_{account_id}"
    seen = st.session_state.get(shown_key, current["label_id"] if current else None)
    st.session_state[shown_key] = current["label_id"] if current else None
    if current:
        st.success(
            f"Labelled **{current['label']}** by {plain(current['reviewer'])} at "
            f"{current['created_at']}" + (f": {plain(current['note'])}" if current["note"] else "")
        )
    with st.form(f"acct_label_form_{account_id}", clear_on_submit=True):
        # no default: a label is a decision, never a click-through
        label = st.radio(
            "Label", ["fake", "genuine"], index=None, horizontal=True, key="acct_label"
        )
        note = st.text_input("Note", key="acct_note", max_chars=500)
        if not st.form_submit_button("Save label"):
            return
    if label is None:
        st.warning("Choose fake or genuine before saving.")
        return
    try:
        store.add_label(account_id, label, note, ui.reviewer_name(), seen_id=seen)
    except review.LabelConflict as exc:
        st.warning(
            f"Not saved: {plain(exc)}. Their label is shown above; save again to replace it."
        )
        return
    except review.ReviewError as exc:
        st.error(plain(exc))
        return
    st.rerun()
