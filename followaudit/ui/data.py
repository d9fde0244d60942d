"""Streamlit pieces of the Data page (logic lives in store/uploads.py, decide/exports.py and the build)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.data.validate import ValidationError, problems_frame, validate_folder
from followaudit.decide import exports, policy
from followaudit.store import roots, uploads
from followaudit.store.workspace import PROJECT_ROOT, Workspace, WorkspaceError
from followaudit.ui import auth, decision_cache, session
from followaudit.ui.text import plain

MODE = "A data folder in the canonical format"
UPLOADS_DIR = session.WORKSPACES_DIR / "uploads"
SHOWN = 8  # problems spelled out above the full table
CELL, LINE = 60, 300  # characters of a file's own text (cells, column names) a problem may echo
# followaudit.pipeline.build is imported where a folder is checked or built: it brings the whole
# build (LightGBM, scikit-learn, SciPy: 1-2 s), and Home imports this module for its switcher.


def page_start(title: str, icon: str) -> Workspace | None:
    """Page config and sidebar; unlike other pages, works before any workspace exists."""
    if ui.workspace_path().is_file():
        return ui.page_setup(title, icon)
    ui.route_through_app()
    st.set_page_config(page_title=f"{title} · Follower Audit", page_icon=icon, layout="wide")
    auth.require_login()
    with st.sidebar:
        ui.demo_toggle()
    return None


def source_picker() -> Path | None:
    """Uploaded files or a server folder -> the data folder to check (None until one is given)."""
    limit = st.get_option("server.maxUploadSize")
    upload, folder = st.tabs(["Upload files", "Data folder on the server"])
    with upload:
        files = st.file_uploader(
            f"Table files, CSV or Parquet, up to {limit} MB each",
            type=["csv", "parquet"],
            accept_multiple_files=True,
            key="data_upload",
            help=f"Name each file after its table: {uploads.expected_files()}.",
        )
    with folder:
        typed = st.text_input(
            f"Folder path (any size; larger than {limit} MB per file goes here)",
            key="data_folder",
            placeholder=str(PROJECT_ROOT / "sample_data"),
            help="Only folders under the ones an administrator allows "
            f"({roots.ROOTS_ENV}; by default the sample data and the upload folder).",
        )
    if files:
        try:
            staged = uploads.stage_uploads(((f.name, f.getvalue()) for f in files), UPLOADS_DIR)
        except uploads.UploadError as exc:
            st.error(plain(exc))
            return None
        clean_uploads(staged)
        return staged
    if typed.strip():
        try:
            return roots.allowed_folder(typed, data_roots())
        except roots.FolderRefused as exc:
            st.error(plain(exc))
            return None
    return None


def clean_uploads(staged: Path) -> None:
    """Once per new upload in a session: remove old staged folders no workspace was built from
    (`staged`, the one just uploaded, stays)."""
    if st.session_state.get("data_cleaned_for") == str(staged):
        return
    built = uploads.built_from(session.WORKSPACES_DIR.glob("*.duckdb"))
    uploads.clean_staged(UPLOADS_DIR, keep={staged, *built})
    st.session_state["data_cleaned_for"] = str(staged)


def data_roots() -> list[Path]:
    """The server folders this app may read: `FOLLOWAUDIT_DATA_ROOTS`, else the sample data
    and the upload folder."""
    return roots.data_roots([PROJECT_ROOT / "sample_data", UPLOADS_DIR])


@st.cache_data(show_spinner="Checking every file…", max_entries=16)
def _problems(folder: str, fingerprint: str) -> pl.DataFrame:
    return problems_frame(validate_folder(folder))


def _line(row: dict) -> str:
    """One problem as a sentence: file, column, rows, message, expectation."""
    where = f"**{plain(row['file'])}**"
    if row["column"]:
        where += f", column {plain(row['column'], limit=CELL)}"
    if row["rows"]:
        where += f", row(s) {plain(row['rows'], limit=CELL)}"
    message, expected = plain(row["message"], limit=LINE), plain(row["expected"], limit=LINE)
    return f"{where}: {message} (expected {expected})"


def validation_report(folder: Path) -> bool:
    """Show every problem in `folder` as a table; True when it can be built."""
    from followaudit.pipeline.build import data_fingerprint

    problems = _problems(str(folder), data_fingerprint(folder))
    label = "the uploaded files" if folder.parent == UPLOADS_DIR else f"“{plain(folder)}”"
    if problems.is_empty():
        st.success(f"No problems in {label}: every file matches the canonical format.")
        return True
    first = "\n".join(f"- {_line(row)}" for row in problems.head(SHOWN).iter_rows(named=True))
    more = (
        f"\n\n…and {problems.height - SHOWN} more in the table below."
        if problems.height > SHOWN
        else ""
    )
    st.error(
        f"{problems.height} problem(s) in {label} — fix them and upload again "
        f"(rows count from 1, header excluded):\n\n{first}{more}"
    )
    ui.table(problems, hide_index=True, key="data_problems", width="stretch")
    return False


def build_form(folder: Path) -> None:
    """Name a new workspace, build it with visible progress, and switch to it."""
    name = st.text_input("New workspace name", value=_suggest(folder), key="data_ws_name")
    try:
        target = uploads.workspace_file(name, session.WORKSPACES_DIR)
    except uploads.UploadError as exc:
        st.error(plain(exc))
        return
    replace = True
    if target.exists():
        replace = st.checkbox(f"Replace the existing {plain(target.name)}", key="data_replace")
    if not st.button("Build workspace", type="primary", key="data_build", disabled=not replace):
        return
    _build(folder, target)


def _suggest(folder: Path) -> str:
    if folder.parent == UPLOADS_DIR:
        return f"upload_{folder.name[:6]}"
    stem = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in folder.name)[:24]
    return stem if not stem.startswith("_") and stem else "my_data"


def _build(folder: Path, target: Path) -> None:
    from followaudit.pipeline.build import build_workspace

    with st.status(f"Building {plain(target.name)}…", expanded=True) as status:
        bar = st.progress(0.0, text="starting")

        def progress(step: str, fraction: float) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=step)

        try:
            report = build_workspace(folder, target, progress)
        except ValidationError as exc:
            status.update(label="The data has problems; nothing was changed.", state="error")
            ui.table(problems_frame(exc.problems), hide_index=True)
            return
        except (WorkspaceError, OSError) as exc:
            status.update(label=f"Build failed: {plain(exc)}", state="error")
            return
        for step, seconds in report.steps:
            st.write(f"{step}: {seconds:.1f} s")
        status.update(
            label=f"Built {plain(target.name)} (model: {plain(report.model_source)})",
            state="complete",
        )
    ui.switch_workspace(target)
    st.success(f"Now looking at {plain(target.name)}. Every page uses it; switch back on Home.")
    st.button(
        "Show it", key="data_show_new", icon=":material/arrow_forward:"
    )  # a rerun redraws the sidebar


def _export_frame(name: str) -> pl.DataFrame:
    """The rows of one export, pseudonymised in demo mode."""
    if name == "flagged_accounts":
        ws = ui.current_workspace()
        toml = policy.to_toml(ui.active_policy())
        return ui.demo_frame(_flagged_export(str(ws.path), ws.version, toml))
    query, _ = exports.EXPORTS[name]
    return ui.run(query)


# cache_resource keyed by short strings: at 1M accounts the flagged list has ~130k ids, and
# hashing them as a cache_data argument plus unpickling the result cost ~1 s on every rerun.
@st.cache_resource(show_spinner="Preparing the flagged-accounts export…", max_entries=4)
def _flagged_export(path: str, version: str, policy_toml: str) -> pl.DataFrame:
    flagged = decision_cache.decisions_at(
        path, version, policy.from_toml(policy_toml)
    ).flagged_frame()
    ids = flagged["account_id"].to_list()
    details = session.workspace_at(path).query("data/flagged_accounts", ids=ids)
    return exports.with_policy(details, flagged)


def downloads() -> None:
    """CSV and Parquet downloads of flagged accounts, spikes and audience scores."""
    needs = {
        "flagged_accounts": "account_scores",
        "spikes": "spikes",
        "audience_scores": "creator_quality",
    }
    per_creator = {"spikes", "audience_scores"}
    for name, (_, what) in exports.EXPORTS.items():
        if name in per_creator and not ui.capabilities().has_follows:
            continue
        if not ui.has_table(needs[name]):
            st.caption(f"{name}: this workspace has no `{needs[name]}` table.")
            continue
        frame = _export_frame(name)
        cols = st.columns([3, 1, 1])
        cols[0].markdown(f"**{name.replace('_', ' ')}** — {what} ({frame.height:,} rows)")
        cols[1].download_button(
            "CSV", lambda f=frame: exports.to_csv(f), f"{name}.csv", "text/csv", key=f"data_csv_{name}",
            on_click="ignore", icon=":material/download:",
        )  # fmt: skip
        cols[2].download_button(
            "Parquet", lambda f=frame: exports.to_parquet(f), f"{name}.parquet",
            "application/vnd.apache.parquet", key=f"data_parquet_{name}", on_click="ignore",
            icon=":material/download:",
        )  # fmt: skip
    ui.note_missing("creator_exports")
