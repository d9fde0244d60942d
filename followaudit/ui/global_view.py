"""Sections of the Global explanations page: what drives the model overall, which features act
together, and the model's card. Every plot is in SHAP log-odds, like the account page."""

from __future__ import annotations

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.detect import catalogue, interactions
from followaudit.ui import charts, explain_charts, vega
from followaudit.ui.text import plain

BEESWARM_FEATURES = 12
BEESWARM_ACCOUNTS = 400  # 12 x 400 = 4,800 dots, under Altair's 5,000
PAIRS_SHOWN = 10
PAIRS_READ = 500  # every pair of 31 features is 465


def feature_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with `label` (feature name) and `description` (plain words) columns."""
    names = frame["feature"].unique().to_list()
    lookup = pl.DataFrame(
        {"feature": names, "description": [catalogue.description(n) for n in names]},
        schema={"feature": pl.String, "description": pl.String},
    )
    return frame.join(lookup, on="feature", how="left").with_columns(
        pl.col("feature").alias("label")
    )


def sample_note() -> str:
    """How the global sample was drawn, for chart subtitles."""
    strata = ui.run("explorer/shap_sample_strata")
    parts = [
        f"{r['sampled']:,} of {r['population']:,.0f} with {r['stratum']}"
        for r in strata.iter_rows(named=True)
    ]
    return "Stratified sample: " + "; ".join(parts) if parts else "No sample"


def overview(note: str) -> pl.DataFrame:
    """Beeswarm and importance side by side; returns the importance frame (features by rank)."""
    importance = feature_labels(ui.run("explorer/shap_importance"))
    left, right = st.columns([3, 2])
    with left:
        swarm = ui.run(
            "explorer/shap_beeswarm", top_features=BEESWARM_FEATURES, accounts=BEESWARM_ACCOUNTS
        )
        shown = swarm["account_id"].n_unique()
        subtitle = f"{note}; {shown:,} shown"
        vega.altair(explain_charts.beeswarm, feature_labels(swarm), subtitle, width="stretch")
    with right:
        vega.altair(explain_charts.importance_bar, importance, width="stretch")
    return importance


def feature_pairs() -> pl.DataFrame:
    """Every feature pair's interaction strength (empty for workspaces built before it existed)."""
    if not ui.has_table("shap_interactions"):
        return pl.DataFrame(schema=interactions.PAIR_SCHEMA)
    return ui.run("explain/shap_interactions", limit=PAIRS_READ)


def pairs_chart(pairs: pl.DataFrame) -> None:
    """The strongest pairs as bars, or why there are none."""
    if pairs.is_empty():
        st.info("This workspace has no interaction sample; rebuild it to see feature pairs.")
        return
    note = "SHAP interaction values (shap.TreeExplainer) on the build's bounded sample"
    vega.altair(explain_charts.interaction_bar, pairs.head(PAIRS_SHOWN), note, width="stretch")


def dependence(names: list[str], pairs: pl.DataFrame, note: str) -> None:
    """A feature's SHAP against its value, coloured by the feature it interacts with most."""
    cols = st.columns(2)
    feature = cols[0].selectbox(
        "Feature", names, index=ui.param_index("feature", names, 0), key="global_feature"
    )
    partner = interactions.strongest_partner(pairs, feature)
    if st.session_state.get("global_colour_for") != feature:
        # a new feature starts coloured by its own strongest partner, unless the URL says otherwise
        default = default_colour(names, pairs, feature)
        st.session_state["global_colour"] = names[ui.param_index("colour", names, default)]
        st.session_state["global_colour_for"] = feature
    colour = cols[1].selectbox("Colour by", names, key="global_colour")
    st.query_params.update(feature=feature, colour=colour)
    dep = ui.run("explorer/shap_dependence", feature=feature, color_feature=colour)
    vega.altair(explain_charts.dependence, dep, feature, colour, note, width="stretch")
    if partner:
        st.caption(f"**{partner}** interacts most with **{feature}**: it is the default colour.")


def default_colour(names: list[str], pairs: pl.DataFrame, feature: str) -> int:
    """The colour a feature's dependence plot starts with (its index in `names`): the feature
    it interacts with most, else the next feature."""
    partner = interactions.strongest_partner(pairs, feature)
    return names.index(partner) if partner in names else min(1, len(names) - 1)


def model_card(card: dict) -> None:
    """Training data, date, CV metrics and calibration curve of the model in use."""
    source = ui.workspace_meta().get("model_source", "default")
    trained = card.get("trained_at", "unknown date")
    st.markdown(
        f"**{'Trained on this workspace' if source == 'trained' else 'Shipped default model'}** "
        f"({plain(card.get('trained_on', 'sample world'))}), {plain(trained)}: "
        f"{card.get('rows', 0):,} labelled "
        f"accounts, {card.get('positives', 0):,} fake, {card.get('folds', '?')}-fold CV."
    )
    missing = card.get("marginalised") or []
    if missing:
        st.caption(
            f"This data has no {', '.join(missing)}: the model averages over them (SHAP's own "
            "expectation), so they never count as evidence and never appear as reasons."
        )
    cv = card.get("cv", {})
    cols = st.columns(2)
    cols[0].metric("ROC-AUC (out-of-fold)", f"{cv['roc_auc']:.3f}" if "roc_auc" in cv else "n/a")
    cols[1].metric("PR-AUC (out-of-fold)", f"{cv['pr_auc']:.3f}" if "pr_auc" in cv else "n/a")
    curve = calibration_points(card)
    if curve is not None:
        vega.altair(charts.calibration_curve, curve)


def calibration_points(card: dict) -> pl.DataFrame | None:
    """The card's calibration curve as `predicted, observed, count` (rows per bin), if any."""
    curve = pl.DataFrame(card.get("calibration_curve", []))
    if not curve.height or not {"predicted", "observed"} <= set(curve.columns):
        return None
    rows = pl.col("rows") if "rows" in curve.columns else pl.lit(None, pl.Int64)
    return curve.select("predicted", "observed", rows.alias("count"))
