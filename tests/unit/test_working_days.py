"""Bank holidays and working days in England and Wales.

Expected holidays are the lists published on GOV.UK; expected working-day sums are
counted by hand on a calendar.
"""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.easter import EASTER_WESTERN
from dateutil.easter import easter as dateutil_easter
from hypothesis import given
from hypothesis import strategies as st

from transport.domain.working_days import (
    FIRST_YEAR,
    add_working_days,
    bank_holidays,
    easter_sunday,
    is_working_day,
    working_days_between,
)


def days(year: int, *month_days: tuple[int, int]) -> frozenset[date]:
    return frozenset(date(year, month, day) for month, day in month_days)


PUBLISHED = {
    2020: days(2020, (1, 1), (4, 10), (4, 13), (5, 8), (5, 25), (8, 31), (12, 25), (12, 28)),
    2021: days(2021, (1, 1), (4, 2), (4, 5), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)),
    2022: days(2022, (1, 3), (4, 15), (4, 18), (5, 2), (8, 29), (12, 26), (12, 27))
    | days(2022, (6, 2), (6, 3), (9, 19)),  # moved spring, Platinum Jubilee, state funeral
    2023: days(2023, (1, 2), (4, 7), (4, 10), (5, 1), (5, 8), (5, 29), (8, 28), (12, 25), (12, 26)),
    2024: days(2024, (1, 1), (3, 29), (4, 1), (5, 6), (5, 27), (8, 26), (12, 25), (12, 26)),
    2025: days(2025, (1, 1), (4, 18), (4, 21), (5, 5), (5, 26), (8, 25), (12, 25), (12, 26)),
    2026: days(2026, (1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)),
    2027: days(2027, (1, 1), (3, 26), (3, 29), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)),
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_bank_holidays_match_the_published_list(year: int) -> None:
    assert bank_holidays(year) == PUBLISHED[year]


