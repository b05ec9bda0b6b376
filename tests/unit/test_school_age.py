"""Compulsory school age and birthdays. Expected dates are worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transport.domain.school_age import (
    age_on,
    birthday,
    csa_end,
    csa_start,
    is_of_compulsory_school_age,
)

births = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))
PRESCRIBED = {(3, 31), (8, 31), (12, 31)}


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        # 5th birthday on a prescribed day: CSA starts that very day.
        (date(2019, 8, 31), date(2024, 8, 31)),
        (date(2019, 12, 31), date(2024, 12, 31)),
        (date(2020, 3, 31), date(2025, 3, 31)),
        # The day after a prescribed day: the next one.
        (date(2019, 9, 1), date(2024, 12, 31)),
        (date(2020, 1, 1), date(2025, 3, 31)),
        (date(2020, 4, 1), date(2025, 8, 31)),
        # The day before a prescribed day.
        (date(2019, 8, 30), date(2024, 8, 31)),
        (date(2019, 12, 30), date(2024, 12, 31)),
        (date(2020, 3, 30), date(2025, 3, 31)),
        # Mid-period.
        (date(2019, 10, 15), date(2024, 12, 31)),
        (date(2020, 2, 10), date(2025, 3, 31)),
        (date(2020, 6, 1), date(2025, 8, 31)),
        # Leap-day births: 5th birthday on 1 March of a common year.
        (date(2016, 2, 29), date(2021, 3, 31)),
        (date(2020, 2, 29), date(2025, 3, 31)),
        # Born on the 29th of another month: the 5th birthday is the 29th of that month
        # (issue 16: not 29 February, which would give 31 March).
        (date(2019, 8, 29), date(2024, 8, 31)),
        (date(2019, 1, 29), date(2024, 3, 31)),
        (date(2019, 10, 29), date(2024, 12, 31)),
        (date(2018, 3, 29), date(2023, 3, 31)),
    ],
)
def test_csa_start(born: date, expected: date) -> None:
    assert csa_start(born) == expected


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        # Compulsory school age (docs/eligibility.md): turns 16 on 23 Sep 2023, school year 2023/24.
        (date(2007, 9, 23), date(2024, 6, 28)),
        # Youngest of 2023/24 and oldest of 2024/25.
        (date(2008, 8, 31), date(2024, 6, 28)),
        (date(2008, 9, 1), date(2025, 6, 27)),
        # 2022/23: 30 June 2023 is itself a Friday.
        (date(2006, 9, 1), date(2023, 6, 30)),
        (date(2007, 8, 31), date(2023, 6, 30)),
        # 16th birthday on the leaving date itself, and a few weeks after it.
        (date(2008, 6, 28), date(2024, 6, 28)),
        (date(2008, 7, 15), date(2024, 6, 28)),
        # Leap-day birth: 16 on 29 Feb 2016; 30 June 2016 is a Thursday, so Friday 24 June.
        (date(2000, 2, 29), date(2016, 6, 24)),
    ],
)
def test_csa_end(born: date, expected: date) -> None:
    assert csa_end(born) == expected


@pytest.mark.parametrize(
    ("born", "day", "expected"),
    [
        (date(2019, 9, 1), date(2024, 12, 30), False),
        (date(2019, 9, 1), date(2024, 12, 31), True),
        (date(2007, 9, 23), date(2024, 6, 28), True),
        (date(2007, 9, 23), date(2024, 6, 29), False),
        (date(2007, 9, 23), date(2007, 9, 23), False),
    ],
)
def test_is_of_compulsory_school_age(born: date, day: date, expected: bool) -> None:
    assert is_of_compulsory_school_age(born, day) is expected


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (0, date(2016, 2, 29)),
        (1, date(2017, 3, 1)),
        (3, date(2019, 3, 1)),
        (4, date(2020, 2, 29)),
        (5, date(2021, 3, 1)),
        (84, date(2100, 3, 1)),  # 2100 is not a leap year
    ],
)
def test_leap_day_birthday_is_1_march_in_common_years(age: int, expected: date) -> None:
    assert birthday(date(2016, 2, 29), age) == expected


@pytest.mark.parametrize(
    ("born", "day", "expected"),
    [
        (date(2016, 2, 29), date(2017, 2, 28), 0),
        (date(2016, 2, 29), date(2017, 3, 1), 1),
        (date(2016, 2, 29), date(2020, 2, 28), 3),
        (date(2016, 2, 29), date(2020, 2, 29), 4),
        (date(2010, 5, 10), date(2010, 5, 10), 0),
        (date(2010, 5, 10), date(2018, 5, 9), 7),
        (date(2010, 5, 10), date(2018, 5, 10), 8),
        (date(2010, 12, 31), date(2021, 1, 1), 10),
    ],
)
def test_age_on(born: date, day: date, expected: int) -> None:
    assert age_on(born, day) == expected


def test_nonsense_input_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        birthday(date(2010, 5, 10), -1)
    with pytest.raises(ValueError, match="before the date of birth"):
        age_on(date(2010, 5, 10), date(2010, 5, 9))


@given(births)
def test_csa_start_is_a_prescribed_day_up_to_152_days_after_the_5th_birthday(born: date) -> None:
    start = csa_start(born)
    fifth = birthday(born, 5)
    assert (start.month, start.day) in PRESCRIBED
    # The longest wait is from a 1 April birthday to 31 August: 152 days.
    assert 0 <= (start - fifth).days <= 152
    assert age_on(born, start) == 5


@given(births)
def test_csa_end_is_a_june_friday_in_the_school_year_of_the_16th_birthday(born: date) -> None:
    end = csa_end(born)
    sixteenth = birthday(born, 16)
    school_year = sixteenth.year if sixteenth.month >= 9 else sixteenth.year - 1
    assert end.weekday() == 4
    assert end.month == 6
    assert 24 <= end.day <= 30  # the last seven days of June
    assert end.year == school_year + 1
    assert date(school_year, 9, 1) <= sixteenth < date(school_year + 1, 9, 1)
    assert end + timedelta(days=7) > date(end.year, 6, 30)
    assert csa_start(born) < end


@given(births, st.dates(max_value=date(2200, 12, 31)), st.dates(max_value=date(2200, 12, 31)))
def test_age_on_is_monotonic(born: date, first: date, second: date) -> None:
    first, second = sorted((max(first, born), max(second, born)))
    assert age_on(born, first) <= age_on(born, second)


@given(births, st.integers(min_value=0, max_value=100))
def test_age_on_agrees_with_birthday(born: date, age: int) -> None:
    day = birthday(born, age)
    assert age_on(born, day) == age
    if age > 0:
        assert age_on(born, day - timedelta(days=1)) == age - 1


@pytest.mark.parametrize(
    ("born", "age", "expected"),
    [
        # The 29th of a month other than February is an ordinary birthday, leap year or not.
        (date(2019, 8, 29), 5, date(2024, 8, 29)),
        (date(2019, 8, 29), 6, date(2025, 8, 29)),
        (date(2019, 1, 29), 5, date(2024, 1, 29)),
        (date(2018, 3, 29), 2, date(2020, 3, 29)),
        # Born on 2 February: nothing to do with the 29th.
        (date(2019, 2, 2), 5, date(2024, 2, 2)),
    ],
)
def test_a_birthday_on_the_29th_of_another_month(born: date, age: int, expected: date) -> None:
    assert birthday(born, age) == expected


# --- properties with an oracle that does not call the code under test ------------------
# Each expected value below is worked out from the law as a table of birth months, or by
# comparing (month, day) pairs: never with birthday(), age_on() or csa_start().


def _expected_age(born: date, day: date) -> int:
    """Whole years: one less if (month, day) of ``day`` comes before that of the birth.
    A child born on 29 February is still 'before' on 28 February and 'after' on 1 March,
    which is the Family Law Reform Act reading (1 March in a common year)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _expected_csa_start(born: date) -> date:
    """By the month of birth (the 5th birthday is in the same month, or 1 March for a
    29 February birth, which is still in January to March): January-March -> 31 March,
    April-August -> 31 August, September-December -> 31 December, of the year turning 5."""
    year = born.year + 5
    if born.month <= 3:
        return date(year, 3, 31)
    if born.month <= 8:
        return date(year, 8, 31)
    return date(year, 12, 31)


