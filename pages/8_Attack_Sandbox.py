"""Attack sandbox: inject bought followers into a scratch copy and see whether detection catches them."""

import streamlit as st

from followaudit import ui
from followaudit.ui import sandbox as ui_sandbox

ws = ui.page_setup("Attack sandbox", ":material/science:")
st.title("Attack sandbox")
ui.require("sandbox")
st.caption(
    "Buy followers for a creator — in a scratch copy of this workspace's data, never the real one — "
    "then rebuild and see whether the spike and the bought accounts are caught under the active policy."
)

attack = ui_sandbox.attack_form()
if attack is not None:
    result = ui_sandbox.run_attack(attack, ws)
    if result is not None:
        st.session_state["sandbox_result"] = result

result = st.session_state.get("sandbox_result")
if result is not None:
    st.subheader("What detection saw")
    ui_sandbox.attack_report(result)
else:
    st.info(
        "Choose a creator and an attack, then press **Run the attack** (a rebuild takes a minute)."
    )
