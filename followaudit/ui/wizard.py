"""The import wizard on the Data page: one account table in any shape -> mapped columns ->
preview with every problem -> a new workspace. The logic lives in `followaudit/data/`
(source_table, suggest, preview, wizard); this module only draws it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from followaudit import ui
from followaudit.data import mapping_file, suggest
from followaudit.data import wizard as core
from followaudit.data.importing import write_folder
from followaudit.data.mapping_file import Mapping, MappingError
from followaudit.data.preview import Preview, preview_import
from followaudit.data.source_table import SUFFIX_FORMATS, SourceTable, profile_table
from followaudit.data.spec import ACCOUNTS, DERIVED_FEATURES
from followaudit.data.validate import ValidationError
from followaudit.pipeline.build import build_workspace
from followaudit.store import roots, uploads
from followaudit.store.workspace import WorkspaceError, file_version
from followaudit.ui import data as ui_data
from followaudit.ui import session

MODE = "One account table, any column names (import wizard)"
NOT_MAPPED = "— not in my table —"
_BUILT = "wiz_built"  # session: the workspace the wizard just built, and its step times
IMPORT_SHARE = 0.1  # of the progress bar: mapping the table; the build takes the rest


def choose_table() -> Path | None:
    """An uploaded table, or one picked under the data roots (None until one is given)."""
    upload, server = st.tabs(["Upload a table", "A table on the server"])
    with upload:
        file = st.file_uploader(
            "Account table: CSV, JSON (an array or one object per line) or Parquet",
            type=[s.lstrip(".") for s in SUFFIX_FORMATS],
            key="wiz_upload",
        )
    with server:
        folders = ui_data.data_roots()
        files = roots.files_under(folders, SUFFIX_FORMATS)
        picked = st.selectbox(
            "Table under the data roots",
            files,
            index=None,
            format_func=lambda p: _shown_path(p, folders),
            placeholder="Choose a file",
            key="wiz_server_file",
            help="Set FOLLOWAUDIT_DATA_ROOTS (folders separated by ':') to offer other folders.",
        )
    if file is not None:
        try:
            staged = uploads.stage_table(
                file.name, file.getvalue(), ui_data.UPLOADS_DIR, SUFFIX_FORMATS
            )
        except uploads.UploadError as exc:
            st.error(ui.plain(str(exc)))
            return None
        ui_data.clean_uploads(staged.parent)
        return staged
    return picked


def _shown_path(path: Path, folders: list[Path]) -> str:
    for root in folders:
        if root in path.parents:
            return f"{root.name}/{path.relative_to(root)}"
    return path.name


def profile(path: Path) -> SourceTable | None:
    """The table's profile (cached per file version); a file that cannot be read says why."""
    try:
        return _profile(str(path), file_version(path))
    except MappingError as exc:
        st.error(ui.plain(str(exc)))
        return None


@st.cache_data(show_spinner="Reading the table…", max_entries=8)
def _profile(path: str, version: str) -> SourceTable:
    return profile_table(path)


def show_columns(table: SourceTable) -> None:
    """The source's columns: type, what the values look like, how filled, samples."""
    st.caption(f"{table.rows:,} rows, {len(table.columns)} columns ({table.format}).")
    st.dataframe(
        core.columns_frame(table),
        hide_index=True,
        key="wiz_columns",
        column_config={"filled": st.column_config.ProgressColumn("filled", format="percent")},
    )


def choose_mapping(table: SourceTable) -> Mapping:
    """A select box per canonical column, pre-filled by the guesses; label and extra columns."""
    label_guess = suggest.suggest_label(table)
    guesses = suggest.suggest_columns(table, (label_guess.column,) if label_guess else ())
    options = [NOT_MAPPED, *table.names]
    chosen = _column_boxes(ACCOUNTS.column_names, guesses, options, table)
    derived = [t for t in DERIVED_FEATURES if t in guesses]
    with st.expander("Pre-computed values (tables that carry ratios and counts instead of text)",
                     expanded=bool(derived)):  # fmt: skip
        chosen |= _column_boxes(list(DERIVED_FEATURES), guesses, options, table)
    label, fake_values = _label_choice(table, label_guess)
    used = {s for s in chosen.values() if s} | ({label} if label else set())
    extra = st.multiselect(
        "Extra numeric columns to use as features (optional)",
        suggest.extra_candidates(table, used),
        key="wiz_extra",
    )
    return core.mapping_of(table.format, chosen, label, tuple(fake_values), tuple(extra))


def _column_boxes(targets, guesses, options, table: SourceTable) -> dict[str, str | None]:
    cols = st.columns(3)
    chosen = {}
    for i, target in enumerate(targets):
        spec = ACCOUNTS.column(target)
        guess = guesses.get(target)
        mark = " *(required)*" if spec.required and target != "account_id" else ""
        choice = cols[i % 3].selectbox(
            f"`{target}`{mark}",
            options,
            index=options.index(guess) if guess else 0,
            key=f"wiz_col_{target}",
            help=f"{spec.description} ({spec.type}).",
        )
        chosen[target] = None if choice == NOT_MAPPED else choice
    return chosen


def _label_choice(table: SourceTable, guess) -> tuple[str | None, list[str]]:
    left, right = st.columns(2)
    options = [NOT_MAPPED, *table.names]
    picked = left.selectbox(
        "Label column (optional: fake or genuine per account)",
        options,
        index=options.index(guess.column) if guess else 0,
        key="wiz_label",
        help="With labels the build trains a model on your accounts and the lab shows metrics.",
    )
    if picked == NOT_MAPPED:
        return None, []
    column = table.column(picked)
    levels = list(column.levels or column.samples)
    default = [v for v in suggest.fake_values_of(column) if v in levels]
    values = right.multiselect(
        "Values that mean fake", levels, default=default, key=f"wiz_fake_{picked}"
    )
    return picked, values


