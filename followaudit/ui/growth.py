"""Growth anomalies page sections: creator picker, growth chart, spikes, followers, cohorts."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.growth import cohorts
from followaudit.growth import spikes as growth
from followaudit.store.analyst import annotation_frame
from followaudit.ui import charts, demo, session, spike_view, vega
from followaudit.ui.cards import beside, caption_html, card, cards
from followaudit.ui.text import day_span, fmt, plain, probability

log = logging.getLogger(__name__)
HISTOGRAM_WIDTH = 360  # px of the creation histogram beside a spike's numbers
PICKER_ROWS = 200  # creators the picker lists, most suspicious first
LINKED = 1  # followers of a clicked spike with an "Explain @..." link under the table (each link
# is one more element to draw on the click; a row click opens any follower)


def creator_picker() -> None:
    """Search creators by username; most suspicious first; a row click opens the creator."""
    text = st.text_input("Search creators by username", key="growth_search", max_chars=64)
    found = _creators_matching(text.strip(), PICKER_ROWS)
    if found.is_empty():
        st.info(
            f"No creator's username contains “{plain(text, limit=64)}”."
            if text
            else "No creators yet."
        )
        return
    st.caption("Most suspicious growth first. Click a row to open the creator.")
    event = ui.table(
        found.select(
            "username",
            "quality_score",
            "suspicious_spikes",
            "suspicious_excess",
            "followers",
            "size_tier",
            "creator_id",
        ),
        key="growth_creators",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        column_config={
            # green when high, red when low: the colour follows the value
            "quality_score": st.column_config.ProgressColumn(
                "audience quality", min_value=0, max_value=100, format="%.0f", color="auto"
            ),
            "suspicious_excess": st.column_config.NumberColumn(
                "suspicious extra followers", format="%d"
            ),
        },
    )
    rows = event.selection.rows
    if rows:
        st.query_params["creator"] = str(found["creator_id"][rows[0]])
        st.rerun()


def _creators_matching(text: str, limit: int) -> pl.DataFrame:
    """Creators whose username contains `text`, most suspicious first; by pseudonym in demo mode."""
    if not ui.demo_mode():
        return ui.cached(growth.creator_search, text, limit)
    everyone = ui.cached(growth.creator_search, "", 10**9)  # pseudonymised by `cached`
    return demo.matching(everyone, text).head(limit) if text else everyone.head(limit)


def creator_caption(q: dict) -> None:
    """A creator's followers, audience quality and flagged share in one line."""
    st.caption(
        f"{fmt(q['followers'], ',')} followers · audience quality {fmt(q['quality_score'], '.0f')}"
        f"/100 · {fmt(q['flagged_share'], '.0%')} of followers scored fake by the model · "
        f"size tier {plain(q['size_tier'])}"
    )


@dataclass(frozen=True)
class CreatorChart:
    """One creator's growth chart: its data and its Vega-Lite spec (shared across sessions)."""

    daily: pl.DataFrame  # daily gain, expected band, engagement
    spikes: pl.DataFrame  # the creator's spikes, annotated ones marked
    marks: pl.DataFrame  # annotations drawn on the chart
    spec: dict  # the chart, as st.altair_chart would send it (vega.spec: datasets in Arrow)
    by_id: dict[int, dict]  # each spike's row (a click reads these: no frame work per click)
    ahead: tuple[int, ...]  # the spikes to compute ahead of a click, suspicious first


def chart_frames(creator: int) -> CreatorChart:
    """Daily series, spikes (annotated ones marked), annotations and the chart of one creator:
    one cache lookup per click. Annotations are read every time (SQLite, ~1 ms), so one added
    in any session shows on the next click; their plain rows key the cache (hashing a frame
    per click cost more than the rest of the lookup)."""
    ws = ui.current_workspace()
    notes = ui.store().annotation_rows(creator)
    engagement = ui.capabilities().has_engagement
    return _creator_chart(str(ws.path), ws.version, int(creator), engagement, ui.demo_mode(), notes)


@st.cache_resource(max_entries=64, show_spinner=False)
def _creator_chart(
    path: str, version: str, creator: int, engagement: bool, demo_on: bool, rows: tuple
) -> CreatorChart:
    ws = session.workspace_at(path)
    daily = growth.creator_series(ws, creator).select(
        "date",
        "new_follows",
        "expected",
        pl.col("expected_low").alias("lower"),
        pl.col("expected_high").alias("upper"),
        # days without an engagement table are unknown, not zero likes
        pl.col("likes").cast(pl.Float64).alias("engagement")
        if engagement
        else pl.lit(None, pl.Float64).alias("engagement"),
    )
    spikes = ws.query("growth/spikes", creator_id=creator)
    notes = annotation_frame(rows)
    if demo_on:
        spikes, notes = demo.pseudonymise_frame(spikes), demo.pseudonymise_frame(notes)
    spikes = growth.apply_annotations(spikes, notes)
    marks = notes.select(pl.col("start").alias("date"), "kind", "note")
    # built and validated once per creator (Altair: ~0.2-0.7 s), not on every spike click
    spec = vega.spec(charts.growth_chart, "charts.growth_chart", daily, spikes, marks)
    by_id = {int(row["spike_id"]): row for row in spikes.iter_rows(named=True)}
    return CreatorChart(daily, spikes, marks, spec, by_id, spike_view.ahead(spikes))


