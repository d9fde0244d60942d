"""Data journeys in Chromium: a broken upload gets precise errors; demo mode hides every real name."""

from __future__ import annotations

import re

import duckdb
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
BROKEN_ACCOUNTS = (
    "account_id,username,created_at,has_profile_pic,follower_count,following_count,video_count\n"
    "1,alice,2024-01-01,true,10,5,1\n"
    "2,bob,2024-01-02,maybe,3,50,0\n"
    "2,carol,2024-01-03,true,-4,2,0\n"
    "4,dan,2024-01-0"
)


def test_broken_upload_names_file_column_and_row(page, app, tmp_path):
    """Upload a broken CSV on the Data page -> each problem names file, column and row."""
    broken = tmp_path / "accounts.csv"
    broken.write_text(BROKEN_ACCOUNTS)
    app.open("Data")
    with app.rerun("choosing the canonical data folder"):
        page.get_by_text("A data folder in the canonical format").click()
    expect(page.get_by_text("Choose the data")).to_be_visible()
    with app.rerun("uploading the CSV"):
        uploader = page.locator("[data-testid='stFileUploader'] input[type='file']")
        uploader.set_input_files(str(broken))
    alert = page.locator("[data-testid='stAlert']", has_text="problem(s)")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(
        "column has_profile_pic, row(s) 2: value cannot be read as BOOLEAN"
    )
    expect(alert).to_contain_text("column account_id, row(s) 2, 3: duplicate account_id")
    expect(alert).to_contain_text("column follower_count, row(s) 3: negative count")
    expect(alert).to_contain_text("row(s) 4: missing columns")
    expect(page.get_by_role("button", name="Build workspace")).to_have_count(0)
    app.screenshot("data_validation_errors")


def _real_names(workspace) -> list[str]:
    """Usernames that could appear on Home and Growth pages, long enough to match unambiguously."""
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        rows = con.execute(
            "select distinct a.username from accounts a "
            "where a.account_id in (select creator_id from follows) "
            "or a.account_id in (select account_id from account_scores order by score desc limit 2000)"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows if r[0] and len(r[0]) >= 5]


def _name_pattern(names: list[str]) -> re.Pattern:
    """Matches any of `names` as a whole word (a username is letters, digits, `_` and `.`)."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_.])(?:{alternatives})(?![A-Za-z0-9_.])")


def expect_no_real_name(page, names: re.Pattern) -> None:
    """No real username on the page; on failure, say which ones show."""
    body = page.locator("body")
    try:
        expect(body).not_to_contain_text(names)
    except AssertionError:
        shown = sorted(set(names.findall(body.inner_text())))
        raise AssertionError(f"demo mode shows real usernames: {shown[:10]}") from None


def test_demo_toggle_hides_every_real_username(page, app, e2e_workspace):
    """Turn demo mode on at Home -> no real username anywhere on Home or a creator's page."""
    names = _name_pattern(_real_names(e2e_workspace))
    app.open()
    expect(page.get_by_text("Worst creators")).to_be_visible()
    # The check needs real names on the page before demo mode.
    assert names.search(page.locator("[data-testid='stMain']").inner_text())
    with app.rerun("turning demo mode on"):
        page.get_by_text("Demo mode (pseudonymise usernames)").click()
    expect(page.get_by_text("Demo mode: names pseudonymised")).to_be_visible()
    expect_no_real_name(page, names)
    with app.rerun("opening the worst creator"):
        page.locator("[data-testid='stPageLink'] a", has_text="quality").first.click()
    expect(page).to_have_url(re.compile(r"demo=1"))
    expect(page.get_by_text("Click a shaded spike")).to_be_visible()
    expect_no_real_name(page, names)
    app.screenshot("demo_mode_growth")
