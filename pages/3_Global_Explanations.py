"""Global explanations: which features drive the model overall, which act together, the card."""

import streamlit as st

from followaudit import ui
from followaudit.ui import global_view

ui.page_setup("Global explanations", ":material/insights:")
st.title("Global explanations")

if not ui.has_table("shap_sample") or ui.run("explorer/shap_importance").is_empty():
    st.info("This workspace has no SHAP sample yet (it has no scored accounts). Rebuild it.")
    st.stop()

note = global_view.sample_note()
importance = global_view.overview(note)
pairs = global_view.feature_pairs()

st.subheader("Features that act together")
global_view.pairs_chart(pairs)

st.subheader("Dependence")
global_view.dependence(importance["feature"].to_list(), pairs, note)

with st.expander("What each feature means"):
    ui.table(importance.select("feature", "description", "mean_abs_shap"), hide_index=True)

st.subheader("Model card")
bundle = ui.model_bundle()
if bundle is not None:
    global_view.model_card(bundle.card)
ui.note_missing("labels")
