"""SHAP explanations: they add up to the model's margin, read as sentences, and are precomputed."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from detector_world import scored_workspace
from polars.testing import assert_frame_equal

from followaudit.detect import explain
from followaudit.detect import model as mdl


@pytest.fixture(scope="module")
def explained(tmp_path_factory):
    """The tiny labelled world, scored and with explanations precomputed."""
    folder = tmp_path_factory.mktemp("explained")
    con = scored_workspace(folder)
    explain.precompute(con, folder / "model")
    yield con, mdl.load(folder / "model")
    con.close()


def _fake_row(con) -> pl.DataFrame:
    return con.sql(
        "select f.* from account_features f join labels l using (account_id) "
        "where l.label = 'fake' order by account_id limit 1"
    ).pl()


def test_explanation_sums_to_the_margin_and_score(explained):
    con, bundle = explained
    row = _fake_row(con)
    result = explain.explain_account(bundle, row)
    margin = bundle.booster.predict(bundle.matrix(row), raw_score=True)[0]
    assert result.base_value + sum(c.shap for c in result.contributions) == pytest.approx(margin)
    assert result.margin == pytest.approx(margin)
    assert result.score == pytest.approx(bundle.predict(row)[0])
    assert 0 <= result.base_probability <= 1 and result.score > result.base_probability
    shaps = [abs(c.shap) for c in result.contributions]
    assert shaps == sorted(shaps, reverse=True)


def test_explanation_accepts_a_dict_and_missing_features(explained):
    _, bundle = explained
    result = explain.explain_account(bundle, {"has_profile_pic": 0.0, "video_count": 0.0})
    values = {c.feature: c.value for c in result.contributions}
    assert values["has_profile_pic"] == 0.0 and values["lockstep_score"] is None
    with pytest.raises(ValueError, match="exactly one row"):
        explain.explain_account(bundle, pl.DataFrame({"video_count": [1.0, 2.0]}))


def test_reason_sentences_are_positive_contributions_in_words(explained):
    con, bundle = explained
    result = explain.explain_account(bundle, _fake_row(con))
    sentences = explain.reason_sentences(result, top=3)
    positive = [c for c in result.contributions if c.shap > 0][:3]
    assert len(sentences) == len(positive) > 0
    for sentence, contribution in zip(sentences, positive, strict=True):
        assert sentence == f"{contribution.sentence} (+{contribution.shap:.1f})"
    frame = result.frame()
    assert frame.columns == ["feature", "value", "shap", "description", "sentence"]


def test_precompute_covers_flagged_and_labelled_accounts(explained):
    con, bundle = explained
    shap = con.sql("select * from account_shap").pl()
    assert shap.columns == ["account_id", "feature", "value", "shap"]
    explained_ids = set(shap["account_id"].unique())
    flagged = set(con.sql("select account_id from account_scores where flagged").pl()["account_id"])
    labelled = set(con.sql("select account_id from labels").pl()["account_id"])
    assert flagged | labelled == explained_ids
    assert shap.group_by("account_id").len()["len"].unique().to_list() == [len(bundle.features)]
    reasons = con.sql("select flagged, top_reasons from account_scores where flagged").pl()
    assert reasons.height > 0 and reasons["top_reasons"].str.contains(r"\(\+\d").all()


@pytest.mark.parametrize("label", ["fake", "genuine"])
def test_precomputed_shap_matches_on_demand(explained, label):
    """Every labelled account has one stored row per model feature, equal to explaining it now."""
    con, bundle = explained
    row = con.sql(
        "select f.* from account_features f join labels l using (account_id) "
        "where l.label = $label order by account_id limit 1",
        params={"label": label},
    ).pl()
    on_demand = explain.explain_account(bundle, row).frame().select("feature", "value", "shap")
    stored = con.sql(
        "select feature, value, shap from account_shap where account_id = $id",
        params={"id": row["account_id"][0]},
    ).pl()
    assert sorted(stored["feature"]) == sorted(bundle.features)
    assert_frame_equal(stored.sort("feature"), on_demand.sort("feature"), check_dtypes=False)


def test_global_sample_is_stratified_and_weighted(explained):
    con, _ = explained
    sample = con.sql(
        "select stratum, count(distinct account_id) as n, any_value(weight) as w "
        "from shap_sample group by stratum order by stratum"
    ).pl()
    population = con.sql("select flagged, count(*) as n from account_scores group by 1").pl()
    assert sample["stratum"].to_list() == ["flagged", "not flagged"]
    assert sample["n"].sum() <= explain.SAMPLE_SIZE
    total = (sample["n"] * sample["w"]).sum()
    assert total == pytest.approx(population["n"].sum())


def test_stratified_sampling_balances_strata():
    frame = pl.DataFrame({"k": [0] * 90 + [1] * 10, "v": np.arange(100)})
    sample = explain._stratified(frame, "k", 30)
    counts = dict(sample.group_by("k").len().iter_rows())
    assert counts == {1: 10, 0: 20}
