"""Explanations: log-odds that add up to the margin, calibrated ends equal to the stored score,
reasons on both sides with values in context, and bounded build-time tables."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from detector_world import scored_workspace
from polars.testing import assert_frame_equal

from followaudit.detect import explain, explain_tables, reference
from followaudit.detect import model as mdl


@pytest.fixture(scope="module")
def explained(tmp_path_factory):
    """The tiny labelled world, scored, with the build's explanation tables."""
    folder = tmp_path_factory.mktemp("explained")
    con = scored_workspace(folder)
    explain_tables.precompute(con, folder / "model")
    ref = reference.from_frame(con.sql("select * from feature_reference").pl())
    yield con, mdl.load(folder / "model"), ref
    con.close()


def _row(con, label: str) -> pl.DataFrame:
    return con.sql(
        "select f.* from account_features f join labels l using (account_id) "
        "where l.label = $label order by account_id limit 1",
        params={"label": label},
    ).pl()


def test_explanation_adds_up_in_log_odds_and_ends_at_the_stored_score(explained):
    con, bundle, ref = explained
    row = _row(con, "fake")
    result = explain.explain_account(bundle, row, ref)
    margin = bundle.booster.predict(bundle.matrix(row), raw_score=True)[0]
    assert result.base_value + sum(c.shap for c in result.contributions) == pytest.approx(margin)
    assert result.margin == pytest.approx(margin)
    stored = con.sql(
        "select score from account_scores where account_id = $id",
        params={"id": row["account_id"][0]},
    ).fetchall()[0][0]
    assert result.score == pytest.approx(stored, abs=1e-12)  # the header's number, exactly
    assert result.base_probability == pytest.approx(explain.calibrated(bundle, result.base_value))
    shaps = [abs(c.shap) for c in result.contributions]
    assert shaps == sorted(shaps, reverse=True)


def test_explanation_accepts_a_dict_and_missing_features(explained):
    _, bundle, _ = explained
    result = explain.explain_account(bundle, {"has_profile_pic": 0.0, "video_count": 0.0})
    values = {c.feature: c.value for c in result.contributions}
    assert values["has_profile_pic"] == 0.0 and values["lockstep_score"] is None
    with pytest.raises(ValueError, match="exactly one row"):
        explain.explain_account(bundle, pl.DataFrame({"video_count": [1.0, 2.0]}))


def test_reasons_have_two_sides_with_signed_log_odds(explained):
    con, bundle, ref = explained
    fake = explain.explain_account(bundle, _row(con, "fake"), ref)
    genuine = explain.explain_account(bundle, _row(con, "genuine"), ref)
    assert fake.score > 0.5 > genuine.score
    pushing_up = fake.side(explain.FAKE, top=3)
    assert pushing_up and all(c.shap >= explain.MIN_REASON for c in pushing_up)
    assert fake.reasons(explain.FAKE, top=3) == [c.reason for c in pushing_up]
    why_genuine = genuine.side(explain.GENUINE, top=3)
    assert why_genuine and all(c.shap <= -explain.MIN_REASON for c in why_genuine)
    assert all(r.endswith(")") and "(-" in r for r in genuine.reasons(explain.GENUINE))
    assert [c.shap for c in why_genuine] == sorted(c.shap for c in why_genuine)


def test_each_reason_sets_the_value_against_genuine_accounts(explained):
    con, bundle, ref = explained
    result = explain.explain_account(bundle, _row(con, "fake"), ref)
    age = next(c for c in result.contributions if c.feature == "account_age_days")
    assert age.context and age.context.startswith(("younger than", "older than", "within", "like"))
    assert age.reason.startswith(f"{age.sentence} — {age.context} (")
    assert ref.short_name == "genuine accounts"
    frame = result.frame()
    assert frame.columns == ["feature", "value", "shap", "description", "sentence", "context"]


