"""`followaudit train-default`: the shipped default model and its profile-only twin, trained on a
labelled data folder (the twin with optional sources masked, so it knows "not observed")."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from followaudit.data.load import load_folder
from followaudit.detect import catalogue
from followaudit.detect import features as feats
from followaudit.detect.model import FOLLOW_FEATURES, PROFILE_PREFIX, ModelBundle, ModelError
from followaudit.detect.monotone import monotone_params
from followaudit.detect.training import SEED, labelled_frame, train_on_labelled, trainable

MASKED_SHARE = 0.3
# canonical account columns an imported table may lack (the counts are always there)
REQUIRED_COUNTS = {"account_id", "follower_count", "following_count", "video_count"}
OPTIONAL_SOURCES = set(feats.ACCOUNT_COLUMNS) - REQUIRED_COUNTS


def with_masked_sources(labelled: pl.DataFrame, share: float = MASKED_SHARE) -> pl.DataFrame:
    """Each optional source column's features set to NULL on a random `share` of rows."""
    # Imported tables lack whole columns; a model that never saw them missing would read NaN
    # as zero ("never liked anything"). Masking teaches the twin what "not observed" means.
    rng = np.random.default_rng(SEED)
    groups: dict[str, list[str]] = {}
    for name, feature in catalogue.FEATURES.items():
        for source in feature.sources:
            if name in labelled.columns and source.removeprefix("accounts.") in OPTIONAL_SOURCES:
                groups.setdefault(source, []).append(name)
    masks = {}
    for names in groups.values():
        hide = pl.Series(rng.random(labelled.height) < share)
        for name in names:
            masks[name] = hide if name not in masks else masks[name] | hide
    return labelled.with_columns(
        pl.when(hide).then(None).otherwise(pl.col(n)).alias(n) for n, hide in masks.items()
    )


def train_default(data_dir: str | Path, out_dir: str | Path) -> ModelBundle:
    """Load a labelled data folder in memory, build features, train and save the default model."""
    con = duckdb.connect()
    try:
        load_folder(con, data_dir)
        feats.build_account_features(con)
        labelled = labelled_frame(con)
        if not trainable(labelled):
            raise ModelError(f"{data_dir} has no labels with both fake and genuine accounts")
        names = feats.feature_columns(
            con.cursor().sql("select * from account_features limit 0").pl()
        )
        trained_on = {"trained_on": f"{Path(data_dir).name}/"}
        result = train_on_labelled(labelled, names, {**trained_on, "variant": "full"})
        profile_names = [n for n in names if n not in FOLLOW_FEATURES]
        twin_card = {**trained_on, "variant": "profile", "masked_share": MASKED_SHARE}
        monotone = monotone_params(profile_names)
        twin = train_on_labelled(with_masked_sources(labelled), profile_names, twin_card, monotone)
    finally:
        con.close()
    result.bundle.save(out_dir)
    twin.bundle.save(out_dir, PROFILE_PREFIX)
    return result.bundle
