"""England and Wales bank holidays and working days, computed from the rules.

Working days are Monday to Friday except bank holidays in England and Wales; review and
appeal deadlines are counted in them. Nothing is fetched: the regular holidays follow
fixed rules, and the days a royal proclamation moved or added are in ``_PROCLAIMED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# The first year the current set of eight regular holidays applied (the early May bank
# holiday began in 1978). Earlier years had other rules, so they are refused.
FIRST_YEAR = 1978

_MONDAY, _SATURDAY, _SUNDAY = 0, 5, 6
_EARLY_MAY, _SPRING = "early May", "spring"


@dataclass(frozen=True)
class _Proclaimed:
    day: date
    replaces: str | None  # the regular holiday this day stands in for that year; None: extra
    occasion: str


# Days moved or added by royal proclamation. A new proclamation needs a line here.
_PROCLAIMED: tuple[_Proclaimed, ...] = (
    _Proclaimed(date(1981, 7, 29), None, "wedding of the Prince of Wales"),
    _Proclaimed(date(1995, 5, 8), _EARLY_MAY, "50th anniversary of VE Day"),
    _Proclaimed(date(1999, 12, 31), None, "millennium"),
    _Proclaimed(date(2002, 6, 4), _SPRING, "Golden Jubilee weekend"),
    _Proclaimed(date(2002, 6, 3), None, "Golden Jubilee"),
    _Proclaimed(date(2011, 4, 29), None, "royal wedding"),
    _Proclaimed(date(2012, 6, 4), _SPRING, "Diamond Jubilee weekend"),
    _Proclaimed(date(2012, 6, 5), None, "Diamond Jubilee"),
    _Proclaimed(date(2020, 5, 8), _EARLY_MAY, "75th anniversary of VE Day"),
    _Proclaimed(date(2022, 6, 2), _SPRING, "Platinum Jubilee weekend"),
    _Proclaimed(date(2022, 6, 3), None, "Platinum Jubilee"),
    _Proclaimed(date(2022, 9, 19), None, "state funeral of Queen Elizabeth II"),
    _Proclaimed(date(2023, 5, 8), None, "coronation of King Charles III"),
)


def easter_sunday(year: int) -> date:
    """Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(_MONDAY - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - _MONDAY) % 7)


def _christmas(year: int) -> tuple[date, date]:
    """Christmas Day and Boxing Day as observed, with substitute weekdays."""
    christmas = date(year, 12, 25)
    if christmas.weekday() == _SATURDAY:  # Monday 27 and Tuesday 28
        return date(year, 12, 27), date(year, 12, 28)
    if christmas.weekday() == _SUNDAY:  # Boxing Day Monday 26, Christmas Tuesday 27
        return date(year, 12, 27), date(year, 12, 26)
    boxing = date(year, 12, 26)
    if boxing.weekday() == _SATURDAY:  # Christmas on Friday: Boxing Day on Monday 28
        return christmas, date(year, 12, 28)
    return christmas, boxing


def _new_year(year: int) -> date:
    new_year = date(year, 1, 1)
    if new_year.weekday() >= _SATURDAY:
        return _first_monday(year, 1)
    return new_year


@lru_cache(maxsize=128)
def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in ``year``, as observed (on weekdays)."""
    if year < FIRST_YEAR:
        raise ValueError(f"bank holidays are computed from {FIRST_YEAR}, not {year}")
    easter = easter_sunday(year)
    regular = {
        "New Year's Day": _new_year(year),
        "Good Friday": easter - timedelta(days=2),
        "Easter Monday": easter + timedelta(days=1),
        _EARLY_MAY: _first_monday(year, 5),
        _SPRING: _last_monday(year, 5),
        "summer": _last_monday(year, 8),
    }
    extra: set[date] = set(_christmas(year))
    for proclaimed in _PROCLAIMED:
        if proclaimed.day.year != year:
            continue
        if proclaimed.replaces is None:
            extra.add(proclaimed.day)
        else:
            regular[proclaimed.replaces] = proclaimed.day
    return frozenset(regular.values()) | extra


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < _SATURDAY and day not in bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The day ``days`` working days after ``start`` (``start`` itself is not counted).

    ``add_working_days(decision, 20)`` is the last day of a 20-working-day period that
    begins the day after the decision. ``days == 0`` returns ``start`` unchanged.
    """
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    day = start
    one = timedelta(days=1)
    while days:
        day += one
        if is_working_day(day):
            days -= 1
    return day


def _weekdays_up_to(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) to ``day`` inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return 5 * weeks + min(rest, 5)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``.

    So ``working_days_between(start, add_working_days(start, n)) == n``. When ``end`` is
    before ``start`` the count is negative: ``-working_days_between(end, start)``.
    """
    if end < start:
        return -working_days_between(end, start)
    holidays = sum(
        1
        for year in range(start.year, end.year + 1)
        for holiday in bank_holidays(year)
        if start < holiday <= end
    )
    return _weekdays_up_to(end) - _weekdays_up_to(start) - holidays
