"""The workspace side of every decision: scores, labels, features, segments, the follow log.

Policy-free, so it is read once per workspace version (`load_inputs`) and shared by every
policy; `inputs_from_frames` builds the same from frames (the sandbox's scratch world, tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from followaudit.decide.impact import FollowGraph
from followaudit.decide.thresholds import age_band

REVIEW_CODES = {"fake": 1, "genuine": 0, "unsure": -1}


@dataclass(frozen=True)
class DecisionInputs:
    """The workspace side of every decision, in `account_id` order (read once per version)."""

    account_ids: np.ndarray  # int64, sorted
    score: np.ndarray  # calibrated P(fake)
    eval_score: np.ndarray  # out-of-fold score where the model trained on the account, else score
    truth: np.ndarray  # int8 from the workspace's labels table: 1 fake, 0 genuine, -1 none
    features: pl.DataFrame  # account_id + feature columns, same rows
    segments: pl.DataFrame  # region, age_band, verified, private, same rows
    graph: FollowGraph | None  # current follows; None without a follow log
    oof_count: int = 0  # labelled accounts with an out-of-fold score

    @property
    def accounts(self) -> int:
        """Accounts in the workspace."""
        return len(self.account_ids)


def load_inputs(ws) -> DecisionInputs:
    """Read scores, labels, features, segments and current follows from a workspace."""
    accounts = ws.query("policy/lab_accounts")
    features = accounts.select("account_id").join(
        ws.query("policy/account_features"), on="account_id", how="left", maintain_order="left"
    )
    age = (
        features["account_age_days"]
        if "account_age_days" in features.columns
        else pl.Series([None] * accounts.height, dtype=pl.Float64)
    )
    segments = accounts.select("region", "verified", "private").with_columns(
        age_band(pl.lit(age)).alias("age_band")
    )
    ids = accounts["account_id"].to_numpy().astype(np.int64)
    graph = None
    if ws.has_table("follows"):
        follows = ws.arrays("policy/current_follows")  # in any order: grouped when needed
        if len(follows["follower_pos"]):
            graph = FollowGraph.from_positions(ids, follows["follower_pos"], follows["creator_pos"])
            graph.group_in_background()  # what the first creator-loss count needs
    return DecisionInputs(
        account_ids=ids,
        score=accounts["score"].to_numpy().astype(np.float64),
        eval_score=accounts.select(pl.coalesce("oof_score", "score"))
        .to_series()
        .to_numpy()
        .astype(np.float64),
        truth=accounts["truth"].fill_null(-1).cast(pl.Int8).to_numpy(),
        features=features,
        segments=segments,
        graph=graph,
        oof_count=int(accounts.filter(pl.col("truth").is_not_null())["oof_score"].count()),
    )


def effective_labels(inputs: DecisionInputs, reviewed: pl.DataFrame | None) -> np.ndarray:
    """Labels per account (1 fake, 0 genuine, -1 none): a review overrides the labels table,
    and 'unsure' takes the account out."""
    labels = inputs.truth.copy()
    if reviewed is None or reviewed.is_empty():
        return labels
    ids = reviewed["account_id"].cast(pl.Int64).to_numpy()
    codes = reviewed["label"].replace_strict(REVIEW_CODES, return_dtype=pl.Int8).to_numpy()
    pos = np.searchsorted(inputs.account_ids, ids)
    known = (pos < inputs.accounts) & (
        inputs.account_ids[np.minimum(pos, inputs.accounts - 1)] == ids
    )
    labels[pos[known]] = codes[known]
    return labels


def inputs_from_frames(
    accounts: pl.DataFrame, features: pl.DataFrame, follows: pl.DataFrame | None = None
) -> DecisionInputs:
    """Inputs from frames outside a workspace (the sandbox's scratch world, tests): `accounts`
    has account_id, score [, oof_score, truth (1/0/null), region, verified, private]; `features`
    account_id + features; `follows` follower_id, creator_id (current follows)."""
    accounts = accounts.sort("account_id")
    n = accounts.height

    def col(name: str, default) -> pl.Series:
        return accounts[name] if name in accounts.columns else pl.Series([default] * n)

    ids = accounts["account_id"].to_numpy().astype(np.int64)
    feats = accounts.select("account_id").join(
        features, on="account_id", how="left", maintain_order="left"
    )
    age = feats["account_age_days"] if "account_age_days" in feats.columns else None
    segments = pl.DataFrame(
        {
            "region": col("region", "unknown"),
            "verified": col("verified", "unknown"),
            "private": col("private", "unknown"),
        }
    ).with_columns(age_band(pl.lit(age, dtype=pl.Float64)).alias("age_band"))
    score = accounts["score"].to_numpy().astype(np.float64)
    oof = col("oof_score", None).cast(pl.Float64)
    truth = col("truth", None).cast(pl.Int8)
    graph = None
    if follows is not None and follows.height:
        follower_pos = np.searchsorted(ids, follows["follower_id"].to_numpy())
        creator_pos = np.searchsorted(ids, follows["creator_id"].to_numpy())
        graph = FollowGraph.from_positions(ids, follower_pos, creator_pos)
    return DecisionInputs(
        account_ids=ids,
        score=score,
        eval_score=np.where(oof.is_null().to_numpy(), score, oof.fill_null(0.0).to_numpy()),
        truth=truth.fill_null(-1).to_numpy(),
        features=feats,
        segments=segments,
        graph=graph,
        oof_count=int((oof.is_not_null() & truth.is_not_null()).sum()),
    )