def _expected_csa_end(born: date) -> date:
    """The last Friday in June of the school year of the 16th birthday: born September to
    December -> June of the year after turning 16; born January to August -> June of
    the year turning 16. The Friday is found by looking at the last seven days of June."""
    year = born.year + 16 + (1 if born.month >= 9 else 0)
    return next(
        date(year, 6, day) for day in range(30, 23, -1) if date(year, 6, day).weekday() == 4
    )


@given(births)
def test_csa_start_by_month_of_birth(born: date) -> None:
    assert csa_start(born) == _expected_csa_start(born)


@given(births)
def test_csa_end_by_month_of_birth(born: date) -> None:
    assert csa_end(born) == _expected_csa_end(born)


@given(births, st.dates(max_value=date(2200, 12, 31)))
def test_age_on_by_comparing_month_and_day(born: date, day: date) -> None:
    day = max(day, born)
    assert age_on(born, day) == _expected_age(born, day)


@given(births, st.integers(min_value=0, max_value=100))
def test_birthday_is_the_anniversary_or_1_march(born: date, age: int) -> None:
    year = born.year + age
    try:
        expected = date(year, born.month, born.day)
    except ValueError:  # 29 February in a common year
        expected = date(year, 3, 1)
    assert birthday(born, age) == expected


@given(births, st.dates(max_value=date(2200, 12, 31)))
def test_of_compulsory_school_age_by_the_oracles(born: date, day: date) -> None:
    expected = _expected_csa_start(born) <= day <= _expected_csa_end(born)
    assert is_of_compulsory_school_age(born, day) is expected