def test_reference_words_a_value_against_the_population():
    ref = reference.Reference(
        "genuine",
        1000,
        {
            "account_age_days": np.linspace(10, 1010, 201),
            "has_profile_pic": np.r_[np.zeros(6), np.ones(195)],
            "video_count": np.r_[np.zeros(120), np.arange(1, 82)],
        },
    )
    assert ref.compare("account_age_days", 210.0) == "younger than 79% of genuine accounts"
    assert ref.compare("account_age_days", 5000.0) == "older than 99% of genuine accounts"
    assert ref.compare("account_age_days", 500.0) == "within the middle half of genuine accounts"
    assert ref.compare("has_profile_pic", 0.0) == "like only 3% of genuine accounts"
    assert ref.compare("video_count", 0.0) == "like 60% of genuine accounts"
    assert ref.compare("account_age_days", None) is None
    assert ref.compare("not_a_feature", 3.0) is None


def test_reference_falls_back_to_low_score_accounts_without_labels(tmp_path):
    con = scored_workspace(tmp_path, labelled=False)
    try:
        reference.build_reference(con)
        ref = reference.from_frame(con.sql("select * from feature_reference").pl())
        low = con.sql(
            "select count(*) from account_scores where score < $s",
            params={"s": reference.LOW_SCORE},
        ).fetchall()[0][0]
        assert ref.population == "low_score" and ref.accounts == low
        assert "low-score accounts" in ref.short_name and "below 10%" in ref.description
    finally:
        con.close()


def test_build_tables_are_bounded_samples(explained):
    con, bundle, _ = explained
    assert not con.sql(
        "select * from information_schema.tables where table_name = 'account_shap'"
    ).fetchall()
    sample = con.sql(
        "select stratum, count(distinct account_id) as n, any_value(weight) as w "
        "from shap_sample group by stratum order by stratum"
    ).pl()
    accounts = con.sql("select count(*) from account_scores").fetchall()[0][0]
    assert sample["n"].sum() <= explain_tables.SAMPLE_SIZE
    assert (sample["n"] * sample["w"]).sum() == pytest.approx(accounts)
    pairs = con.sql("select * from shap_interactions").pl()
    k = len(bundle.used_features)
    assert pairs.height == k * (k - 1) // 2 and (pairs["strength"] >= 0).all()
    assert pairs["strength"].to_list() == sorted(pairs["strength"].to_list(), reverse=True)


@pytest.mark.parametrize("stratum", [explain_tables.HIGH, explain_tables.LOW])
def test_sampled_shap_matches_on_demand(explained, stratum):
    """A sampled account has one stored row per feature the model reads, equal to explaining it now."""
    con, bundle, _ = explained
    account = con.sql(
        "select min(account_id) from shap_sample where stratum = $s", params={"s": stratum}
    ).fetchall()[0][0]
    row = con.sql(
        "select * from account_features where account_id = $id", params={"id": account}
    ).pl()
    on_demand = explain.explain_account(bundle, row).frame().select("feature", "value", "shap")
    stored = con.sql(
        "select feature, value, shap from shap_sample where account_id = $id",
        params={"id": account},
    ).pl()
    assert sorted(stored["feature"]) == sorted(bundle.used_features)
    assert_frame_equal(stored.sort("feature"), on_demand.sort("feature"), check_dtypes=False)


def test_reasons_table_explains_the_rows_it_is_given(explained):
    con, bundle, _ = explained
    rows = con.sql("select * from account_features order by account_id limit 7").pl()
    table = explain.reasons_table(bundle, rows, top=2)
    assert table["account_id"].to_list() == rows["account_id"].to_list()
    assert table["top_reasons"].str.count_matches("; ").max() <= 1
    assert explain.reasons_table(bundle, rows.head(0)).is_empty()


def test_stratified_sampling_balances_strata():
    frame = pl.DataFrame({"k": [0] * 90 + [1] * 10, "v": np.arange(100)})
    sample = explain_tables.stratified(frame, "k", 30)
    counts = dict(sample.group_by("k").len().iter_rows())
    assert counts == {1: 10, 0: 20}
