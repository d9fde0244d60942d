"""Sections of the Account explanation and Global explanations pages, built on `ui`."""

from __future__ import annotations

import math

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.detect import catalogue, explain
from followaudit.store import analyst as review
from followaudit.ui import charts, session
from followaudit.ui.text import plain, probability

PROFILE_FIELDS = [
    ("created_at", "Created"),
    ("follower_count", "Followers"),
    ("following_count", "Following"),
    ("video_count", "Videos"),
    ("region", "Region"),
]
BEESWARM_FEATURES = 12
BEESWARM_ACCOUNTS = 400  # 12 x 400 = 4,800 dots, under Altair's 5,000


def resolve_account() -> dict | None:
    """The profile row of `?account=ID` or `?username=NAME`; otherwise not-found or a search."""
    raw_id, raw_name = st.query_params.get("account"), st.query_params.get("username")
    account = ui.parse_int_param("account")
    if account is None and raw_name and not raw_id:
        account = _account_by_username(raw_name.strip()[:64])
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
        for row in ui.run("explorer/top_accounts", limit=5).iter_rows(named=True):
            label = f"@{plain(row['username'])} · P(fake) {probability(row['score'])}"
            ui.account_link(row["account_id"], label)
    return None


def _account_by_username(name: str) -> int | None:
    """The account with this username; in demo mode, with this pseudonym (a real name misses)."""
    if ui.demo_mode():
        hit = session.pseudonym_matches(name, exact=True)["id"]
    else:
        hit = ui.run("explorer/account_by_username", username=name)["account_id"]
    return int(hit[0]) if len(hit) else None


def profile_card(profile: dict) -> None:
    """Username, picture/bio flags and the main counts of one account."""
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


def policy_decision(account_id: int) -> dict | None:
    """The account's row of the active policy (score, risk, flagged, tier, rule hits)."""
    result = ui.policy_result()
    row = result.frame.filter(pl.col("account_id") == account_id)
    return row.row(0, named=True) if row.height else None


def score_block(decision: dict | None, profile: dict) -> None:
    """Calibrated score and tier under the active policy."""
    pol = ui.active_policy()
    cols = st.columns(3)
    score = decision["score"] if decision else profile.get("score")
    cols[0].metric("Calibrated P(fake)", probability(score))
    cols[1].metric("Tier (active policy)", decision["tier"] if decision else "n/a")
    cols[2].metric("Risk = score + rule points", f"{decision['risk']:.2f}" if decision else "n/a")
    st.caption(
        f"Policy **{plain(pol.name)}** v{pol.version}. Scores are calibrated: of 100 accounts at 80 %, "
        "about 80 are fake."
    )


def explanation(account_id: int):
    """SHAP explanation of one account, computed on demand (~ms) from its feature row."""
    row = ui.run("explorer/account_feature_row", account_id=account_id)
    bundle = ui.model_bundle()
    if row.is_empty() or bundle is None:
        return None
    return explain.explain_account(bundle, row)


def waterfall(exp) -> None:
    """The SHAP waterfall in probability terms."""
    frame = exp.frame().with_columns(
        pl.concat_str(pl.col("sentence"), pl.lit(" ["), pl.col("feature"), pl.lit("]")).alias(
            "label"
        )
    )
    steps = charts.waterfall_steps(frame.select("label", "shap"), exp.base_value)
    sig = 1 / (1 + math.exp(-exp.base_value)), 1 / (1 + math.exp(-exp.margin))
    st.altair_chart(charts.shap_waterfall(steps, sig[0], sig[1], calibrated=exp.score))


def reasons_and_rules(exp, decision: dict | None) -> None:
    """Reason sentences beside the rules the account breaks, so they never disagree silently."""
    left, right = st.columns(2)
    with left:
        st.markdown("**Why the model thinks so**")
        sentences = explain.reason_sentences(exp)
        st.markdown(
            "\n".join(f"- {plain(s)}" for s in sentences) or "Nothing pushes this score up."
        )
    with right:
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
        score = "" if row["score"] is None else f" · score {row['score']:.2f}"
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
        label = st.radio("Label", ["fake", "genuine"], horizontal=True, key="acct_label")
        note = st.text_input("Note", key="acct_note", max_chars=500)
        if not st.form_submit_button("Save label"):
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


# --- Global explanations --------------------------------------------------------------------


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
        f"{r['sampled']:,} {plain(r['stratum'])} of {r['population']:,.0f}"
        for r in strata.iter_rows(named=True)
    ]
    return "Stratified sample: " + "; ".join(parts) if parts else "No sample"


def model_card(card: dict) -> None:
    """Training data, date, CV metrics and calibration curve of the model in use."""
    source = ui.workspace_meta().get("model_source", "default")
    trained = card.get("trained_at", "unknown date")
    st.markdown(
        f"**{'Trained on this workspace' if source == 'trained' else 'Shipped default model'}** "
        f"({plain(card.get('trained_on', 'sample world'))}), {plain(trained)}: {card.get('rows', 0):,} labelled "
        f"accounts, {card.get('positives', 0):,} fake, {card.get('folds', '?')}-fold CV."
    )
    cv = card.get("cv", {})
    cols = st.columns(2)
    cols[0].metric("ROC-AUC (out-of-fold)", f"{cv['roc_auc']:.3f}" if "roc_auc" in cv else "n/a")
    cols[1].metric("PR-AUC (out-of-fold)", f"{cv['pr_auc']:.3f}" if "pr_auc" in cv else "n/a")
    curve = calibration_points(card)
    if curve is not None:
        st.altair_chart(charts.calibration_curve(curve))


def calibration_points(card: dict) -> pl.DataFrame | None:
    """The card's calibration curve as `predicted, observed, count` (rows per bin), if any."""
    curve = pl.DataFrame(card.get("calibration_curve", []))
    if not curve.height or not {"predicted", "observed"} <= set(curve.columns):
        return None
    rows = pl.col("rows") if "rows" in curve.columns else pl.lit(None, pl.Int64)
    return curve.select("predicted", "observed", rows.alias("count"))
