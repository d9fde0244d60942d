"""Streamlit helpers for the Review queue page: the queue, the account card, label buttons."""

from __future__ import annotations

import uuid

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.decide.adaptation import training_prior
from followaudit.decide.policy import Policy, from_toml, to_toml
from followaudit.decide.review_queue import review_queue
from followaudit.detect import explain
from followaudit.store.analyst import LEASE_SECONDS, LabelConflict
from followaudit.ui import decision_cache, explain_view, session
from followaudit.ui.account import account_by_username
from followaudit.ui.text import day_span, plain

SHORTCUTS = {"fake": "F", "genuine": "G", "unsure": "U"}
QUEUE_SIZE = 200
_SKIPPED = "rev_skipped"
_MESSAGE = "rev_message"
_SESSION = "rev_session"  # this browser session's name in the analyst store's leases


@st.cache_data(show_spinner=False, max_entries=64)
def _queue(
    path: str,
    version: str,
    policy_toml: str,
    order: str,
    key: tuple,
    n_labels: int,
    label_events: int,
    prior: float | None,
):
    d = decision_cache.decisions_at(path, version, from_toml(policy_toml))
    only = _restriction(session.workspace_at(path), *key)
    # the teaching order learns from the labels so far (label_events keys relabels too)
    reviewed = session.store_at(path).current_labels() if order == "teach" else None
    limit = QUEUE_SIZE + n_labels
    queue = review_queue(d.risk_frame(), d.threshold, order, limit, only, reviewed, prior)
    queue = queue.with_columns(d.rule_hits_of(queue["account_id"]).alias("rule_hits"))
    return queue.select("account_id", "score", "risk", "rule_hits", "distance"), d.threshold


def _restriction(ws, creator: int | None, spike: int | None) -> pl.DataFrame | None:
    if spike is not None and ws.has_table("spike_followers"):
        return ws.query("policy/spike_accounts", spike_id=spike)
    if creator is not None:
        return ws.query("policy/creator_followers", creator_id=creator)
    return None


def queue(policy: Policy, order: str, creator: int | None, spike: int | None, redo: bool):
    """The next accounts to review (reviewed and skipped ones left out unless `redo`)."""
    ws = ui.current_workspace()
    labels = ui.store().current_labels()
    bundle = ui.model_bundle()
    prior = training_prior(bundle.card) if bundle else None
    events = ui.store().progress()["events"]
    frame, threshold = _queue(
        str(ws.path),
        ws.version,
        to_toml(policy),
        order,
        (creator, spike),
        labels.height,
        events,
        prior,
    )
    frame = frame.join(
        labels.select("account_id", "label", "label_id"), on="account_id", how="left"
    )
    if not redo:
        skipped = list(st.session_state.get(_SKIPPED, set()))
        frame = frame.filter(pl.col("label").is_null() & ~pl.col("account_id").is_in(skipped))
    return frame.head(QUEUE_SIZE), threshold


def resolve_creator(text: str) -> int | None:
    """A creator from what the analyst typed: an id (up to 19 digits) or a username (with or
    without @; in demo mode the pseudonym)."""
    text = text.strip().removeprefix("@")
    if not text:
        return None
    typed_id = ui.parse_id(text)
    return typed_id if typed_id is not None else account_by_username(text[:64])


def creator_filter() -> int | None:
    """Followers of one creator, typed as @username or id (text: platform ids have 19 digits, a
    number input would round them), pre-set from `?creator=`; says which creator it matched."""
    text = st.text_input(
        "Followers of creator (@username or id)",
        value=(st.query_params.get("creator") or "")[:64],
        key="rev_creator",
        max_chars=64,
        placeholder="all accounts",
    )
    if not text.strip():
        return None
    creator = resolve_creator(text)
    found = ui.run("explorer/account_profile", account_id=creator) if creator else None
    if found is None or found.is_empty():
        st.warning(f"No creator matches “{plain(text.strip(), limit=64)}”: showing all accounts.")
        return None
    row = found.row(0, named=True)
    followers = row.get("follower_count")
    count = f"{followers:,} followers · " if followers is not None else ""
    st.caption(f"@{plain(row['username'])} · {count}id {creator}")
    return creator


def _session() -> str:
    return st.session_state.setdefault(_SESSION, uuid.uuid4().hex)


def leased_row(queue: pl.DataFrame, redo: bool) -> dict | None:
    """The first queued account no other reviewer holds, leased to this session for a few
    minutes (its previous lease given back); None when none is free."""
    if queue.is_empty():
        return None
    ids = queue["account_id"].to_list()
    account = ui.store().lease_next(ids, _session(), skip_labelled=not redo)
    return None if account is None else queue.row(ids.index(account), named=True)


def upcoming(queue: pl.DataFrame, row: dict) -> pl.DataFrame:
    """The queue after this reviewer's account, without the accounts others are reviewing."""
    taken = [row["account_id"], *ui.store().held_by_others(_session())]
    return queue.filter(~pl.col("account_id").is_in(taken))


