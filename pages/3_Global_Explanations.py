"""Global explanations: which features drive the model overall, and the model's card."""

import streamlit as st

from followaudit import ui
from followaudit.ui import account as ui_account
from followaudit.ui import charts

ui.page_setup("Global explanations", ":material/insights:")
st.title("Global explanations")

if not ui.has_table("shap_sample") or ui.run("explorer/shap_importance").is_empty():
    st.info("This workspace has no SHAP sample yet (it has no scored accounts). Rebuild it.")
    st.stop()

note = ui_account.sample_note()
importance = ui_account.feature_labels(ui.run("explorer/shap_importance"))
left, right = st.columns([3, 2])
with left:
    swarm = ui.run(
        "explorer/shap_beeswarm",
        top_features=ui_account.BEESWARM_FEATURES,
        accounts=ui_account.BEESWARM_ACCOUNTS,
    )
    shown = swarm["account_id"].n_unique()
    st.altair_chart(charts.beeswarm(ui_account.feature_labels(swarm), f"{note}; {shown:,} shown"))
with right:
    st.altair_chart(charts.importance_bar(importance))

st.subheader("Dependence")
names = importance["feature"].to_list()
cols = st.columns(2)
feature = cols[0].selectbox(
    "Feature", names, index=ui.param_index("feature", names, 0), key="global_feature"
)
colour = cols[1].selectbox(
    "Colour by", names, index=ui.param_index("colour", names, 1), key="global_colour"
)
st.query_params.update(feature=feature, colour=colour)
dep = ui.run("explorer/shap_dependence", feature=feature, color_feature=colour)
st.altair_chart(charts.dependence(dep, feature, colour, note))

with st.expander("What each feature means"):
    ui.table(importance.select("feature", "description", "mean_abs_shap"), hide_index=True)

st.subheader("Model card")
bundle = ui.model_bundle()
if bundle is not None:
    ui_account.model_card(bundle.card)
ui.note_missing("labels")
