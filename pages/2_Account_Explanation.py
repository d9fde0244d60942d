"""Account explanation: who this account is, its score and tier, and why, in plain words."""

import streamlit as st

from followaudit import ui
from followaudit.ui import account as ui_account

ui.page_setup("Account explanation", ":material/person_search:")
st.title("Account explanation")

profile = ui_account.resolve_account()
if profile is None:
    st.stop()
account = int(profile["account_id"])

ui_account.profile_card(profile)
decision = ui_account.policy_decision(account)
ui_account.score_block(decision, profile)

exp = ui_account.explanation(account)
if exp is None:
    st.info("This account has no feature row in the workspace, so it cannot be explained.")
else:
    ui_account.waterfall(exp)
    ui_account.reasons_and_rules(exp, decision)

if ui.capabilities().supports("peers"):
    st.markdown("#### Creation cohort and lockstep peers")
    ui_account.peers(account)
st.markdown("#### Your review")
ui_account.label_form(account)
ui.note_missing("peers")
