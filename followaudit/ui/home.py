"""Home page sections: headline numbers, worst creators and spikes, the workspace switcher."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.growth import spikes as growth
from followaudit.store import roots
from followaudit.store.workspace import Workspace, WorkspaceError
from followaudit.ui import adapt, charts, explain_view, session
from followaudit.ui import data as ui_data
from followaudit.ui.text import day_span, fmt, plain, probability

LINKS = 8  # creators, spikes or accounts Home lists
SPIKES_READ_PER_LINK = 3  # spikes read per one shown: analyst-annotated benign ones drop out

HOW_TO_READ = """
- **Score** — the model's calibrated probability that an account is fake: of 100 accounts scored
  0.8, about 80 are fake. Scores come from account features (profile, behaviour, coordination).
- **Active policy** — the threshold plus transparent rules that turn a score into a decision
  (*review*, *remove follower*, *suspend*). Policy teams tune it in the Threshold lab.
- **Spike** — days when a creator gained far more followers than both their own history and
  their views/likes predict. *Suspicious* spikes have low-quality or brand-new followers beyond
  what the whole platform saw that day, views without comments or shares, or 10x growth with flat
  views; *explained* ones came with an engagement jump (e.g. a viral video) or a platform-wide
  sign-up wave; *unexplained* ones have genuine-looking followers and nothing in the data that
  accounts for them (a giveaway?); *annotated* ones an analyst marked as a known benign event.
- **Fake share before review** — the share of fakes that makes the model's
  scores self-consistent on this data; reviewed labels sharpen it (Threshold lab).
- **Why** — every account page shows what pushed its score up or down, in plain sentences, and
  which rules it breaks. Click through: creator → spike → follower → explanation.
"""


def headline() -> dict:
    """The workspace's headline numbers in one row: accounts, follows, labels, suspicious spikes."""
    return ui.run("explorer/headline").row(0, named=True)


def headline_metrics(head: dict) -> None:
    """Accounts, flagged, creators with suspicious spikes, followers a purge would remove: the
    policy numbers come from the decision layer, exactly as `followaudit decide` prints them."""
    d = ui.decisions()
    cols = st.columns(4)
    cols[0].metric("Accounts", f"{head['accounts']:,}")
    cols[1].metric(
        "Flagged (active policy)", f"{d.flagged:,}", help=f"{d.top_percent:.1f} % of all accounts"
    )
    cols[2].metric(
        "Creators with suspicious spikes", f"{head['creators_with_suspicious_spikes']:,}"
    )
    cols[3].metric("Followers a purge would remove", f"{d.purge_followers:,}")
    line = (
        f"the top {d.policy.top_percent:g} % (risk ≥ {d.threshold:.4f})"
        if d.policy.top_percent is not None
        else f"risk ≥ {d.threshold:.3f}"
    )
    st.caption(
        f"{head['follows']:,} follows of {head['creators']:,} creators, "
        f"{day_span(head['first_day'], head['last_day'])}; {_labelled(head['labelled'])}. "
        f"Active policy **{plain(d.policy.label)}** flags {line}: {d.top_percent:.1f} % of "
        f"accounts, {d.labelled_flagged:,} of the {d.flagged:,} flagged are labelled. A purge "
        "removes the current follows made by flagged accounts."
    )


def _labelled(count: int) -> str:
    return f"{count:,} labelled accounts" if count else "no labelled accounts"


def profile_metrics(head: dict) -> None:
    """A workspace of account profiles only: size, expected fake share, flagged, reviewed."""
    d = ui.decisions()
    cols = st.columns(4)
    cols[0].metric("Accounts", f"{head['accounts']:,}")
    adapt.fake_share_metric(cols[1])
    cols[2].metric(
        "Flagged (active policy)",
        f"{d.top_percent / 100:.1%}",
        help=f"{d.flagged:,} of {d.accounts:,} accounts",
    )
    reviewed = ui.store().progress()["total"]
    cols[3].metric("Reviewed by analysts", f"{reviewed:,}")
    st.caption(
        f"Account profiles only (no follow log, no engagement); {_labelled(head['labelled'])}. "
        f"Active policy **{plain(d.policy.label)}**: flag at risk ≥ {d.threshold:.3f}, "
        f"{d.flagged:,} accounts."
    )


def score_distribution() -> None:
    """How the calibrated scores spread over the accounts."""
    st.altair_chart(charts.score_histogram(ui.run("explorer/score_hist")))


