"""Account explanation: who this account is, its score and tier, and why, in plain words."""

import streamlit as st

from followaudit import ui
from followaudit.ui import account as ui_account
from followaudit.ui import explain_view

ui.page_setup("Account explanation", ":material/person_search:")
st.title("Account explanation")

profile = ui_account.resolve_account()
if profile is None:
    st.stop()
account = int(profile["account_id"])

features = explain_view.feature_row(account)
follows = features["follows_made"][0] if "follows_made" in features.columns else None
ui_account.profile_card(profile, follows)
decision = ui_account.policy_decision(account)
ui_account.score_block(decision, profile)

exp = explain_view.explanation(account)
if exp is None:
    st.info("This account has no feature row in the workspace, so it cannot be explained.")
else:
    explain_view.waterfall(exp)
    explain_view.reasons(exp)
    ui_account.rules_broken(decision)
    with st.expander("What if… change its values and see the score move", icon=":material/tune:"):
        explain_view.what_if(account, exp)
    explain_view.account_pairs(account)

if ui.capabilities().supports("peers"):
    st.markdown("#### Creation cohort and lockstep peers")
    ui_account.peers(account)
st.markdown("#### Your review")
ui_account.label_form(account)
ui.note_missing("peers")
