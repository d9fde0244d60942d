"""What a workspace's data supports, read from the workspace, and the sentence for what it lacks."""

from __future__ import annotations

import pytest

from followaudit.store.capabilities import NEEDS, Capabilities, workspace_capabilities
from followaudit.store.workspace import Workspace


def _capabilities(path) -> Capabilities:
    ws = Workspace.open(path)
    try:
        return workspace_capabilities(ws)
    finally:
        ws.close()


def test_the_sample_world_supports_everything(sample_workspace_path):
    caps = _capabilities(sample_workspace_path)
    assert caps.accounts == 50_000
    assert all(caps.supports(feature) for feature in NEEDS)
    assert caps.fake_labels > 0 and caps.genuine_labels > 0


def test_a_profile_only_import_has_accounts_and_nothing_else(profile_only_workspace_path):
    caps = _capabilities(profile_only_workspace_path)
    assert caps.accounts == 2000 and caps.profile_only
    assert caps.has_creation_times and caps.has_column("accounts", "likes_given")
    assert not caps.has_column("accounts", "is_private")  # the export has no such column
    unsupported = {f for f in NEEDS if not caps.supports(f)}
    assert unsupported == {
        "growth", "sandbox", "audience", "creator_exports", "engagement", "labels", "peers",
    }  # fmt: skip
    assert caps.needs("growth") == NEEDS["growth"]
    assert "`follows.csv`" in caps.needs("growth")


def test_a_world_without_engagement_lacks_only_engagement(no_engagement_workspace_path):
    caps = _capabilities(no_engagement_workspace_path)
    assert {f for f in NEEDS if not caps.supports(f)} == {"engagement"}


def test_a_world_without_labels_lacks_only_labels(unlabelled_workspace_path):
    caps = _capabilities(unlabelled_workspace_path)
    assert {f for f in NEEDS if not caps.supports(f)} == {"labels"}


@pytest.mark.parametrize("feature", sorted(NEEDS))
def test_every_need_is_one_sentence_naming_what_to_add(feature):
    sentence = NEEDS[feature]
    assert sentence.count(". ") == 0 and sentence.endswith(".")
    assert "`" in sentence or "Review queue" in sentence or "follow log" in sentence


def test_labels_of_one_class_are_not_enough():
    caps = Capabilities(10, True, True, fake_labels=4, genuine_labels=0, columns=frozenset())
    assert not caps.has_labels and caps.needs("labels") == NEEDS["labels"]
