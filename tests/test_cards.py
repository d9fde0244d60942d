"""HTML elements drawn in one piece: metric cards and the spike's creation-day bars."""

from __future__ import annotations

import re
from datetime import date, timedelta

from followaudit.ui import cards, text

TITLE = re.compile(r'title="([^"]*): ([\d,]+)"')


def test_day_bars_keep_every_count_in_at_most_BARS_bars():
    days = [date(2024, 1, 1) + timedelta(days=3 * i) for i in range(400)]
    counts = [i % 7 + 1 for i in range(400)]
    html = cards.day_bars(days, counts, "When were they created?", "Account created", "Followers")
    bars = TITLE.findall(html)
    assert 1 < len(bars) <= cards.BARS
    assert sum(int(n.replace(",", "")) for _, n in bars) == sum(counts)
    assert "Jan 1, 2024" in html and text.day(days[-1]) in html
    assert "per 20 days" in html  # 1,198 days in 60 bars


def test_day_bars_of_one_day_and_of_none():
    one = cards.day_bars([date(2026, 3, 2)], [5], "T", "Account created", "Followers")
    assert TITLE.findall(one) == [("Mar 2, 2026", "5")] and "per day" in one
    assert "No followers" in cards.day_bars([], [], "T", "x", "Followers")


def test_cards_escape_their_help_text():
    html = cards.card("Label", "1", help='a "quoted" <b>help</b>')
    assert 'title="a &quot;quoted&quot; &lt;b&gt;help&lt;/b&gt;"' in html


def test_dates_are_written_one_way():
    assert text.day(date(2024, 3, 3)) == "Mar 3, 2024" and text.day(None) == "n/a"
    assert text.day_span(date(2024, 3, 3), date(2024, 3, 3)) == "Mar 3, 2024"
    assert text.day_span(date(2024, 3, 7), date(2024, 3, 8)) == "Mar 7–8, 2024"
    assert text.day_span(date(2024, 3, 30), date(2024, 4, 2)) == "Mar 30 to Apr 2, 2024"
    assert text.day_span(date(2023, 12, 30), date(2024, 1, 2)) == "Dec 30, 2023 to Jan 2, 2024"
    assert text.day_span(None, date(2024, 1, 2)) == "n/a to Jan 2, 2024"