def nothing_left(queue: pl.DataFrame) -> str:
    """Why no account is shown: the queue is empty, or others hold what is left."""
    if queue.is_empty():
        return "Nothing left to review here. Widen the filter or include reviewed accounts."
    return (
        f"The {queue.height:,} account(s) left here are being reviewed by others right now "
        f"(an account is held for {LEASE_SECONDS / 60:.0f} minutes). Widen the filter."
    )


def spike_picker(creator: int | None) -> int | None:
    """A spike of the chosen creator (or none), pre-set from `?spike=`."""
    if creator is None or not ui.has_table("spikes"):
        return None
    spikes = ui.run("policy/creator_spikes", creator_id=creator)
    options = [None, *spikes["spike_id"].to_list()]
    wanted = ui.parse_int_param("spike")
    labels = {
        r["spike_id"]: (
            f"{day_span(r['start'], r['end'])} ({r['verdict']}, +{r['followers_gained']:,})"
        )
        for r in spikes.iter_rows(named=True)
    }
    return st.selectbox(
        "Spike",
        options,
        index=options.index(wanted) if wanted in options else 0,
        format_func=lambda s: "all followers" if s is None else labels[s],
        key="rev_spike",
    )


def progress_row(queue_left: int) -> None:
    """Current label counts and how many are left in this queue."""
    counts = ui.store().progress()
    cols = st.columns(5)
    for col, name in zip(cols[:4], ("fake", "genuine", "unsure", "total"), strict=True):
        col.metric("reviewed" if name == "total" else name, f"{counts[name]:,}")
    shown = f"{queue_left:,}+" if queue_left >= QUEUE_SIZE else f"{queue_left:,}"
    cols[4].metric("left in queue", shown, help=f"The queue shows the next {QUEUE_SIZE} at most.")


def account_card(row: dict) -> None:
    """What a moderator needs to judge one account."""
    profile = ui.run("policy/review_accounts", ids=[int(row["account_id"])])
    p = profile.row(0, named=True) if profile.height else {}
    name = f" · {plain(p['display_name'])}" if p.get("display_name") else ""
    st.markdown(f"### @{plain(p.get('username', '?'))}{name}")
    ui.account_link(row["account_id"], "Open the full explanation")
    facts = {
        "risk": f"{row['risk']:.3f}",
        "model score": f"{row['score']:.3f}",
        "created": str(p.get("created_at", "?"))[:10],
        "profile picture": "yes" if p.get("has_profile_pic") else "no",
        "followers / following": f"{p.get('follower_count', 0):,} / {p.get('following_count', 0):,}",
        "videos": f"{p.get('video_count', 0):,}",
    }
    st.dataframe(pl.DataFrame({"": list(facts), "value": list(facts.values())}), hide_index=True)
    if p.get("bio"):
        st.caption(f"Bio: {plain(p['bio'])}")
    exp = explain_view.explanation(int(row["account_id"]))
    why = exp.reasons(explain.FAKE, top=3) if exp else []
    st.markdown(
        "**Why the model scores it high:** " + (plain("; ".join(why)) or "nothing stands out")
    )
    if row.get("rule_hits"):
        st.markdown(f"**Rules broken:** {plain(row['rule_hits'])}")
    if row.get("label"):
        st.info(f"Current label: **{row['label']}** (labelling again adds to its history).")


def _record(account_id: int, label: str, seen_id) -> None:
    """Button callback: write the label; a conflicting newer label is shown, not overwritten."""
    note = st.session_state.get("rev_note", "")
    try:
        ui.store().add_label(account_id, label, note, ui.reviewer_name(), seen_id=seen_id)
    except LabelConflict as exc:
        st.session_state[_MESSAGE] = ("warning", plain(exc))
        return
    st.session_state[_MESSAGE] = ("success", f"Account {account_id} labelled **{label}**.")
    st.session_state["rev_note"] = ""


def _skip(account_id: int) -> None:
    st.session_state.setdefault(_SKIPPED, set()).add(account_id)
    st.session_state[_MESSAGE] = ("info", f"Skipped account {account_id} for this session.")


def label_buttons(row: dict) -> None:
    """Note field and Fake / Genuine / Unsure / Skip buttons with keyboard shortcuts."""
    st.text_input("Note (optional)", key="rev_note", max_chars=500)
    cols = st.columns(4)
    seen = row.get("label_id")
    seen = None if seen is None or (isinstance(seen, float) and seen != seen) else int(seen)
    for col, (label, key) in zip(cols, SHORTCUTS.items(), strict=False):
        col.button(
            f"{label.capitalize()} ({key})",
            key=f"rev_{label}",
            shortcut=key,
            on_click=_record,
            args=(int(row["account_id"]), label, seen),
            type="primary" if label == "fake" else "secondary",
        )
    cols[3].button(
        "Skip (S)", key="rev_skip", shortcut="S", on_click=_skip, args=(int(row["account_id"]),)
    )


def show_message() -> None:
    """The outcome of the last button press."""
    kind, text = st.session_state.pop(_MESSAGE, (None, None))
    if kind:
        getattr(st, kind)(text)
