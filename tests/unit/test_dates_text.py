"""Dates and times as people in the UK read them: one style for days ("Fri 4 Dec"), and
instants in Europe/London time with their zone, BST in summer, GMT in winter."""

from __future__ import annotations

from datetime import UTC, date, datetime

from transport.domain.dates_text import day, day_year, moment_text, short_moment


def test_a_day_in_one_style_without_a_leading_zero() -> None:
    assert day(date(2026, 12, 4)) == "Fri 4 Dec"
    assert day_year(date(2026, 9, 3)) == "Thu 3 Sep 2026"


def test_an_instant_in_uk_time_with_its_zone() -> None:
    assert moment_text(datetime(2026, 12, 7, 13, 27, tzinfo=UTC)) == "Mon 7 Dec 2026 13:27 GMT"
    assert moment_text(datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) == "Wed 1 Jul 2026 10:00 BST"
    # The clocks go back at 02:00 BST on Sun 25 Oct 2026: 00:30 and 01:30 UTC both read 01:30.
    assert short_moment(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "2026-10-25 01:30 BST"
    assert short_moment(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "2026-10-25 01:30 GMT"
    # A time the record stored without its zone is UTC (SQLite gives them back so).
    assert moment_text(datetime(2026, 7, 1, 9, 0)) == "Wed 1 Jul 2026 10:00 BST"