def suspicious_account_links(limit: int) -> None:
    """The highest-scored accounts, as links to their explanation."""
    top = ui.run("explorer/top_accounts", limit=limit)
    reasons = explain_view.reasons_for(top["account_id"].to_list())  # computed now (~ms)
    top = top.join(reasons, on="account_id", how="left", maintain_order="left")
    for row in top.iter_rows(named=True):
        reason = (row["top_reasons"] or "").split("; ")[0]
        ui.account_link(
            row["account_id"],
            f"@{plain(row['username'])} · P(fake) {probability(row['score'])}"
            + (f" · {plain(reason)}" if reason else ""),
        )


def review_path() -> None:
    """Where an analyst goes next when there is no follow log: label accounts."""
    ui.review_link("Review the accounts the model is least sure about")
    st.caption(
        "Each label you give is kept with its reviewer and time, feeds the Threshold lab's "
        "metrics at once, and trains the model on your accounts at the next build."
    )


def worst_creator_links(limit: int) -> None:
    """The creators with the most suspicious growth, as links to their growth page."""
    worst = ui.cached(growth.creator_search, "", limit)
    if worst.is_empty():
        st.info("No creators with followers in this workspace.")
    for row in worst.iter_rows(named=True):
        quality = row["quality_score"]
        ui.creator_link(
            row["creator_id"],
            f"@{plain(row['username'])} · quality {fmt(quality, '.0f')}/100 · "
            f"{fmt(row['suspicious_excess'], ',.0f')} suspicious extra followers",
        )


def suspicious_spikes(limit: int) -> pl.DataFrame:
    """The strongest suspicious spikes, leaving out those an analyst annotated as benign."""
    spikes = ui.run("explorer/top_spikes", limit=limit * SPIKES_READ_PER_LINK)
    marked = growth.apply_annotations(spikes, ui.demo_frame(ui.store().annotations()))
    return marked.filter(pl.col("verdict") == "suspicious").head(limit)


def top_spike_links(limit: int) -> None:
    """Suspicious spikes as links that open the creator's chart with the spike selected."""
    spikes = suspicious_spikes(limit)
    if spikes.is_empty():
        st.info("No suspicious spikes in this workspace.")
    for row in spikes.iter_rows(named=True):
        ui.creator_link(
            row["creator_id"],
            f"@{plain(row['username'])} · {day_span(row['start'], row['end'])} · "
            f"+{fmt(row['excess'], ',.0f')} followers, "
            f"{fmt(row['flagged_share'], '.0%')} flagged",
            spike=row["spike_id"],
        )


def known_workspaces() -> list[Path]:
    """Built workspaces under workspaces/ plus the current one, for the switcher."""
    found = (
        sorted(session.WORKSPACES_DIR.glob("*.duckdb")) if session.WORKSPACES_DIR.is_dir() else []
    )
    current = ui.workspace_path()
    if current not in found:
        found.insert(0, current)
    return found


def workspace_switcher() -> None:
    """Pick a built workspace under workspaces/ or type the path of one the app may read."""
    options = [str(p) for p in known_workspaces()]
    current = str(ui.workspace_path())
    choice = st.selectbox(
        "Open workspace", options, index=options.index(current), key="home_workspace"
    )
    typed = st.text_input(
        "…or the path of a built workspace file",
        key="home_workspace_path",
        help="Under the workspaces folder or a data folder this app may read.",
    )
    target = typed.strip() or choice
    if target == current:
        return
    try:
        path = openable_workspace(target)
    except (WorkspaceError, roots.FolderRefused) as exc:
        st.error(plain(exc))
        return
    ui.switch_workspace(path)
    st.rerun()


def openable_workspace(typed: str) -> Path:
    """`typed` as a workspace file the switcher may open: a `.duckdb` under the workspaces folder,
    the default workspace's folder or a data root, that opens as a Follower Audit workspace."""
    default = session.default_workspace()
    allowed = [session.WORKSPACES_DIR.resolve(), default.parent.resolve(), *ui_data.data_roots()]
    path = roots.resolve_typed(typed, allowed)
    if path.suffix != ".duckdb" or not path.is_file():
        shown = typed.strip()[:200]
        raise WorkspaceError(
            f"no workspace file (…/name.duckdb) at “{shown}”; build one with "
            + session.build_hint(shown)
        )
    ws = Workspace.open(path, read_only=True)
    try:
        if not ws.has_table("accounts"):
            raise WorkspaceError(f"{path.name} is a DuckDB file, not a built workspace")
    finally:
        ws.close()
    return path
