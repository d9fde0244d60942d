"""Bring your own table in Chromium: a profile-only CSV through the import wizard to a review label,
and the mapping the page offered rebuilds the same workspace from the command line."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from export_table import export_frame  # tests/ (its conftest puts it on the path)
from playwright.sync_api import expect
from polars.testing import assert_frame_equal

from followaudit.cli import main

pytestmark = pytest.mark.e2e
NOT_A_VALUE = re.compile(r"\bNone\b|\bnan\b|\bNaN\b")
COMPARED = {"accounts": "account_id", "loaded_columns": "table_name, column_name",
            "account_features": "account_id", "account_scores": "account_id"}  # fmt: skip


def expect_clean(page) -> None:
    """No traceback, no error box, no empty-state box, no 'None' or 'nan' anywhere on the page."""
    main_area = page.locator("[data-testid='stMain']")
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.locator("[data-testid='stAlertContentError']")).to_have_count(0)
    expect(main_area).not_to_contain_text(NOT_A_VALUE)
    expect(main_area).not_to_contain_text(re.compile(r"No \w+( \w+)? (yet|in this workspace)"))


def choose(page, app, label: str, option: str) -> None:
    """Pick `option` in the select box labelled `label` (exactly)."""
    box = page.locator("[data-testid='stSelectbox']").filter(
        has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}"))
    )
    box.click()
    page.keyboard.type(option)  # filters the list: long lists scroll
    with app.rerun(f"choosing {option} for {label}"):
        page.get_by_role("option", name=option, exact=True).click()


def test_profile_only_csv_to_a_review_label(page, app, tmp_path, e2e_workspace):
    """Upload a profile-only CSV -> map `land` to region by hand -> build -> Home -> the top
    account's explanation -> label it; then the downloaded mapping rebuilds the same tables."""
    table = tmp_path / "my_platform.csv"
    export_frame(1500, labels=False).rename({"region": "land"}).write_csv(table)

    app.open("Data")
    expect(page.get_by_text("1 · Choose a table")).to_be_visible()
    with app.rerun("uploading the table"):
        page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
            str(table)
        )
    expect(page.get_by_text("Every row maps cleanly.")).to_be_visible()
    expect(page.get_by_text("1,500 rows, 13 columns (csv).")).to_be_visible()
    choose(page, app, "region", "land")
    expect(page.get_by_text("Every row maps cleanly.")).to_be_visible()
    app.screenshot("data_import_wizard")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the mapping (TOML)").click()
    mapping = tmp_path / "mapping.toml"
    download.value.save_as(mapping)
    assert 'region = "land"' in mapping.read_text()

    with app.rerun("importing and building"):
        page.get_by_role("button", name="Import and build").click()
    expect(page.get_by_text("and switched to it")).to_contain_text("Built my_platform.duckdb")
    expect_clean(page)

    with app.rerun("opening Home"):
        page.get_by_role("link", name="Open Home on the new workspace").click()
    expect(page.get_by_text("Most suspicious accounts")).to_be_visible()
    expect(page.get_by_text("Score distribution")).to_be_visible()
    expect(page.get_by_text("Estimated fake share")).to_be_visible()
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("my_platform.duckdb")
    expect_clean(page)
    app.screenshot("01b_home_profile_only")

    with app.rerun("opening the top account"):
        page.locator("[data-testid='stPageLink'] a", has_text="P(fake)").first.click()
    # exact: the waterfall's title names the calibrated P(fake) too
    expect(page.get_by_text("Calibrated P(fake)", exact=True)).to_be_visible()
    page.locator("[data-testid='stRadio']").get_by_text("fake", exact=True).click()  # in a form
    page.get_by_label("Note").fill("imported table, e2e journey")
    with app.rerun("saving the label"):
        page.get_by_role("button", name="Save label").click()
    expect(page.get_by_text(re.compile(r"Labelled fake by"))).to_be_visible()
    expect_clean(page)

    built = e2e_workspace.parent / "my_platform.duckdb"
    _rebuild_from_the_command_line(table, mapping, tmp_path)
    for name, order in COMPARED.items():
        assert_frame_equal(_rows(built, name, order), _rows(tmp_path / "cli.duckdb", name, order))


def _rebuild_from_the_command_line(table: Path, mapping: Path, tmp_path: Path) -> None:
    data = tmp_path / "cli_data"
    assert (
        main(["import", "--accounts", str(table), "--mapping", str(mapping), "--out", str(data)])
        == 0
    )
    assert main(["build", "--data", str(data), "--workspace", str(tmp_path / "cli.duckdb")]) == 0


def _rows(path: Path, table: str, order: str) -> pl.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(f"select * from {table} order by {order}").pl()
    finally:
        con.close()
