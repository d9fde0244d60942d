"""The spike's one-sentence story reads right whatever the sign of its excess."""

from followaudit.ui import growth


def test_a_spike_below_its_expected_count_says_fewer_not_minus_more():
    assert growth._excess_words(-26.0) == "~26 fewer followers than expected"
    assert growth._excess_words(1234.4) == "~1,234 more followers than expected"
    assert "unknown" in growth._excess_words(None)


def test_a_verdict_reason_starts_its_own_sentence_in_capitals():
    reason = "followers look genuine (8% flagged), but nothing explains the jump"
    assert (
        growth._sentence_start(reason)
        == "Followers look genuine (8% flagged), but nothing explains the jump"
    )
    assert growth._sentence_start("") == ""