@pytest.mark.parametrize(
    ("holiday", "is_holiday"),
    [
        (date(1981, 7, 29), True),  # royal wedding
        (date(1995, 5, 8), True),  # early May moved for VE Day
        (date(1995, 5, 1), False),
        (date(1999, 12, 31), True),  # millennium
        (date(2002, 6, 3), True),  # Golden Jubilee
        (date(2002, 6, 4), True),  # spring bank holiday moved
        (date(2002, 5, 27), False),
        (date(2011, 4, 29), True),  # royal wedding
        (date(2012, 6, 4), True),  # spring bank holiday moved
        (date(2012, 6, 5), True),  # Diamond Jubilee
        (date(2012, 5, 28), False),
        (date(2020, 5, 4), False),  # early May moved to Friday 8 May
        (date(2022, 5, 30), False),  # spring moved to Thursday 2 June
    ],
)
def test_proclaimed_days(holiday: date, is_holiday: bool) -> None:
    assert (holiday in bank_holidays(holiday.year)) is is_holiday


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_sunday(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


def test_years_before_the_current_rules_are_refused() -> None:
    # The early May bank holiday began in 1978 (first held Mon 1 May 1978): 1977 is refused
    # by name, 1978 is the first year computed. Written out, not taken from FIRST_YEAR.
    with pytest.raises(ValueError, match=r"^bank holidays are computed from 1978, not 1977$"):
        bank_holidays(1977)
    assert date(1978, 5, 1) in bank_holidays(1978)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 4, 17), True),  # Thursday before Easter
        (date(2025, 4, 18), False),  # Good Friday
        (date(2025, 4, 19), False),  # Saturday
        (date(2025, 4, 20), False),  # Sunday
        (date(2025, 4, 21), False),  # Easter Monday
        (date(2025, 4, 22), True),
        (date(2026, 12, 26), False),  # Boxing Day on a Saturday
        (date(2026, 12, 28), False),  # its substitute
        (date(2026, 12, 29), True),
    ],
)
def test_is_working_day(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 6, 2), 0, date(2025, 6, 2)),
        (date(2025, 6, 7), 0, date(2025, 6, 7)),  # a Saturday stays put
        (date(2025, 6, 2), 1, date(2025, 6, 3)),
        (date(2025, 6, 6), 1, date(2025, 6, 9)),  # Friday to Monday
        (date(2025, 6, 7), 1, date(2025, 6, 9)),  # Saturday to Monday
        (date(2025, 6, 2), 20, date(2025, 6, 30)),
        # Christmas 2026: 25 and 28 Dec and 1 Jan 2027 are holidays.
        (date(2026, 12, 14), 20, date(2027, 1, 14)),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (date(2026, 3, 16), 20, date(2026, 4, 15)),
        (date(2025, 4, 17), 5, date(2025, 4, 28)),
        # Platinum Jubilee: Thursday 2 and Friday 3 June 2022.
        (date(2022, 6, 1), 1, date(2022, 6, 6)),
        # 40 working days for a stage 2 panel, across the 2025 August bank holiday.
        (date(2025, 7, 21), 40, date(2025, 9, 16)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2025, 6, 2), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 6, 2), date(2025, 6, 2), 0),
        (date(2025, 6, 2), date(2025, 6, 3), 1),
        (date(2025, 6, 6), date(2025, 6, 8), 0),  # Friday to Sunday
        (date(2026, 12, 14), date(2027, 1, 14), 20),
        (date(2027, 1, 14), date(2026, 12, 14), -20),
        (date(2025, 1, 1), date(2025, 12, 31), 253),  # 261 weekdays less 8 holidays
        # Ending on a bank holiday: Wed 24 Dec 2025 to Thu 25 Dec 2025 (Christmas Day) is no
        # working day; to Mon 29 Dec 2025 it is one (26 Dec, Boxing Day, is a holiday too).
        (date(2025, 12, 24), date(2025, 12, 25), 0),
        (date(2025, 12, 24), date(2025, 12, 29), 1),
        # Starting on one: Mon 26 May 2025 (spring bank holiday) to Tue 27 May 2025.
        (date(2025, 5, 26), date(2025, 5, 27), 1),
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected


recent = st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(2150, 12, 31))
years = st.integers(min_value=FIRST_YEAR, max_value=2200)


@given(years)
def test_observed_holidays_fall_on_weekdays_of_their_year(year: int) -> None:
    holidays = bank_holidays(year)
    assert 8 <= len(holidays) <= 10
    assert all(day.weekday() < 5 and day.year == year for day in holidays)


@given(recent, st.integers(min_value=1, max_value=600))
def test_add_working_days_lands_on_a_working_day(start: date, n: int) -> None:
    assert is_working_day(add_working_days(start, n))


@given(recent, st.integers(min_value=0, max_value=600))
def test_working_days_between_inverts_add_working_days(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert working_days_between(end, start) == -n


@given(recent, recent, recent)
def test_working_days_between_adds_up(first: date, second: date, third: date) -> None:
    assert working_days_between(first, third) == (
        working_days_between(first, second) + working_days_between(second, third)
    )


def test_easter_sunday_agrees_with_dateutil_in_every_year_it_supports() -> None:
    # An independent oracle: python-dateutil's Western Easter (installed with freezegun),
    # in every year from 1583 to 4099, not only the years bank holidays are computed for.
    wrong = [
        year
        for year in range(1583, 4100)
        if easter_sunday(year) != dateutil_easter(year, EASTER_WESTERN)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1600, date(1600, 4, 2)),
        (1700, date(1700, 4, 11)),
        (1800, date(1800, 4, 13)),
        (2285, date(2285, 3, 22)),  # the earliest possible date
        (2038, date(2038, 4, 25)),  # the latest possible date
    ],
)
def test_easter_sunday_far_from_now(year: int, expected: date) -> None:
    assert easter_sunday(year) == dateutil_easter(year, EASTER_WESTERN) == expected
