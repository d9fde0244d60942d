"""Growth anomalies: a creator's daily gains, its spikes, and who the spike's followers are."""

import streamlit as st

from followaudit import ui
from followaudit.ui import growth as ui_growth
from followaudit.ui import spike_view

ui.page_setup("Growth anomalies", ":material/trending_up:")
st.title("Growth anomalies")
ui.require("growth")

raw = st.query_params.get("creator")
creator = ui.parse_int_param("creator")
daily = ui_growth.chart_frames(creator).daily if creator is not None else None
if creator is None or daily.is_empty():
    if raw:
        ui.not_found("creator", raw, search=False)
    ui_growth.creator_picker()
    st.stop()

quality = ui.run("audience/creator_quality_rows", creator_id=creator)
name = quality["username"][0] if quality.height else f"creator {creator}"
st.subheader(f"@{ui.plain(name)}")
if quality.height:
    ui_growth.creator_caption(quality.row(0, named=True))


@st.fragment
def drill_down(creator: int) -> None:
    """The chart, the clicked spike and the annotation form: a spike click reruns only this part
    (not the sidebar, the header or the follower-list upload). Its frames are read here, so an
    annotation added below shows on the next click."""
    chart = ui_growth.chart_frames(creator)
    spikes = chart.spikes
    spike_id = ui_growth.growth_chart(creator, chart)
    ui.note_missing("engagement")
    spike = None
    # one block whatever it holds: the expander below keeps its place (a click on the first
    # spike updates it in the browser instead of drawing it again)
    with st.container():
        if spikes.is_empty():
            st.success(
                "No spikes: this creator's growth matches what its history and engagement predict."
            )
        elif spike_id is None:
            st.info("Click a shaded spike in the chart to see its new followers.")
        else:
            spike = chart.by_id[spike_id]
            ui_growth.spike_panel(creator, spike)
    annotate = st.expander(
        "Annotate a known benign event (viral video, giveaway, shoutout…)",
        key="growth_annotate",
        on_change="rerun",  # the form is built only when open: a click sends ~11 elements less
    )
    if annotate.open:
        with annotate:
            ui_growth.annotate_form(creator, spike)
    spike_view.prefetch(chart.ahead)  # the next click's followers, computed while the analyst looks


drill_down(creator)
with st.expander("Ordered follower list without follow times"):
    ui_growth.follower_list_map()
if st.button("← all creators", key="growth_back"):
    ui.drop_params("creator", "spike")
    st.rerun()
