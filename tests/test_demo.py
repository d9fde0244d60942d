"""Demo mode: usernames and display names never leave the core un-pseudonymised."""

from __future__ import annotations

import re

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


def test_bios_are_hidden_and_display_names_pseudonymised():
    """A bio often repeats its own handle in plain words ('yt: katya.sharma'): it is hidden."""
    frame = pl.DataFrame(
        {"username": ["katya.sharma"], "display_name": ["Katya"], "bio": ["yt: katya.sharma"]}
    )
    out = demo.pseudonymise_frame(frame)
    assert out["bio"][0] == demo.HIDDEN_BIO
    assert "katya" not in str(out.to_dicts()).lower()


def test_pseudonymising_twice_changes_nothing_more():
    once = demo.pseudonymise_frame(frame())
    assert demo.pseudonymise_frame(once).equals(once)


def test_pseudonyms_cannot_be_mistaken_for_handles(sample_workspace):
    """No sample username (bots' `user675907060188` included) has the pseudonym shape, and no
    pseudonym could be a handle (letters, digits, `_` and `.` only)."""
    names = sample_workspace.con.sql("select username from accounts").pl()
    shape = re.compile(demo.PSEUDONYM)
    assert not any(shape.search(n) for n in names["username"].to_list())
    fakes = demo.pseudonymise_frame(names)["username"].to_list()
    assert all(shape.fullmatch(p) and not re.fullmatch(r"[A-Za-z0-9_.]+", p) for p in fakes)


def test_matching_finds_by_pseudonym_only():
    names = pl.DataFrame({"id": [1, 2], "username": ["alice", "bob"]})
    shown = demo.pseudonymise_frame(names)
    alice = demo.pseudonym("alice")
    assert demo.matching(shown, alice, exact=True)["id"].to_list() == [1]
    assert demo.matching(shown, "alice", exact=True).is_empty()
    assert demo.matching(shown, "alice").is_empty()
    assert demo.matching(shown, alice[:9])["id"].to_list() in ([1], [1, 2])
