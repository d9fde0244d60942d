"""Training, calibration, out-of-fold honesty, save/load and workspace scoring."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from detector_world import scored_workspace
from sklearn.metrics import roc_auc_score

from followaudit.detect import calibration, metrics, training
from followaudit.detect import default_training as dt
from followaudit.detect import model as mdl
from followaudit.store.workspace import Workspace, sidecar_dir


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The tiny labelled world, scored with a model trained on its labels."""
    folder = tmp_path_factory.mktemp("trained")
    con = scored_workspace(folder)
    yield con, folder / "model"
    con.close()


def test_score_workspace_writes_scores_and_model(trained):
    con, model_dir = trained
    scores = con.sql("select * from account_scores").pl()
    assert scores.columns == ["account_id", "score", "oof_score", "model_flagged"]
    assert scores.schema["model_flagged"] == pl.Boolean and scores["score"].is_between(0, 1).all()
    assert scores.height == con.execute("select count(*) from accounts").fetchall()[0][0]
    labelled = con.execute("select count(*) from labels").fetchall()[0][0]
    assert scores["oof_score"].is_not_null().sum() == labelled  # creators are unlabelled
    card = json.loads((model_dir / "card.json").read_text())
    assert card["cv"]["pr_auc"] > 0.95 and len(card["cv"]["per_fold"]) == card["folds"] == 5
    assert set(card["per_kind_recall_at_fpr_1pct"]) == {"burst", "drip", "camouflaged"}
    assert card["calibration_curve"] and card["data_fingerprint"]
    # build-time flags are the model's own line from its card, never a policy's
    line = mdl.operating_threshold(card)
    assert line == card["thresholds"]["f1"]
    assert scores["model_flagged"].to_list() == (scores["score"] >= line).to_list()


def test_round_trip_gives_identical_predictions(trained, tmp_path):
    con, model_dir = trained
    frame = con.sql("select * from account_features").pl()
    bundle = mdl.load(model_dir)
    bundle.save(tmp_path / "copy")
    again = mdl.load(tmp_path / "copy")
    assert again.features == bundle.features
    np.testing.assert_array_equal(again.predict(frame), bundle.predict(frame))
    stored = con.sql("select score from account_scores order by account_id").pl()["score"]
    np.testing.assert_allclose(bundle.predict(frame.sort("account_id")), stored.to_numpy())


