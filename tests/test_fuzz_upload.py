"""Fuzzing the web app's uploads with Hypothesis (the CLI fuzz's strategies, tests/fuzz_strategies.py):
any files uploaded on the Data page are staged, validated and reported, or refused with a message;
any follower list uploaded on the Growth page is mapped, or refused with a message naming it.
Never an exception, and every reported cell reaches Markdown escaped.

150 derandomised cases (60 Data-page folders and 60 follower lists through the pages' own code,
30 through the running Data page in AppTest); with the CLI's 850 that makes issue 12's 1,000 cases,
within a minute on a quiet 2-core machine. FOLLOWAUDIT_FUZZ_SCALE=20 explores more, at random.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import fuzz_strategies as fs
from hypothesis import given
from streamlit.testing.v1 import AppTest
from test_fuzz_cli import cases

from followaudit.data.validate import problems_frame, validate_folder
from followaudit.growth import cohorts
from followaudit.store import uploads
from followaudit.store.workspace import PROJECT_ROOT
from followaudit.ui import charts
from followaudit.ui import data as ui_data
from followaudit.ui import growth as ui_growth

RAW_MARKUP = ("](http", "<b>", "\x00")  # what the strategies' cells hold, unescaped
UPLOADABLE = (".csv", ".parquet")  # the Data page uploader's types


def _files(entries: list[fs.Entry]) -> list[tuple[str, bytes]]:
    """What a browser can upload: files (not folders), by name."""
    return [(e.name, e.data) for e in entries if e.data is not None]


@given(entries=fs.folder_entries())
@cases(60)
def test_any_upload_is_staged_and_every_problem_reported(entries):
    with tempfile.TemporaryDirectory() as tmp:
        try:
            folder = uploads.stage_uploads(_files(entries), Path(tmp))
        except uploads.UploadError as exc:
            assert str(exc)
            return
        for row in problems_frame(validate_folder(folder)).iter_rows(named=True):
            line = ui_data._line(row)  # the sentence the page shows, in Markdown
            assert not any(raw in line for raw in RAW_MARKUP), line


@given(followers=fs.follower_list())
@cases(60)
def test_any_follower_list_is_mapped_or_refused_by_name(followers):
    suffix, data = followers
    name = f"followers{suffix}"
    try:
        timed, _, scored = ui_growth._follower_list(name, data)
    except cohorts.FollowerListError as exc:
        assert name in str(exc) or "NUL" in str(exc), str(exc)
        assert tempfile.gettempdir() not in str(exc)
        return
    points = cohorts.follower_map_frame(scored, max_points=charts.MAX_MARKS)
    charts.follower_map(points).to_dict()
    assert timed.height == scored.height


@given(entries=fs.folder_entries(max_files=3))
@cases(30)
def test_the_data_page_answers_any_upload_without_a_traceback(entries):
    # The uploader's own check (Streamlit's, before the page runs) refuses other suffixes.
    files = [(n, d) for n, d in _files(entries) if n.lower().endswith(UPLOADABLE)]
    if not files:
        return
    with tempfile.TemporaryDirectory() as tmp, _data_page_on(Path(tmp)):
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
        at.switch_page("pages/7_Data.py")
        at.run()
        at.radio(key="data_mode").set_value(ui_data.MODE).run()  # the wizard is the default
        at.file_uploader(key="data_upload").set_value([(n, d, "text/csv") for n, d in files])
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.error or at.success, "the upload was neither reported nor refused"


@contextmanager
def _data_page_on(tmp: Path):
    """No workspace open (the page shows only its upload part) and uploads staged under `tmp`."""
    env = {"FOLLOWAUDIT_WORKSPACE": str(tmp / "none.duckdb")}
    with mock.patch.dict(os.environ, env), mock.patch.object(ui_data, "UPLOADS_DIR", tmp / "up"):
        yield
