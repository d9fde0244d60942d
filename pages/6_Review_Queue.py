"""Review queue: label accounts fake / genuine / unsure with the keyboard; labels feed the lab."""

from functools import partial

import streamlit as st

from followaudit import ui
from followaudit.ui import policies as uc
from followaudit.ui import review as ur

ui.page_setup("Review queue", ":material/fact_check:")
st.title("Review queue")
policy = uc.policy_store().active()

left, middle, right = st.columns(3)
order = left.radio(
    "Order",
    ["teach", "uncertainty", "score"],
    horizontal=True,
    key="rev_order",
    help="teach: the accounts whose labels teach the recalibration most (the ones it is least "
    "sure of, spread over the whole score range); uncertainty: nearest the active policy's "
    "threshold first; score: riskiest first",
)
creator = spike = None
if ui.capabilities().has_follows:  # followers of a creator, of one spike: a follow log's
    with middle:
        creator = ur.creator_filter()
    with right:
        spike = ur.spike_picker(creator)
redo = st.toggle("Include accounts already reviewed or skipped", key="rev_redo")


@st.fragment
def review(order: str, creator: int | None, spike: int | None, redo: bool) -> None:
    """The queue and its card: a label key reruns only this part of the page."""
    queue, threshold = ur.queue(policy, order, creator, spike, redo)
    st.caption(
        f"Active policy **{ui.plain(policy.name)}**: flag line {threshold:.3f}. "
        "Shortcuts: **F** fake · **G** genuine · **U** unsure · **S** skip."
    )
    ur.show_message()
    ur.progress_row(queue.height)
    row = ur.leased_row(queue, redo)  # one reviewer per account: others get other accounts
    if row is None:
        st.success(ur.nothing_left(queue))
    else:
        ur.account_card(row)
        ur.label_buttons(row)
        st.caption("Next in the queue")
        ui.table(ur.upcoming(queue, row).head(9).drop("label_id"), hide_index=True, key="rev_next")


review(order, creator, spike, redo)
st.download_button(
    "Export labels with their history (CSV)",
    # written when clicked, so it holds labels given since the last full run
    partial(ui.store().labels_csv, history=True),
    file_name="review_labels_history.csv",
    mime="text/csv",
    key="rev_export",
    help="Every label event, oldest first: account, label, note, reviewer, time. The current "
    "label of an account is its last row.",
)