def _spike_clicked(key: str) -> None:
    """Chart callback, run only when the analyst changes the selection: the URL follows it, so
    every opened spike is a browser-history entry and Back returns to it."""
    picked = st.session_state[key].selection.get(charts.SPIKE_SELECTION) or []
    if picked:
        st.query_params["spike"] = str(int(picked[0]["spike_id"]))
    else:  # clicked away from the spike: close it
        ui.drop_params("spike")


def growth_chart(creator: int, chart: CreatorChart) -> int | None:
    """The daily chart; returns the spike the URL names (a click on a band sets it)."""
    key = f"growth_chart_{creator}"
    on_select = lambda: _spike_clicked(key)  # noqa: E731
    st.vega_lite_chart(chart.spec, on_select=on_select, key=key, width="stretch")
    spike = ui.parse_int_param("spike")
    return spike if spike in chart.by_id else None


def spike_summary(spike: dict, caption: str = "", histogram: str = "") -> None:
    """One spike in one sentence a stakeholder can repeat (Markdown: it carries the creator's
    name and the annotation, through `plain`), then one HTML element (our own words and numbers
    only): its numbers as metric cards with the followers' creation days (`histogram`,
    cards.day_bars) beside them, and what the table under them lists (`caption`)."""
    same_day = spike["start"] == spike["end"]
    when = ("on " if same_day else "over ") + day_span(spike["start"], spike["end"])
    note = plain(spike.get("annotation") or _sentence_start(spike.get("reason") or ""))
    story = (
        f"gained {_excess_words(spike['excess'])} {when}; "
        f"{fmt(spike['flagged_share'], '.0%')} of its new followers score as fake (model threshold)."
    )
    st.markdown(
        f"**{spike['verdict'].capitalize()}** {plain(spike.get('kind') or '')} spike: "
        f"@{plain(spike['username'])} "
        f"{story} {note}"
    )
    numbers = cards(
        [
            card("Followers gained", fmt(spike["followers_gained"], ",.0f")),
            card("Expected", fmt(spike["expected_followers"], ",.0f")),
            card("Excess", fmt(spike["excess"], ",.0f")),
            card(
                "Scored fake by the model",
                fmt(spike["flagged_share"], ".0%"),
                help="New followers at or above the model's own threshold (its card's F1-best "
                "out-of-fold score), whatever policy is active",
            ),
        ],
        2 if histogram else 4,
    )
    if histogram:
        numbers = beside(numbers, histogram, HISTOGRAM_WIDTH)
    st.html(numbers + (caption_html(caption) if caption else ""))


def _sentence_start(reason: str) -> str:
    """A verdict's reason starts lower case (it also follows a label in tables); here it starts
    a sentence of its own."""
    return reason[:1].upper() + reason[1:]


def _excess_words(excess: float | None) -> str:
    """A drip or cohort spike can gain fewer followers than expected: its mark is who followed."""
    if excess is None:
        return "an unknown number of followers against the expected"
    more = "more" if excess >= 0 else "fewer"
    return f"~{fmt(abs(excess), ',.0f')} {more} followers than expected"


def followers_caption(spike: dict, shown: int) -> str:
    """What the follower table lists: "most suspicious" only for a spike judged suspicious."""
    total = int(spike["followers_gained"] or shown)
    listed = f"{shown:,}" if shown >= total else f"The top {shown:,} of {total:,}"
    if spike["verdict"] == "suspicious":
        what = f"{listed} new followers of this suspicious spike, most suspicious first"
    else:  # its reason is in the sentence above: said once
        what = (
            f"{listed} new followers of this spike, highest model score first. The spike is "
            f"{spike['verdict']}, not judged suspicious"
        )
    more = "" if shown >= total else f" All {total:,} are in the CSV below the table."
    return f"{what}. Each has its top reason; click a row to explain it.{more}"


def followers_key(creator: int, spike_id: int) -> str:
    """The follower table's key: one per creator, so a click on another spike updates the table
    in the browser instead of building a new one (~1,000 rows and a grid to set up). A row
    selected in one spike must never open a follower of the next: if the table still holds a
    selection when the spike changes, the table gets a new key (a fresh, unselected table)."""
    state = st.session_state
    turn = state.get(f"growth_followers_turn_{creator}", 0)
    key = f"growth_followers_{creator}_{turn}"
    last = state.get(f"growth_followers_spike_{creator}")
    held = state.get(key)
    if last != spike_id and held is not None and held.selection.rows:
        turn += 1
        key = f"growth_followers_{creator}_{turn}"
        state[f"growth_followers_turn_{creator}"] = turn
    state[f"growth_followers_spike_{creator}"] = spike_id
    return key