@pytest.fixture(scope="module")
def noise_training():
    """Noise features, random labels: the final model memorises its rows, out-of-fold it cannot."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(1200, 6)), rng.integers(0, 2, 1200)
    return x, y, training.train(x, y, [f"noise{i}" for i in range(6)])


def test_thresholds_come_from_out_of_fold_scores_not_training_rows(noise_training):
    x, y, result = noise_training
    in_sample = roc_auc_score(y, result.bundle.predict(x))
    assert in_sample > 0.9  # the model trained on these rows overfits them ...
    assert result.bundle.card["cv"]["roc_auc"] < 0.6  # ... the card reports out-of-fold truth
    assert result.bundle.card["thresholds"] == metrics.choose_thresholds(y, result.oof)
    leaky = metrics.choose_thresholds(y, result.bundle.predict(x))
    assert leaky["f1_value"] > result.bundle.card["thresholds"]["f1_value"] + 0.2


def test_choose_thresholds_on_hand_made_scores():
    y = np.array([0, 0, 0, 0, 1, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    chosen = metrics.choose_thresholds(y, scores, fpr=0.0)
    assert chosen["fpr_1pct"] == 0.7 and chosen["recall_at_fpr_1pct"] == pytest.approx(2 / 3)
    assert chosen["f1"] == 0.5 and chosen["f1_value"] == pytest.approx(6 / 7)


@pytest.mark.parametrize("rows", [200, 3000])
def test_calibration_is_monotone_and_honest(rows):
    rng = np.random.default_rng(0)
    raw = rng.uniform(size=rows)
    y = (rng.uniform(size=rows) < raw**2).astype(int)  # raw over-states P(fake)
    cal = calibration.Calibration.fit(raw, y)
    assert cal.method == ("isotonic" if rows >= calibration.ISOTONIC_MIN_ROWS else "platt")
    grid = np.linspace(0, 1, 101)
    assert np.all(np.diff(cal.apply(grid)) > 0)  # strictly: the model's ranking survives
    assert abs(cal.apply(np.array([0.5]))[0] - 0.25) < 0.1


def test_unlabelled_workspace_uses_default_model_and_keeps_it(tmp_path):
    con = scored_workspace(tmp_path, labelled=False)
    try:
        scores = con.sql("select * from account_scores").pl()
        assert scores["oof_score"].is_null().all() and scores["score"].is_not_null().all()
        frame = con.sql("select * from account_features order by account_id").pl()
        default = mdl.load_default(frame.columns).adapted_to(frame)
        np.testing.assert_allclose(scores.sort("account_id")["score"], default.predict(frame))
        # the build keeps the very model that scored (step 8 stores it in the workspace file),
        # so the app explains the same numbers
        kept = mdl.load(tmp_path / "model")
        assert kept.source == "default" and kept.card["variant"] == default.card["variant"]
        np.testing.assert_array_equal(kept.predict(frame), default.predict(frame))
    finally:
        con.close()


def _workspace_with_model(path: Path, model_dir: Path | None) -> Workspace:
    con = duckdb.connect(str(path))
    if model_dir is not None:
        mdl.store_in_workspace(con, model_dir)
    con.close()
    return Workspace.open(path)


def test_load_for_workspace_reads_the_model_stored_in_the_workspace(trained, tmp_path):
    _, model_dir = trained
    ws = _workspace_with_model(tmp_path / "own.duckdb", model_dir)
    assert mdl.load_for_workspace(ws).card["trained_on"] == "workspace labels"
    ws.close()
    ws = _workspace_with_model(tmp_path / "default.duckdb", tmp_path / "no_model")
    assert mdl.load_for_workspace(ws).card["variant"] == "full"
    ws.close()


def test_a_stored_default_ignores_a_stale_model_folder(trained, tmp_path):
    """A workspace that scored with the default says so itself; an old W.d/model is not its model."""
    _, model_dir = trained
    mdl.load(model_dir).save(sidecar_dir(tmp_path / "w.duckdb") / "model")
    ws = _workspace_with_model(tmp_path / "w.duckdb", tmp_path / "no_model")
    assert mdl.load_for_workspace(ws).card["variant"] == "full"
    ws.close()


def test_a_workspace_built_before_stored_models_reads_its_model_folder(trained, tmp_path):
    _, model_dir = trained
    ws = _workspace_with_model(tmp_path / "w.duckdb", None)
    assert mdl.load_for_workspace(ws).card["variant"] == "full"
    mdl.load(model_dir).save(ws.sidecar / "model")
    assert mdl.load_for_workspace(ws).card["trained_on"] == "workspace labels"
    ws.close()


def test_missing_model_and_too_few_labels_say_why(tmp_path):
    with pytest.raises(mdl.ModelError, match="model.txt"):
        mdl.load(tmp_path)
    with pytest.raises(mdl.ModelError, match="at least 2 fake and 2 genuine"):
        training.train(np.zeros((5, 1)), np.array([1, 0, 0, 0, 0]), ["x"])


def test_default_model_has_a_profile_only_twin_for_tables_without_follows():
    full = mdl.load_default()
    assert full.card["variant"] == "full" and mdl.FOLLOW_FEATURES & set(full.features)
    twin = mdl.load_default(["has_profile_pic", "follower_count", "extra_listed"])
    assert twin.card["variant"] == "profile" and not mdl.FOLLOW_FEATURES & set(twin.features)
    assert mdl.load_default(["has_profile_pic", "lockstep_score"]).card["variant"] == "full"


def test_train_default_is_reproducible(tmp_path):
    from detector_world import write_world

    data = write_world(tmp_path / "data", n_genuine=200, n_fake=120)
    first = dt.train_default(data, tmp_path / "a")
    second = dt.train_default(data, tmp_path / "b")
    assert (tmp_path / "a" / "model.txt").read_text() == (tmp_path / "b" / "model.txt").read_text()
    assert first.card["cv"] == second.card["cv"]
    assert (tmp_path / "a" / "profile_model.txt").exists()


def test_cross_calibration_never_sees_a_folds_own_labels():
    rng = np.random.default_rng(2)
    raw = rng.uniform(size=4000)
    y = (rng.uniform(size=4000) < raw).astype(int)
    folds = np.arange(4000) % 5
    honest = calibration.cross_calibrated(raw, y, folds)
    assert np.corrcoef(honest, raw)[0, 1] > 0.95
    flipped = np.where(folds == 0, 1 - y, y)  # fold 0's labels turned upside down
    again = calibration.cross_calibrated(raw, flipped, folds)
    np.testing.assert_array_equal(again[folds == 0], honest[folds == 0])  # its map never saw them
    assert not np.allclose(again[folds != 0], honest[folds != 0])  # the other folds' maps did


def test_calibration_curve_is_cross_fitted(noise_training):
    """A calibration map graded on its own rows looks perfect: an isotonic step predicts exactly
    its rows' fake share, so every point of a self-graded curve lies on the diagonal. On noise,
    an honest (cross-fitted) curve cannot."""
    _, y, result = noise_training
    curve = result.bundle.card["calibration_curve"]
    assert sum(point["rows"] for point in curve) == len(y)
    off_diagonal = max(abs(point["predicted"] - point["observed"]) for point in curve)
    assert off_diagonal > 1e-3, f"every point on the diagonal: self-graded ({off_diagonal:.1e})"
    honest = calibration.cross_calibrated(result.oof_raw, y, result.fold_ids)
    assert curve == metrics.calibration_curve(y, honest)


def test_large_label_sets_train_on_a_sample_with_matching_oof(trained, monkeypatch):
    con, _ = trained
    labelled = training.labelled_frame(con)
    monkeypatch.setattr(training, "TRAIN_CAP", 300)
    names = [c for c in labelled.columns if c not in ("account_id", "y", "fake_kind")]
    result = training.train_on_labelled(labelled, names)
    assert len(result.account_ids) == len(result.oof) == result.bundle.card["rows"] == 300
    assert result.bundle.card["labelled_accounts"] == labelled.height
    sampled = labelled.filter(pl.col("account_id").is_in(result.account_ids))
    assert abs(sampled["y"].mean() - labelled["y"].mean()) < 0.1


def test_large_samples_cut_fewer_folds_from_one_binning_and_keep_the_final_fit(
    noise_training, monkeypatch
):
    """From LARGE_FROM_ROWS rows: LARGE_FOLDS folds, each a subset of one binned Dataset; the
    final model (fit on all rows) is the same fit as when every fit bins its own rows."""
    x, y, small = noise_training
    monkeypatch.setattr(training, "LARGE_FROM_ROWS", 1000)
    frame = pl.DataFrame(x, schema=[f"noise{i}" for i in range(6)]).with_columns(
        pl.Series("account_id", range(len(y))), pl.Series("y", y), fake_kind=pl.lit(None)
    )
    large = training.train_on_labelled(frame, [f"noise{i}" for i in range(6)])
    assert large.bundle.card["folds"] == training.LARGE_FOLDS == 3
    assert sorted(np.unique(large.fold_ids)) == [0, 1, 2]
    as_text = [r.bundle.booster.model_to_string() for r in (small, large)]
    assert as_text[0] == as_text[1]
    assert roc_auc_score(y, large.oof_raw) < 0.6  # still out-of-fold: noise cannot be learnt


def test_masked_sources_hide_whole_source_groups():
    frame = pl.DataFrame(
        {
            "account_id": range(1000),
            "y": [0, 1] * 500,
            "likes_given": [1.0] * 1000,
            "bio_length": [3.0] * 1000,
            "display_name_word_count": [2.0] * 1000,
            "name_equals_username": [0.0] * 1000,
            "follower_count": [5.0] * 1000,
        }
    )
    masked = dt.with_masked_sources(frame)
    share = masked["likes_given"].null_count() / 1000
    assert abs(share - dt.MASKED_SHARE) < 0.06
    assert masked["follower_count"].null_count() == 0  # counts are always present
    # hiding display_name hides every feature built from it (name_equals_username also needs it)
    hidden = masked.filter(pl.col("display_name_word_count").is_null())
    assert hidden.height > 0 and hidden["name_equals_username"].null_count() == hidden.height


def test_threads_split_big_work_across_cores_and_keep_small_calls_on_one(monkeypatch):
    monkeypatch.delenv("FOLLOWAUDIT_THREADS", raising=False)
    assert mdl.threads(1, "contrib") == 1  # one account's explanation in the app
    assert mdl.threads(10_000, "contrib") == mdl.CORES  # the build's SHAP set
    assert mdl.threads(1_000_000) == mdl.CORES  # scoring every account
    assert mdl.threads(5_000, "train") == 1  # a handful of labels trains in milliseconds
    monkeypatch.setenv("FOLLOWAUDIT_THREADS", "1")
    assert mdl.threads(1_000_000) == 1
