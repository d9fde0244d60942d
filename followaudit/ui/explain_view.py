"""One account's explanation on the page: the log-odds waterfall, reasons on both sides with
their values in context, a what-if panel and the feature pairs acting together."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.detect import catalogue, explain, interactions, reference
from followaudit.detect.explain import FAKE, GENUINE
from followaudit.ui import decision_cache, explain_charts, session
from followaudit.ui.text import plain, probability

RULER = (0.01, 0.1, 0.5, 0.9, 0.99)  # calibrated P(fake) marks drawn on the waterfall
WHAT_IF_FEATURES = 6  # features offered for editing first (largest |SHAP|)
_WHAT_IF = "acct_whatif"


def feature_reference() -> reference.Reference | None:
    """The workspace's reference distributions (None for workspaces built before they existed)."""
    if not ui.has_table(reference.TABLE):
        return None
    return reference.from_frame(ui.run("explain/feature_reference"))


def feature_row(account_id: int) -> pl.DataFrame:
    """The account's `account_features` row (empty when it has none)."""
    return ui.run("explorer/account_feature_row", account_id=account_id)


def explanation(account_id: int) -> explain.Explanation | None:
    """SHAP explanation of one account, computed on demand (~ms) from its feature row."""
    row, bundle = feature_row(account_id), ui.model_bundle()
    if row.is_empty() or bundle is None:
        return None
    return explain.explain_account(bundle, row, feature_reference())


def probability_ruler() -> pl.DataFrame | None:
    """Log-odds at which the calibrated P(fake) reaches 1 %, 10 %, 50 %, 90 %, 99 % (~50 µs)."""
    bundle = ui.model_bundle()
    if bundle is None:
        return None
    grid = np.linspace(-16, 16, 3201)
    calibrated = bundle.calibration.apply(1 / (1 + np.exp(-grid)))
    rows = []
    for p in RULER:
        reached = np.nonzero(calibrated >= p)[0]
        if len(reached) and 0 < reached[0] < len(grid) - 1:
            rows.append((float(grid[reached[0]]), f"P {p:.0%}"))
    return pl.DataFrame(rows, schema={"log_odds": pl.Float64, "label": pl.Utf8}, orient="row")


def _labelled(exp: explain.Explanation) -> pl.DataFrame:
    frame = exp.frame()
    text = pl.concat_str(
        pl.col("sentence"),
        pl.when(pl.col("context").is_not_null())
        .then(" — " + pl.col("context"))
        .otherwise(pl.lit("")),
    )
    return frame.select(text.alias("label"), "shap")


def waterfall(exp: explain.Explanation, title: str = "Why this score") -> None:
    """The SHAP waterfall in log-odds, the calibrated probability at its start and end."""
    steps = explain_charts.waterfall_steps(_labelled(exp), exp.base_value)
    ends = (exp.base_value, exp.base_probability, exp.margin, exp.score)
    chart = explain_charts.shap_waterfall(steps, ends, probability_ruler(), title)
    st.altair_chart(chart, width="stretch")


def reasons(exp: explain.Explanation) -> None:
    """Why it looks fake beside why it looks genuine; the side the score leans to comes first."""
    sides = [(FAKE, "Why it looks fake"), (GENUINE, "Why it looks genuine")]
    if exp.score < 0.5:
        sides.reverse()
    for col, (side, heading) in zip(st.columns(2), sides, strict=True):
        with col:
            st.markdown(f"**{heading}**")
            found = exp.reasons(side, top=5)
            st.markdown("\n".join(f"- {plain(s)}" for s in found) or "_Nothing pushes this way._")
    ref = feature_reference()
    compared = f"Values are compared with {ref.description}. " if ref else ""
    st.caption(
        f"{compared}Numbers are SHAP contributions in log-odds, the waterfall's unit: +0.7 "
        "doubles the odds that the account is fake, -0.7 halves them."
    )


# --- what if ---------------------------------------------------------------------------------


