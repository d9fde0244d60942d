"""Attack sandbox page sections: the attack form, running it, and what the detector caught."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from followaudit import ui
from followaudit.data.validate import ValidationError
from followaudit.pipeline import sandbox
from followaudit.store.workspace import Workspace, WorkspaceError
from followaudit.ui.text import plain


def attack_form() -> sandbox.Attack | None:
    """Creator, batch size, duration and camouflage; returns the attack when 'Run' is pressed."""
    creators = sandbox.creator_choices(ui.run("sandbox/creators", limit=300))
    if not creators:
        st.info("This workspace has no creators to attack.")
        return None
    ids = list(creators)
    wanted = ui.parse_int_param("creator")
    creator = st.selectbox(
        "Creator to attack", ids, index=ids.index(wanted) if wanted in creators else 0,
        format_func=creators.get, key="sandbox_creator",
    )  # fmt: skip
    left, right = st.columns(2)
    size = left.slider("Bought followers", 20, 5000, 500, step=10, key="sandbox_size")
    days = left.slider(
        "Delivered over (days)",
        1,
        60,
        1,
        key="sandbox_days",
        help="1 = a one-day burst; more = drip-feed",
    )
    camo = right.slider(
        "Camouflage", 0.0, 1.0, 0.0, step=0.1, key="sandbox_camouflage",
        help="0 = plain bots (no picture, no videos); 1 = pictures, bios, some activity",
    )  # fmt: skip
    seed = right.number_input("Seed", 0, 10_000, 0, key="sandbox_seed")
    if not st.button("Run the attack", type="primary", key="sandbox_run"):
        return None
    return sandbox.Attack(int(creator), int(size), int(days), float(camo), int(seed))


def run_attack(attack: sandbox.Attack, ws: Workspace) -> sandbox.AttackResult | None:
    """Run the attack on a scratch copy with visible progress; errors shown, not raised."""
    data_dir = Path(ui.workspace_meta().get("data_dir", ""))
    if not data_dir.is_dir():
        st.error(
            f"The workspace's data folder “{plain(data_dir)}” is gone; rebuild the workspace first."
        )
        return None
    with st.status("Injecting and rebuilding a scratch copy…", expanded=True) as status:
        bar = st.progress(0.0, text="starting")
        try:
            active = ui.decisions()  # the line the active policy draws in this workspace
            result = sandbox.run_attack(
                data_dir, ws, attack, active.policy,
                lambda step, f: bar.progress(min(max(f, 0.0), 1.0), text=step), active.threshold,
            )  # fmt: skip
        except (ImportError, ValueError, OSError, WorkspaceError, ValidationError) as exc:
            status.update(label=f"The attack could not run: {plain(exc)}", state="error")
            return None
        status.update(label="Scratch copy rebuilt and scored", state="complete", expanded=False)
    return result


def attack_report(result: sandbox.AttackResult) -> None:
    """Was the spike caught, how many of the accounts, and the accounts themselves."""
    a = result.attack
    cols = st.columns(4)
    cols[0].metric("Injected accounts", f"{result.accounts.height:,}")
    cols[1].metric("Flagged by the active policy", f"{result.caught:,}")
    cols[2].metric("Share caught", f"{result.recall:.0%}")
    verdict, why = result.spike_verdict
    cols[3].metric("Spike verdict", verdict)
    st.markdown(f"**Spike finder:** {plain(why)}.")
    start, end = result.window
    st.caption(
        f"{a.size:,} followers over {a.duration_days} day(s), camouflage {a.camouflage:.1f}, "
        f"delivered {start} – {end}; risk threshold {result.threshold:.3f}. Scored by this "
        "workspace's model on a scratch copy without labels, so the batch cannot leak into training."
    )
    if result.spikes.height:
        ui.table(result.spikes, hide_index=True, key="sandbox_spikes")
    else:
        st.warning(
            "No spike was found for this creator in the injection window: the batch blended in."
        )
    shown = result.accounts.sort("risk", descending=True, nulls_last=True)
    ui.table(ui.demo_frame(shown), hide_index=True, key="sandbox_accounts", height=300)
