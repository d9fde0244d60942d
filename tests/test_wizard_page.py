"""The import wizard on the Data page (AppTest): upload, guesses, a column changed by hand,
preview problems, build and switch; the offered mapping gives the same workspace from the CLI."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from export_table import EXPECTED, export_frame
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from followaudit.cli import main
from followaudit.data import mapping_file
from followaudit.store.workspace import PROJECT_ROOT
from followaudit.ui import data as ui_data
from followaudit.ui import session as ui_session
from followaudit.ui import wizard as ui_wizard

DATA_PAGE = "pages/7_Data.py"
# Tables whose rows must match between the wizard's workspace and the command line's.
COMPARED = {
    "accounts": "account_id",
    "labels": "account_id",
    "loaded_columns": "table_name, column_name",
    "account_features": "account_id",
    "account_scores": "account_id",
}


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """Workspaces, uploads and imported data folders go to a temp folder."""
    monkeypatch.setattr(ui_session, "WORKSPACES_DIR", tmp_path / "workspaces")
    monkeypatch.setattr(ui_data, "UPLOADS_DIR", tmp_path / "workspaces" / "uploads")
    monkeypatch.setenv("FOLLOWAUDIT_DATA_ROOTS", str(tmp_path / "roots"))
    return tmp_path


@pytest.fixture
def offered(monkeypatch) -> list[str]:
    """Every mapping TOML the page offers for download, in order."""
    texts: list[str] = []

    def recording(mapping):
        texts.append(real(mapping))
        return texts[-1]

    real = mapping_file.mapping_toml
    monkeypatch.setattr(mapping_file, "mapping_toml", recording)
    return texts


def _export_csv(rows: int = 400) -> bytes:
    """The platform export with `region` renamed to `land`: no guess, mapped by hand."""
    return export_frame(rows).rename({"region": "land"}).write_csv().encode()


def open_wizard(workspace, monkeypatch) -> AppTest:
    monkeypatch.setenv("FOLLOWAUDIT_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    at.switch_page(DATA_PAGE)
    return at.run()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="wiz_upload").set_value((name, content, "text/csv"))
    return at.run()


def frame_with(at: AppTest, column: str):
    """The first table on the page that has `column` (tables carry no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_upload_shows_columns_guesses_and_a_clean_preview(sample_workspace_path, dirs, monkeypatch):
    at = upload(open_wizard(sample_workspace_path, monkeypatch), "export.csv", _export_csv())
    no_exception(at)
    columns = frame_with(at, "values look like")
    assert columns["column"].to_list()[:3] == ["uid", "uniqueId", "nickname"]
    assert columns.set_index("column").loc["createTime", "values look like"] == "timestamp"
    guessed = {key.removeprefix("wiz_col_"): box.value for box in at.selectbox
               if (key := box.key or "").startswith("wiz_col_") and box.value != ui_wizard.NOT_MAPPED}  # fmt: skip
    assert guessed == {t: s for t, s in EXPECTED.items() if t != "region"}
    assert at.selectbox(key="wiz_label").value == "isFake"
    assert at.multiselect(key="wiz_fake_isFake").value == ["true"]
    assert "Every row maps cleanly." in [s.value for s in at.success]
    assert [m.value for m in at.metric][:1] == ["400"]
    preview = frame_with(at, "has_profile_pic")
    assert (preview["display_name"] == "").any(), "the export leaves some display names out"
    assert not preview.isna().any().any(), "an unobserved cell is blank, never 'None'"
    assert not at.button(key="wiz_build").disabled


def test_a_wrong_column_lists_every_problem_and_blocks_the_build(
    sample_workspace_path, dirs, monkeypatch
):
    at = upload(open_wizard(sample_workspace_path, monkeypatch), "export.csv", _export_csv())
    at.selectbox(key="wiz_col_follower_count").select("nickname")
    at.selectbox(key="wiz_col_created_at").select("signature").run()
    no_exception(at)
    problems = frame_with(at, "problem")["problem"].to_list()
    assert any(p.startswith("[columns] follower_count:") for p in problems)
    assert any(p.startswith("[columns] created_at:") for p in problems)
    assert at.error[0].value.startswith(f"{len(problems)} problem(s)")
    assert at.button(key="wiz_build").disabled


def test_build_switches_and_the_offered_mapping_rebuilds_the_same_tables(
    sample_workspace_path, dirs, offered, monkeypatch, capsys
):
    """Upload, map `land` -> region by hand, build; then `followaudit import --mapping` with the
    TOML the page offered, and `followaudit build`, give identical tables."""
    content = _export_csv()
    at = upload(open_wizard(sample_workspace_path, monkeypatch), "export.csv", content)
    at.selectbox(key="wiz_col_region").select("land").run()
    at.text_input(key="wiz_ws").input("byo").run()
    at.button(key="wiz_build").click().run()
    no_exception(at)
    built = dirs / "workspaces" / "byo.duckdb"
    assert at.session_state["ui_workspace"] == str(built)
    assert any("switched to it" in s.value for s in at.success)
    mapping = dirs / "mapping.toml"
    mapping.write_text(offered[-1])
    assert 'region = "land"' in offered[-1]

    source = dirs / "export.csv"
    source.write_bytes(content)
    assert main(["import", "--accounts", str(source), "--mapping", str(mapping),
                 "--out", str(dirs / "cli_data")]) == 0  # fmt: skip
    assert (
        main(["build", "--data", str(dirs / "cli_data"), "--workspace", str(dirs / "cli.duckdb")])
        == 0
    )
    capsys.readouterr()
    for table, order in COMPARED.items():
        assert_frame_equal(_rows(built, table, order), _rows(dirs / "cli.duckdb", table, order))


def _rows(path, table: str, order: str) -> pl.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(f"select * from {table} order by {order}").pl()
    finally:
        con.close()


def test_a_table_under_the_data_roots_can_be_picked(sample_workspace_path, dirs, monkeypatch):
    (dirs / "roots").mkdir()
    (dirs / "roots" / "export.csv").write_bytes(_export_csv(50))
    (dirs / "outside.csv").write_bytes(_export_csv(50))
    (dirs / "roots" / "link.csv").symlink_to(dirs / "outside.csv")  # leads outside: not offered
    at = open_wizard(sample_workspace_path, monkeypatch)
    picker = at.selectbox(key="wiz_server_file")
    assert picker.options == ["roots/export.csv"]
    picker.select_index(0).run()
    no_exception(at)
    assert frame_with(at, "values look like").shape[0] == 14


def test_a_file_that_is_not_a_table_says_so(sample_workspace_path, dirs, monkeypatch):
    at = upload(open_wizard(sample_workspace_path, monkeypatch), "broken.json", b'{"a": [1, 2')
    no_exception(at)
    assert "cannot read it as json" in at.error[0].value
