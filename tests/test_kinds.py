"""Per-kind figures and leave-one-kind-out on hand-made feature tables."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from followaudit.detect import kinds


def _frame(n=3000, seed=0) -> pl.DataFrame:
    """Fakes of kind `loud` show in f1, fakes of kind `quiet` only in f2; two genuine kinds."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["loud", "quiet", "regular", "lurker"], n, p=[0.15, 0.15, 0.5, 0.2])
    fake = np.isin(kind, ["loud", "quiet"])
    return pl.DataFrame(
        {
            "account_id": np.arange(n),
            "f1": rng.normal(np.where(kind == "loud", 3.0, 0.0), 1.0),
            "f2": rng.normal(np.where(kind == "quiet", 3.0, 0.0), 1.0),
            "f3": rng.normal(0, 1, n),
            "y": fake.astype(np.int8),
            "fake_kind": pl.Series(np.where(fake, kind, None).tolist(), dtype=pl.String),
            "genuine_kind": pl.Series(np.where(fake, None, kind).tolist(), dtype=pl.String),
        }
    )


def test_a_kind_only_caught_when_seen_in_training_shows_as_such():
    result = kinds.leave_one_kind_out(_frame(), ["quiet", "lurker"], folds=3)
    quiet = result["quiet"]
    assert quiet["fake"] and quiet["seen"] > 0.6 and quiet["unseen"] < 0.2
    lurker = result["lurker"]  # nothing sets lurkers apart: unseen or not, about 1 % flagged
    assert not lurker["fake"] and lurker["unseen"] < 0.05 and lurker["seen"] < 0.05


def test_per_kind_reports_recall_per_fake_kind_and_flags_per_genuine_kind():
    frame = _frame(n=2000)
    scores = frame["f1"].to_numpy()  # a detector that only knows the loud kind
    report = kinds.per_kind(frame, scores, flagged=scores > 2.5)
    assert (
        report["kinds"]["loud"]["above_cut"] > 0.6
    )  # N(3, 1) above the 99th percentile of N(0, 1)
    assert report["kinds"]["quiet"]["above_cut"] < 0.05
    assert report["kinds"]["regular"]["above_cut"] < 0.03
    assert report["kinds"]["loud"]["flagged"] == pytest.approx(
        (frame.filter(pl.col("fake_kind") == "loud")["f1"] > 2.5).mean()
    )
    assert 0.6 < report["roc_auc"] < 0.9
