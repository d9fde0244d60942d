"""Missing data never counts as evidence: absent columns are marginalised out of the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from followaudit.detect import catalogue, explain, marginal
from followaudit.detect import model as mdl
from followaudit.pipeline.build import build_workspace
from followaudit.store.workspace import PROJECT_ROOT, Workspace

OPTIONAL = [
    "display_name",
    "bio",
    "has_external_link",
    "is_private",
    "is_verified",
    "likes_received",
    "likes_given",
    "last_active_at",
    "follows",  # the whole follow log
]
SAMPLE = 4_000


def _derived_from(column: str) -> list[str]:
    """Features that need `column` (an accounts column, or the follows table)."""
    source = column if column == "follows" else f"accounts.{column}"
    return [n for n, f in catalogue.FEATURES.items() if source in f.sources]


@pytest.fixture(scope="module")
def world(unlabelled_workspace_path):
    """A sample of the unlabelled sample world's features, the default model and its SHAP."""
    ws = Workspace.open(unlabelled_workspace_path)
    try:
        frame = ws.con.sql(
            f"select * from account_features using sample {SAMPLE} rows (reservoir, 7)"
        ).pl()
    finally:
        ws.close()
    bundle = mdl.load_default()
    x = bundle.matrix(frame)
    return frame, bundle, explain.contributions(bundle, x), bundle.predict(frame)


@pytest.mark.parametrize("column", OPTIONAL)
def test_dropping_a_column_never_adds_evidence(world, column):
    frame, bundle, shap, before = world
    gone = _derived_from(column)
    adapted = bundle.adapted_to(frame.drop(gone))
    assert set(adapted.card["marginalised"]) == set(gone)
    after = adapted.predict(frame.drop(gone))
    own = shap[:, [bundle.features.index(g) for g in gone]].sum(axis=1)
    # Where the column was not evidence of genuineness, losing it cannot raise the score: the
    # shipped model read a missing likes_given as "never liked anything" (+0.99 before the fix).
    rise = (after - before)[own >= 0]
    assert np.quantile(rise, 0.99) <= 0.01 and rise.max() <= 0.2, (column, rise.max())
    assert (after - before).mean() <= 0.01  # nor the population's score as a whole


@pytest.mark.parametrize("column", OPTIONAL)
def test_a_missing_column_is_never_a_reason(world, column):
    frame, bundle, _, _ = world
    gone = _derived_from(column)
    adapted = bundle.adapted_to(frame.drop(gone))
    assert not set(gone) & set(adapted.used_features)
    rows = frame.drop(gone).head(50)
    for index in range(rows.height):
        result = explain.explain_account(adapted, rows.slice(index, 1))
        assert not {c.feature for c in result.contributions} & set(gone)
        # the model reads nothing of it: its SHAP value is exactly zero, not hidden
        x = adapted.matrix(rows.slice(index, 1))
        contrib = explain.contributions(adapted, x)[0]
        assert all(contrib[adapted.features.index(g)] == 0.0 for g in gone)
        assert contrib.sum() == pytest.approx(adapted.booster.predict(x, raw_score=True)[0])


def test_marginalising_nothing_changes_nothing(world):
    frame, bundle, shap, _ = world
    same = marginal.rewrite_booster(bundle.booster, [], [])
    x = bundle.matrix(frame)
    np.testing.assert_array_equal(
        same.predict(x, raw_score=True), bundle.booster.predict(x, raw_score=True)
    )
    np.testing.assert_allclose(same.predict(x, pred_contrib=True), shap, atol=1e-6)


def test_a_marginalised_feature_no_longer_matters(world):
    frame, bundle, _, _ = world
    rewritten = marginal.rewrite_booster(bundle.booster, ["likes_given"], [])
    x = bundle.matrix(frame)
    moved = x.copy()
    moved[:, bundle.features.index("likes_given")] = 1e6
    np.testing.assert_array_equal(
        rewritten.predict(x, raw_score=True), rewritten.predict(moved, raw_score=True)
    )


def test_nan_where_training_saw_none_is_averaged_not_read_as_zero(world):
    frame, bundle, _, _ = world
    name = "likes_given"
    assert name in marginal.never_missing_features(bundle.booster)
    guarded = marginal.rewrite_booster(bundle.booster, [], [name])
    dropped = marginal.rewrite_booster(bundle.booster, [name], [])
    x = bundle.matrix(frame)
    holes = x.copy()
    holes[::2, bundle.features.index(name)] = np.nan
    out = guarded.predict(holes, raw_score=True)
    np.testing.assert_allclose(out[::2], dropped.predict(x, raw_score=True)[::2], atol=1e-9)
    np.testing.assert_array_equal(out[1::2], bundle.booster.predict(x, raw_score=True)[1::2])
    contrib = guarded.predict(holes[:20:2], pred_contrib=True)
    assert np.abs(contrib[:, bundle.features.index(name)]).max() < 1e-6


GENUINE_IN_UPLOAD: list[int] = []


def _four_account_upload(folder: Path) -> Path:
    """Two genuine and two fake sample accounts with their follows, but no likes_given column."""
    data = folder / "data"
    data.mkdir(parents=True)
    sample = PROJECT_ROOT / "sample_data"
    labels = pl.read_parquet(sample / "labels.parquet")
    picked = pl.concat([labels.filter(pl.col("label") == k).head(2) for k in ("genuine", "fake")])
    ids = picked["account_id"].implode()
    GENUINE_IN_UPLOAD[:] = picked.filter(pl.col("label") == "genuine")["account_id"].to_list()
    accounts = pl.read_parquet(sample / "accounts.parquet").filter(pl.col("account_id").is_in(ids))
    accounts.drop("likes_given").write_csv(data / "accounts.csv")
    follows = pl.read_parquet(sample / "follows.parquet").filter(
        pl.col("follower_id").is_in(ids) & pl.col("creator_id").is_in(ids)
    )
    follows.write_csv(data / "follows.csv")
    return data


def test_an_upload_without_likes_given_is_not_scored_on_it(tmp_path):
    path = tmp_path / "w.duckdb"
    build_workspace(_four_account_upload(tmp_path), path)
    ws = Workspace.open(path)
    try:
        scores = ws.con.sql(
            "select s.account_id, s.score, a.has_profile_pic, a.video_count "
            "from account_scores s join accounts a using (account_id) order by account_id"
        ).pl()
        features = ws.con.sql("select * from account_features order by account_id").pl()
        bundle = mdl.load_for_workspace(ws)  # what the app explains with
    finally:
        ws.close()
    assert bundle.card["marginalised"] == ["likes_given"]
    for row, stored in zip(features.iter_slices(1), scores.iter_rows(named=True), strict=True):
        result = explain.explain_account(bundle, row)
        assert result.score == pytest.approx(stored["score"], abs=1e-12)
        assert not any("like" in r.lower() and "given" in r.lower() for r in result.reasons())
        assert "likes_given" not in {c.feature for c in result.contributions}
    genuine = scores.filter(pl.col("account_id").is_in(GENUINE_IN_UPLOAD))
    assert genuine.height == 2 and (genuine["score"] < 0.5).all()