def spike_panel(creator: int, spike: dict) -> None:
    """A clicked spike: its sentence and numbers, then its new followers: table (row click
    opens one), creation histogram, a link to the most suspicious and every follower as CSV."""
    spike_id = int(spike["spike_id"])
    found = spike_view.view(spike_id)  # computed ahead of the click when the chart was drawn
    followers = ui.demo_frame(found.followers)
    data = found.table if followers is found.followers else spike_view.table_data(followers)
    if followers.is_empty():
        spike_summary(spike)
        st.info("This spike has no recorded new followers.")
        return
    spike_summary(spike, followers_caption(spike, followers.height), found.creation_chart)
    event = st.dataframe(
        data,
        key=followers_key(creator, spike_id),
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        height=320,
        column_config={
            "score": st.column_config.ProgressColumn(
                "P(fake)", min_value=0, max_value=1, format="percent", color="auto-inverse"
            ),
            "age_at_follow_days": st.column_config.NumberColumn(
                "age at follow (days)", format="%.1f"
            ),
            "cohort_size": st.column_config.NumberColumn("creation cohort"),
        },
    )
    if event.selection.rows:
        ui.open_account(followers["account_id"][event.selection.rows[0]])
    for row in followers.head(LINKED).iter_rows(named=True):
        ui.account_link(
            row["account_id"],
            f"Explain @{plain(row['username'])} (P(fake) {probability(row['score'])})",
        )
    if followers.height < int(spike["followers_gained"] or 0):
        st.download_button(
            f"All {int(spike['followers_gained']):,} new followers (CSV)",
            partial(spike_view.all_csv, str(ui.current_workspace().path), spike_id, ui.demo_mode()),
            file_name=f"spike_{spike_id}_followers.csv",
            mime="text/csv",
            key=f"growth_followers_csv_{creator}",
            on_click="ignore",
            icon=":material/download:",
        )


def annotate_form(creator: int, spike: dict | None) -> None:
    """Add a benign-event annotation (kept out of the suspicious list)."""
    with st.form(f"growth_annotate_{creator}", clear_on_submit=True):
        start = spike["start"] if spike else None
        cols = st.columns([1, 1, 1, 2])
        day0 = cols[0].date_input("From", value=start, key="growth_ann_start")
        day1 = cols[1].date_input("To", value=spike["end"] if spike else None, key="growth_ann_end")
        kind = cols[2].selectbox(
            "Kind", ["viral", "giveaway", "shoutout", "ad_campaign", "other"], key="growth_ann_kind"
        )
        note = cols[3].text_input("Note", key="growth_ann_note", max_chars=200)
        if st.form_submit_button("Add annotation"):
            if not day0 or not day1:
                st.error("Pick the first and last day of the event.")
                return
            try:
                ui.store().add_annotation(
                    creator, day0, day1 or day0 + timedelta(0), kind, note, ui.reviewer_name()
                )
            except ValueError as exc:
                st.error(plain(exc))
                return
            st.success(f"Annotated {day0} → {day1} as {plain(kind)}.")


def follower_list_map() -> None:
    """Upload an ordered follower list: estimated follow times and anomalous creation cohorts."""
    st.caption(
        "Public follower lists are ordered by follow time but carry no follow timestamps. A "
        "follower cannot follow before its account exists, so the running maximum of creation "
        "times bounds each follow time (Meeder et al. 2011); windows of consecutive followers whose "
        "creation dates crowd into one narrow band are flagged (sliding histogram, Zouzou & Varol 2024)."
    )
    upload = st.file_uploader(
        "Follower list: JSON `{follower_id: {rank, timestamp}}` or CSV `follower_id,rank,timestamp`",
        type=["json", "csv"],
        key="growth_follower_list",
    )
    if upload is None:
        return
    try:
        timed, anomalies, scored = _follower_list(upload.name, upload.getvalue())
    except cohorts.FollowerListError as exc:  # names the file, the row and what was expected
        st.error(plain(exc))
        return
    except Exception:  # a bug, not the file: the trace goes to the server log, not the page
        log.exception("follower list %r", upload.name)
        st.error(
            f"{plain(upload.name)}: internal error while mapping this follower list; "
            "the details are in the server log."
        )
        return
    points = cohorts.follower_map_frame(scored, max_points=charts.MAX_MARKS)
    note = (
        None
        if points.height == scored.height
        else f"every {scored.height // points.height}th of {scored.height:,} followers shown"
    )
    st.altair_chart(charts.follower_map(points, note))
    st.caption(f"{timed.height:,} followers; {anomalies.height} anomalous rank range(s).")
    ui.table(anomalies, hide_index=True)


def _follower_list(name: str, data: bytes):
    """Parse, time and score an uploaded follower list (via a temp file: the loader reads paths)."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"followers{suffix}"
        path.write_bytes(data)
        try:
            followers = cohorts.load_follower_list(path)
        except cohorts.FollowerListError as exc:  # name the upload, not the temp file
            raise cohorts.FollowerListError(str(exc).replace(str(path), name)) from None
    timed = cohorts.estimate_follow_times(followers)
    _, anomalies = cohorts.sliding_histogram(timed)
    return timed, anomalies, cohorts.follower_scores(timed)
