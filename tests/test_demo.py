"""Demo mode: usernames and display names never leave the core un-pseudonymised."""

from __future__ import annotations

import polars as pl

from followaudit.ui import demo


def frame() -> pl.DataFrame:
    """Accounts with names in columns and @mentions in reason sentences."""
    return pl.DataFrame(
        {
            "account_id": [1, 2, 3],
            "username": ["alice", "@bob", None],
            "display_name": ["Alice Archer", "Bob", None],
            "creator_username": ["carol", "carol", "bobby"],
            "top_reasons": [
                "Followed @carol 2 h after creation.",
                "Followed @bobby and @bob",
                None,
            ],
            "label": ["fake", "genuine", "fake"],
        }
    )


def test_names_are_replaced_everywhere_and_nothing_else():
    out = demo.pseudonymise_frame(frame())
    text = str(out.to_dicts())
    for real in ("alice", "Alice", "carol", "bobby", "'@bob'", "@bob "):
        assert real not in text
    assert out["label"].to_list() == ["fake", "genuine", "fake"]
    assert out["account_id"].to_list() == [1, 2, 3]
    assert out["username"][2] is None


def test_pseudonyms_are_stable_and_consistent_across_columns():
    out = demo.pseudonymise_frame(frame())
    carol = demo.pseudonym("carol")
    assert out["creator_username"][0] == out["creator_username"][1] == carol
    assert f"@{carol} 2 h" in out["top_reasons"][0]
    assert out["username"][1] == "@" + demo.pseudonym("bob")
    assert (
        out["top_reasons"][1] == f"Followed @{demo.pseudonym('bobby')} and @{demo.pseudonym('bob')}"
    )
    assert demo.pseudonymise_frame(frame()).equals(out)


def test_different_names_get_different_pseudonyms():
    names = [f"user{i}" for i in range(20000)]
    out = demo.pseudonymise_frame(pl.DataFrame({"username": names}))
    assert out["username"].n_unique() == len(names)


def test_frames_without_names_are_unchanged():
    plain = pl.DataFrame({"creator_id": [1], "score": [0.5], "verdict": ["suspicious"]})
    assert demo.pseudonymise_frame(plain).equals(plain)
    assert demo.pseudonymise_frame(pl.DataFrame()).is_empty()
