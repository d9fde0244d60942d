"""Shared fixtures: the sample workspace and an unlabelled one, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from platform_world import make_platform_world

from followaudit.pipeline.build import build_workspace
from followaudit.store.workspace import PROJECT_ROOT, Workspace

SAMPLE_DATA = PROJECT_ROOT / "sample_data"


@pytest.fixture(scope="session")
def sample_workspace_path(tmp_path_factory) -> Path:
    """The sample world built into a temporary workspace file (labels included)."""
    path = tmp_path_factory.mktemp("ws") / "sample.duckdb"
    build_workspace(SAMPLE_DATA, path)
    return path


@pytest.fixture(scope="session")
def sample_workspace(sample_workspace_path) -> Workspace:
    """The sample workspace opened read-only, as the app opens it."""
    ws = Workspace.open(sample_workspace_path)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def unlabelled_workspace_path(tmp_path_factory) -> Path:
    """The sample world without its labels table: scored by the shipped default model."""
    data = tmp_path_factory.mktemp("unlabelled_data")
    for file in SAMPLE_DATA.iterdir():
        if file.stem not in {"labels", "campaigns", "events"}:
            shutil.copy(file, data / file.name)
    path = tmp_path_factory.mktemp("ws_unlabelled") / "unlabelled.duckdb"
    build_workspace(data, path)
    return path


@pytest.fixture(scope="session")
def profile_only_workspace_path(tmp_path_factory) -> Path:
    """A platform export of 2,000 sample accounts (profile fields only: no follow log, no
    engagement, no labels) imported through a mapping and built, as an analyst would."""
    from export_table import EXPECTED, write_export

    from followaudit.data.importing import write_folder
    from followaudit.data.mapping_file import Mapping

    root = tmp_path_factory.mktemp("profile_only")
    export = write_export(root, rows=2000, labels=False)
    write_folder(export, Mapping("csv", columns=dict(EXPECTED)), root / "data")
    path = root / "profile_only.duckdb"
    build_workspace(root / "data", path)
    return path


@pytest.fixture(scope="session")
def no_engagement_workspace_path(tmp_path_factory) -> Path:
    """A generated 3,000-account world with follows and labels but no engagement table."""
    from followaudit.synth import WorldConfig, generate_world

    root = tmp_path_factory.mktemp("no_engagement")
    generate_world(root / "data", WorldConfig(seed=3, accounts=3000), show_progress=False)
    (root / "data" / "engagement_daily.parquet").unlink()
    path = root / "no_engagement.duckdb"
    build_workspace(root / "data", path)
    return path


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    """A ~2k-account world from the project's generator, with sub-second timestamps (platform
    logs have them; the generator writes whole seconds) so time arithmetic is exercised."""
    import numpy as np
    import polars as pl

    from followaudit.synth import WorldConfig, generate_world

    folder = tmp_path_factory.mktemp("small_world")
    generate_world(folder, WorldConfig(seed=3, accounts=2000, creators=40))
    rng = np.random.default_rng(3)
    for table, columns in {"accounts": ["created_at"], "follows": ["followed_at"]}.items():
        path = folder / f"{table}.parquet"
        frame = pl.read_parquet(path)
        jitter = pl.Series(rng.integers(0, 999_999, frame.height)).cast(pl.Duration("us"))
        frame = frame.with_columns(pl.col(c) + jitter for c in columns)
        frame.write_parquet(path)
    return folder


@pytest.fixture(scope="session")
def small_world_duckdb(small_world, tmp_path_factory) -> Path:
    """The small world built by the DuckDB engine: what the Spark builds are compared with."""
    path = tmp_path_factory.mktemp("small_world_duckdb") / "duckdb.duckdb"
    build_workspace(small_world, path)
    return path


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Cached query results must never leak between tests."""
    yield
    try:
        import streamlit as st
    except ImportError:  # pragma: no cover - streamlit is a core dependency
        return
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def platform_workspace_path(tmp_path_factory) -> Path:
    """The tiny generated world with 19-digit ids and hostile text (tests/platform_world.py)."""
    data = make_platform_world(tmp_path_factory.mktemp("platform_data"))
    path = tmp_path_factory.mktemp("ws_platform") / "platform.duckdb"
    build_workspace(data, path)
    return path