def preview(path: Path, mapping: Mapping) -> Preview:
    """Map every row as `followaudit import` would (cached per file version and mapping)."""
    return _preview(str(path), file_version(path), mapping_file.mapping_toml(mapping), mapping)


@st.cache_data(show_spinner="Mapping and checking every row…", max_entries=32)
def _preview(path: str, version: str, toml: str, _mapping: Mapping) -> Preview:
    return preview_import(path, _mapping)


def show_preview(result: Preview) -> None:
    """Size, labels, what stays unobserved, every problem at once, and the first rows."""
    cols = st.columns(3)
    cols[0].metric("Accounts", f"{result.rows:,}")
    if result.fake is not None:
        cols[1].metric("Labelled fake", f"{result.fake:,}")
        cols[2].metric("Labelled genuine", f"{result.genuine:,}")
    if result.missing:
        st.caption(
            "Not in this table (the detector treats them as unknown, never as zero): "
            + ", ".join(f"`{c}`" for c in result.missing)
        )
    if result.problems:
        st.error(f"{len(result.problems)} problem(s) — change the mapping above or fix the file:")
        problems = pl.DataFrame({"problem": list(result.problems)})
        st.dataframe(problems, hide_index=True, key="wiz_problems", width="stretch")
    else:
        st.success("Every row maps cleanly.")
    if not result.accounts.is_empty():
        st.caption(f"The canonical accounts table, first {result.accounts.height} rows:")
        st.dataframe(
            blank_unobserved(ui.demo_frame(result.accounts)), hide_index=True, key="wiz_rows"
        )


def blank_unobserved(frame: pl.DataFrame) -> pl.DataFrame:
    """Unobserved cells shown empty (the browser's table writes "None" for a null); only the
    columns holding a null become text."""
    holed = [name for name in frame.columns if frame[name].null_count()]
    return frame.with_columns(
        (
            pl.col(name).dt.to_string("%Y-%m-%d %H:%M:%S")
            if frame.schema[name].is_temporal()
            else pl.col(name).cast(pl.String)
        ).fill_null("")
        for name in holed
    )


def download_mapping(path: Path, mapping: Mapping, workspace: str) -> None:
    """The mapping as the TOML `followaudit import --mapping` reads, and the commands to rerun."""
    name = f"{path.stem}_mapping.toml"
    st.download_button(
        "Download the mapping (TOML)",
        mapping_file.mapping_toml(mapping),
        file_name=name,
        mime="application/toml",
        key="wiz_download",
        icon=":material/download:",
        on_click="ignore",
    )
    st.caption("The same import from a terminal:")
    st.code(core.commands(path.name, name, f"{workspace}_data", f"{workspace}.duckdb"), "bash")


def workspace_name(path: Path) -> tuple[str, Path] | None:
    """The new workspace's name and file (under workspaces/), or None with the reason shown."""
    stem = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in path.stem)[:40]
    name = st.text_input("New workspace name", value=stem.strip("_") or "my_table", key="wiz_ws")
    try:
        return name, uploads.workspace_file(name, session.WORKSPACES_DIR)
    except uploads.UploadError as exc:
        st.error(ui.plain(str(exc)))
        return None


def build_button(path: Path, mapping: Mapping, target: Path, ready: bool) -> None:
    """The build button (only once every row maps cleanly); a finished build reruns the app so
    the navigation and sidebar follow the new workspace."""
    replace = True
    if target.exists():
        replace = st.checkbox(f"Replace the existing `{target.name}`", key="wiz_replace")
    if not ready:
        st.caption("Fix the problems above to build.")
    pressed = st.button(
        "Import and build", type="primary", key="wiz_build", disabled=not (ready and replace)
    )
    if pressed and import_and_build(path, mapping, target):
        st.rerun()


def show_last_build() -> None:
    """After a wizard build: what was built, and the way to Home."""
    built = st.session_state.get(_BUILT)
    if not built or str(ui.workspace_path()) != built["path"]:
        return
    st.success(f"Built `{Path(built['path']).name}` and switched to it; every page uses it now.")
    st.caption(" · ".join(f"{step} {seconds:.1f} s" for step, seconds in built["steps"]))
    ui.home_link("Open Home on the new workspace")


def import_and_build(path: Path, mapping: Mapping, target: Path) -> bool:
    """Write the data folder, build the workspace with progress shown, switch to it."""
    folder = session.WORKSPACES_DIR / "imports" / target.stem  # the imported data folder
    with st.status(f"Importing into `{target.name}`…", expanded=True) as status:
        bar = st.progress(0.0, text="mapping the table")
        try:
            write_folder(path, mapping, folder)
            report = build_workspace(folder, target, _progress(bar))
        except (MappingError, ValidationError) as exc:
            status.update(label="The table has problems; nothing was built.", state="error")
            st.error(ui.plain(str(exc)))
            return False
        except (WorkspaceError, OSError) as exc:
            status.update(label=f"Build failed: {ui.plain(str(exc))}", state="error")
            return False
        status.update(label=f"Built `{target.name}`", state="complete")
    ui.switch_workspace(target)
    st.session_state[_BUILT] = {"path": str(target), "steps": report.steps}
    return True


def _progress(bar):
    def progress(step: str, fraction: float) -> None:
        done = IMPORT_SHARE + (1 - IMPORT_SHARE) * min(max(fraction, 0.0), 1.0)
        bar.progress(done, text=step)

    return progress