def _is_flag(name: str, ref: reference.Reference | None) -> bool:
    quantiles = ref.quantiles.get(name) if ref else None
    return quantiles is not None and bool(np.isin(quantiles, (0.0, 1.0)).all())


def _edit(account_id: int, name: str, value: float | None, ref) -> float | None:
    """One feature's input, starting at the account's value (keys per account: a new account
    starts from its own values)."""
    label = f"{name} — {catalogue.description(name)}"
    key = f"{_WHAT_IF}_{account_id}_{name}"
    if _is_flag(name, ref):
        return float(st.checkbox(label, value=bool(value), key=key))
    return st.number_input(label, value=value, format="%.6g", key=key)


@st.fragment
def what_if(account_id: int, exp: explain.Explanation) -> None:
    """Change feature values and see the score and the waterfall move (only this panel reruns)."""
    row = feature_row(account_id).row(0, named=True)
    ref = feature_reference()
    names = [c.feature for c in exp.contributions]
    chosen = st.multiselect(
        "Features to change",
        names,
        default=names[:WHAT_IF_FEATURES],
        key=f"{_WHAT_IF}_{account_id}_features",
        help="Largest contributions first. Features computed from another one (e.g. the "
        "following/follower ratio) do not follow when you change it: change them too.",
    )
    edited = dict(row)
    for col, name in zip(st.columns(2) * math.ceil(len(chosen) / 2), chosen, strict=False):
        with col:
            edited[name] = _edit(account_id, name, row.get(name), ref)
    changed = [n for n in chosen if edited[n] != row.get(n)]
    if not changed:
        st.caption("Change a value above to see its effect.")
        return
    after = explain.explain_account(ui.model_bundle(), edited, ref)
    delta = (after.score - exp.score) * 100
    st.metric(
        "Calibrated P(fake) with these values",
        probability(after.score),
        f"{delta:+.1f} points from {probability(exp.score)}",
        delta_color="inverse",
    )
    waterfall(after, title="Why this score, with the changed values")


# --- feature pairs -------------------------------------------------------------------------------


@st.cache_data(show_spinner="Computing SHAP interaction values…", max_entries=64)
def _account_pairs(path: str, version: str, account_id: int) -> pl.DataFrame:
    bundle = decision_cache.model_at(path)
    row = session.workspace_at(path).query("explorer/account_feature_row", account_id=account_id)
    return interactions.account_pairs(bundle, bundle.matrix(row)[0])


def account_pairs(account_id: int) -> None:
    """This account's strongest feature pairs (SHAP interaction values), asked for on demand."""
    if not st.toggle("Show the feature pairs acting together for this account", key="acct_pairs"):
        return
    ws = ui.current_workspace()
    pairs = _account_pairs(str(ws.path), ws.version, account_id)
    if pairs.is_empty():
        st.caption("No feature pairs: the model reads fewer than two features here.")
        return
    ui.table(
        pairs.select(
            (pl.col("feature_a") + " × " + pl.col("feature_b")).alias("features acting together"),
            pl.col("strength").round(2).alias("joint effect (log-odds)"),
        ),
        hide_index=True,
        key="acct_pairs_table",
    )
    st.caption(
        "SHAP interaction values (shap.TreeExplainer): the part of the score the two features "
        "make only together, in log-odds; it is already inside both features' bars above."
    )


# --- reasons for table rows ----------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _reasons_for(path: str, version: str, ids: tuple[int, ...], top: int) -> pl.DataFrame:
    rows = session.workspace_at(path).query("explorer/account_feature_rows", ids=list(ids))
    return explain.reasons_table(decision_cache.model_at(path), rows, top)


def reasons_for(ids: list[int], top: int = 1) -> pl.DataFrame:
    """`account_id, top_reasons` for the accounts a table shows (~0.4 ms each, cached)."""
    ws = ui.current_workspace()
    if not ids or ui.model_bundle() is None:
        return pl.DataFrame(schema={"account_id": pl.Int64, "top_reasons": pl.Utf8})
    return _reasons_for(str(ws.path), ws.version, tuple(int(i) for i in ids), top)
