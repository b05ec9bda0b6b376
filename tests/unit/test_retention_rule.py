"""The retention rule, worked by hand: message bodies are kept 400 days, pupils who left
2 years (by default); a 29 February's anniversary in a common year is 1 March."""

from __future__ import annotations

from datetime import date

import pytest

from transport.domain.retention import (
    LeaverCount,
    RetentionRule,
    anniversary,
    leaver_counts,
    left_cutoff,
)

RULE = RetentionRule()


def test_a_message_401_days_old_is_redacted_and_one_400_or_399_days_old_is_not() -> None:
    as_of = date(2026, 12, 1)
    cut = RULE.cutoffs(as_of)
    # 2026-12-01 minus 400 days: 2025-12-01 is 365 days back, 35 more is 2025-10-27.
    assert cut.messages_before == date(2025, 10, 27)
    assert RULE.message_redacted(date(2025, 10, 26), as_of)  # 401 days
    assert not RULE.message_redacted(date(2025, 10, 27), as_of)  # 400 days
    assert not RULE.message_redacted(date(2025, 10, 28), as_of)  # 399 days


@pytest.mark.parametrize(
    ("as_of", "years", "first_kept"),
    [
        (date(2026, 12, 1), 2, date(2024, 12, 1)),  # left 2024-11-30: 2 years and a day
        (date(2026, 3, 2), 2, date(2024, 3, 2)),
        # 2024-02-29's second anniversary is 2026-03-01: kept on it, purged the day after.
        (date(2026, 3, 1), 2, date(2024, 2, 29)),
        (date(2026, 2, 28), 2, date(2024, 2, 28)),
        # On a 29 February, the day 2 years earlier does not exist: 2026-02-28 has had
        # its anniversary (2028-02-28) and goes; 2026-03-01 is kept.
        (date(2028, 2, 29), 2, date(2026, 3, 1)),
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
        (date(2028, 3, 1), 1, date(2027, 3, 1)),
        (date(2027, 3, 1), 1, date(2026, 3, 1)),
        (date(2025, 3, 1), 1, date(2024, 2, 29)),
        (date(2026, 1, 31), 7, date(2019, 1, 31)),
    ],
)
def test_the_first_leaving_day_kept(as_of: date, years: int, first_kept: date) -> None:
    assert left_cutoff(as_of, years) == first_kept
    rule = RetentionRule(left_pupils_years=years)
    assert not rule.pupil_purged(first_kept, as_of)
    assert rule.pupil_purged(date.fromordinal(first_kept.toordinal() - 1), as_of)


def test_the_cutoff_agrees_with_the_rule_every_day_of_a_leap_cycle() -> None:
    """Brute force over four years of as-of days and leaving days around them."""
    rule = RetentionRule(left_pupils_years=2)
    for n in range(date(2027, 1, 1).toordinal(), date(2031, 1, 1).toordinal()):
        as_of = date.fromordinal(n)
        cut = left_cutoff(as_of, 2)
        for d in range(cut.toordinal() - 3, cut.toordinal() + 3):
            left = date.fromordinal(d)
            assert rule.pupil_purged(left, as_of) == (left < cut), (as_of, left)


def test_anniversaries() -> None:
    assert anniversary(date(2024, 2, 29), 2) == date(2026, 3, 1)
    assert anniversary(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert anniversary(date(2024, 11, 30), 2) == date(2026, 11, 30)


def test_periods_below_one_are_refused() -> None:
    with pytest.raises(ValueError):
        RetentionRule(message_bodies_days=0)
    with pytest.raises(ValueError):
        RetentionRule(left_pupils_years=0)


def test_leavers_are_counted_by_school_and_academic_year_of_leaving() -> None:
    rows = [
        ("100001", date(2024, 8, 31), 2),  # 2023/24
        ("100001", date(2024, 9, 1), 1),  # 2024/25
        ("100001", date(2025, 7, 20), 4),  # 2024/25
        ("100002", date(2024, 1, 5), 1),  # 2023/24
    ]
    assert leaver_counts(rows) == [
        LeaverCount("100001", 2023, 2),
        LeaverCount("100001", 2024, 5),
        LeaverCount("100002", 2023, 1),
    ]
    assert LeaverCount("100001", 2024, 5).as_dict() == {
        "school_urn": "100001",
        "academic_year": "2024/25",
        "pupils": 5,
    }
