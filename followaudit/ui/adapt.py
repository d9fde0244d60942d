"""The model adapted to this workspace: its estimated fake share (Home) and the threshold the
reviewed labels propose, with how sure that is (Threshold lab)."""

from __future__ import annotations

import json
from collections.abc import Callable

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.decide.adaptation import Adaptation, adapt_to_reviews, fake_share_before_labels
from followaudit.detect import recalibrate
from followaudit.ui import decision_cache, session

SHARE_HELP = (
    "Model-based, before any review: the share of fakes that makes the model's calibrated "
    "scores self-consistent on this data (prior-shift EM, Saerens et al. 2002). On data unlike "
    "the model's training world it can be far off; reviewed labels correct it (Threshold lab)."
)


@st.cache_data(show_spinner=False, max_entries=16)
def _share(path: str, version: str, positives: int, rows: int) -> float:
    scores = session.workspace_at(path).query("explorer/model_scores")["score"].to_numpy()
    return fake_share_before_labels(scores, {"positives": positives, "rows": rows})


def share_at(path: str, version: str, card: dict) -> float:
    """The estimated fake share of the workspace at `path` / `version` under the model `card`."""
    return _share(path, version, card["positives"], card["rows"])


def fake_share_metric(where=st) -> None:
    """Home: the estimated fake share before any label."""
    ws, card = ui.current_workspace(), decision_cache.model_card()  # the card: no model to load
    if card is None:
        return
    share = share_at(str(ws.path), ws.version, card)
    # a share is not a change: "model-based, before any review" is in the help, not a delta badge
    where.metric("Estimated fake share", f"{share:.1%}", help=SHARE_HELP)


@st.cache_resource(show_spinner="Recalibrating on your reviews…", max_entries=4)
def _adaptation(path: str, version: str, label_events: int, card_json: str) -> Adaptation:
    inputs = decision_cache.decision_inputs_at(path, version)
    accounts = pl.DataFrame({"account_id": inputs.account_ids, "score": inputs.score})
    reviewed = session.store_at(path).current_labels()
    return adapt_to_reviews(accounts, inputs.features, reviewed, json.loads(card_json))


def adaptation_at(path: str, version: str, card: dict) -> Adaptation:
    """The model adapted to the reviewed labels of the workspace at `path` / `version` (cached
    per label event; the server's warm-up fills the same entry)."""
    events = session.store_at(path).progress()["events"]
    wanted = {k: card[k] for k in ("features", "positives", "rows")}
    return _adaptation(path, version, events, json.dumps(wanted))


def from_reviews(use_threshold: Callable[[float], None]) -> None:
    """Threshold lab: what the reviewed labels say about the fake share and the threshold."""
    ws, bundle = ui.current_workspace(), ui.model_bundle()
    if bundle is None:
        return
    found = adaptation_at(str(ws.path), ws.version, bundle.card)
    if not found.ready:
        st.info(
            f"{found.reviewed} reviewed labels ({found.reviewed_fakes} fake) so far: at least "
            f"{recalibrate.MIN_LABELS}, with 3 of each kind, are needed to recalibrate. The "
            "Review queue picks the accounts whose labels teach the most."
        )
        return
    p, lo_hi = found.proposal, found.proposal.intervals
    st.markdown(_summary_text(found))
    shown = [
        ("Fake share", _pct(p.prevalence), _range(lo_hi["prevalence"])),
        ("Precision expected", _pct(p.expected["precision"]), _range(lo_hi["precision"])),
        ("Recall expected", _pct(p.expected["recall"]), _range(lo_hi["recall"])),
        ("Accounts flagged", f"{p.flagged:,}", _range(lo_hi["flagged"], count=True)),
    ]
    for col, (label, value, interval) in zip(st.columns(4), shown, strict=True):
        col.metric(label, value)
        col.caption(f"95 % interval {interval}")  # a range, not a change: no delta badge
    if p.score_threshold is not None:
        st.button(
            f"Use risk threshold {p.score_threshold:.4f}",
            key="lab_use_proposal",
            on_click=use_threshold,
            args=(p.score_threshold,),
            help="Sets the slider below; rules on top of the score still add their points.",
        )


def _summary_text(found: Adaptation) -> str:
    p, a = found.proposal, found.adapted
    cut_lo, cut_hi = p.intervals["cut"]
    text = (
        f"**From your {found.reviewed} reviewed labels ({found.reviewed_fakes} fake).** The model "
        f"alone estimated {_pct(found.fake_share_before)} fakes; recalibrated on your labels it "
        f"expects {_pct(p.prevalence)}. The threshold with the best expected F1 flags accounts "
        f"whose recalibrated P(fake) ≥ {p.cut:.2f} (95 % interval {cut_lo:.2f}–{cut_hi:.2f} over "
        "bootstrap resamples of your labels)"
    )
    if a.correction is not None:
        text += (
            f"; a correction of {a.rounds} small trees learned from your labels re-ranks accounts "
            "(it beat plain recalibration in cross-validation on them), so no single risk value "
            "reproduces it"
        )
    elif p.score_threshold is not None:
        text += f", which is model score ≥ {p.score_threshold:.4f}"
    return text + "."


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _range(bounds: list[float], count: bool = False) -> str:
    lo, hi = bounds
    return f"{lo:,.0f}–{hi:,.0f}" if count else f"{lo:.1%}–{hi:.1%}"
