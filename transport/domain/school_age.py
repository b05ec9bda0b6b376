"""Ages, birthdays and compulsory school age (Education Act 1996 s8).

Pure functions of dates: no clock, no I/O. Callers pass the day they are asking about.
"""

from __future__ import annotations

from datetime import date, timedelta

# The prescribed days on which compulsory school age can begin (month, day), in calendar
# order: Education (Start of Compulsory School Age) Order 1998.
PRESCRIBED_DAYS: tuple[tuple[int, int], ...] = ((3, 31), (8, 31), (12, 31))

CSA_START_AGE = 5
CSA_END_AGE = 16

_FRIDAY = 4


def birthday(date_of_birth: date, age: int) -> date:
    """The day on which a child born on ``date_of_birth`` attains ``age`` years.

    Under the Family Law Reform Act 1969 s9 a person attains an age at the start of the
    relevant anniversary of their birth. For a child born on 29 February the anniversary
    in a common (non-leap) year is taken to be 1 March, so the age is attained on 1 March,
    not on 28 February.
    """
    if age < 0:
        raise ValueError(f"age must not be negative, got {age}")
    year = date_of_birth.year + age
    if date_of_birth.month == 2 and date_of_birth.day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:  # a common year: see the docstring, 1 March
            return date(year, 3, 1)
    return date_of_birth.replace(year=year)


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on ``day`` (a birthday counts from its first moment)."""
    if day < date_of_birth:
        raise ValueError(f"{day.isoformat()} is before the date of birth")
    years = day.year - date_of_birth.year
    if day < birthday(date_of_birth, years):
        years -= 1
    return years


def csa_start(date_of_birth: date) -> date:
    """The day compulsory school age begins.

    The first prescribed day (31 March, 31 August or 31 December) on or after the 5th
    birthday; a child whose 5th birthday is a prescribed day starts on that day
    (Education Act 1996 s8(2)). So a 5th birthday from 1 September to 31 December gives
    31 December (spring term), 1 January to 31 March gives 31 March (summer term), and
    1 April to 31 August gives 31 August (autumn term).
    """
    fifth = birthday(date_of_birth, CSA_START_AGE)
    for month, day in PRESCRIBED_DAYS:
        prescribed = date(fifth.year, month, day)
        if prescribed >= fifth:
            return prescribed
    raise AssertionError("31 December is on or after every day of its year")  # pragma: no cover


def school_year_of(day: date) -> int:
    """The school year (1 September to 31 August) containing ``day``, by its first year."""
    return day.year if day.month >= 9 else day.year - 1


def last_friday_in_june(year: int) -> date:
    """The school leaving date of a calendar year (Education Act 1996 s8(4))."""
    june_30 = date(year, 6, 30)
    return june_30 - timedelta(days=(june_30.weekday() - _FRIDAY) % 7)


def csa_end(date_of_birth: date) -> date:
    """The last day of compulsory school age.

    The last Friday in June of the school year (1 September to 31 August) in which the
    child turns 16. A child born in July or August turns 16 after that Friday, so their
    compulsory school age ends a few weeks before their 16th birthday.
    """
    sixteenth = birthday(date_of_birth, CSA_END_AGE)
    return last_friday_in_june(school_year_of(sixteenth) + 1)


def is_of_compulsory_school_age(date_of_birth: date, day: date) -> bool:
    """True when ``day`` falls from :func:`csa_start` to :func:`csa_end`, both inclusive."""
    return csa_start(date_of_birth) <= day <= csa_end(date_of_birth)
