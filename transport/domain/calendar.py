"""Academic years, terms, closures and school days.

A **school day** of a calendar is a Monday to Friday inside one of its terms that is
neither a bank holiday in England and Wales nor inside a closure of the calendar that
applies to the school (a half term, an INSET day, another closure: ``Closure``). A
term's ``first_day``/``last_day`` are its dates as the council publishes them; "the first
day" of a term means its first school day. Where a calendar lacks a term, the check uses
assumed days instead (transport/domain/term_dates.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from transport.domain.working_days import bank_holidays

TERM_NAMES = ("autumn", "spring", "summer")
DEFAULT_CALENDAR = "default"
CLOSURE_KINDS = ("half_term", "inset", "closure")

_YEAR = re.compile(r"^(\d{4})[/-](\d{2}|\d{4})$", re.ASCII)


def academic_year_of(day: date) -> int:
    """The academic year containing ``day``, as its starting calendar year (1 Sep - 31 Aug)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_start(year: int) -> date:
    return date(year, 9, 1)


def format_academic_year(year: int) -> str:
    """2025 -> '2025/26'."""
    return f"{year}/{(year + 1) % 100:02d}"


def parse_academic_year(text: str) -> int | None:
    """'2025/26' or '2025-26' (or '2025/2026') -> 2025; None when malformed."""
    match = _YEAR.match(text.strip())
    if not match:
        return None
    start, end = int(match.group(1)), match.group(2)
    expected = start + 1
    if int(end) != (expected if len(end) == 4 else expected % 100):
        return None
    return start


@dataclass(frozen=True, order=True)
class Term:
    first_day: date
    last_day: date
    academic_year: int
    name: str

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def weekdays(first: date, last: date) -> Iterator[date]:
    """Mondays to Fridays from ``first`` to ``last`` inclusive."""
    day = first
    one = timedelta(days=1)
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += one


def _days_of(closures: Iterable[Closure]) -> frozenset[date]:
    days: set[date] = set()
    one = timedelta(days=1)
    for closure in closures:
        day = closure.first_day
        while day <= closure.last_day:
            days.add(day)
            day += one
    return frozenset(days)


def is_bank_holiday(day: date) -> bool:
    """A bank holiday in England and Wales (transport/domain/working_days.py)."""
    return day in bank_holidays(day.year)


def open_weekdays(first: date, last: date) -> Iterator[date]:
    """Mondays to Fridays from ``first`` to ``last`` inclusive that are not bank holidays."""
    holidays: frozenset[date] = frozenset()
    year = None
    for day in weekdays(first, last):
        if day.year != year:
            year = day.year
            holidays = bank_holidays(year)
        if day not in holidays:
            yield day


@dataclass(frozen=True)
class Closure:
    """Days inside a term when a school is closed to pupils: a half term, an INSET day
    or another closure (``closures.csv``). ``urn`` None: every school of the calendar;
    a URN: that school only (the INSET days a school sets itself)."""

    first_day: date
    last_day: date
    urn: str | None = None
    kind: str = "closure"

    def applies_to(self, urn: str | None) -> bool:
        return self.urn is None or self.urn == urn


@dataclass(frozen=True)
class Calendar:
    """One term calendar (the council's, or an academy trust's), terms sorted by date,
    with its closures."""

    name: str
    terms: tuple[Term, ...]
    closures: tuple[Closure, ...] = ()

    @classmethod
    def of(cls, name: str, terms: Iterable[Term], closures: Iterable[Closure] = ()) -> Calendar:
        ordered = sorted(closures, key=lambda c: (c.first_day, c.last_day, c.urn or "", c.kind))
        return cls(name, tuple(sorted(terms)), tuple(ordered))

    @cached_property
    def own_closure_urns(self) -> frozenset[str]:
        """The schools with closures of their own (whose school days differ)."""
        return frozenset(c.urn for c in self.closures if c.urn is not None)

    def closed_days(self, urn: str | None = None) -> frozenset[date]:
        """Every day inside a closure that applies to the school ``urn`` (None: the
        closures of every school of the calendar only)."""
        return _days_of(c for c in self.closures if c.applies_to(urn))

    def own_closed_days(self, urn: str) -> frozenset[date]:
        """Every day inside a closure of the school ``urn``'s own (not the calendar's)."""
        return self._own_closed.get(urn, frozenset())

    @cached_property
    def _own_closed(self) -> dict[str, frozenset[date]]:
        by_urn: dict[str, list[Closure]] = {}
        for closure in self.closures:
            if closure.urn is not None:
                by_urn.setdefault(closure.urn, []).append(closure)
        return {urn: _days_of(closures) for urn, closures in by_urn.items()}

    def term(self, academic_year: int, name: str) -> Term | None:
        for term in self.terms:
            if term.academic_year == academic_year and term.name == name:
                return term
        return None

    def school_days_between(self, first: date, last: date, urn: str | None = None) -> list[date]:
        """The school days from ``first`` to ``last`` of the school ``urn`` (None: of a
        school with no closures of its own): its terms' weekdays, not bank holidays, not
        closed."""
        closed = self.closed_days(urn)
        days: list[date] = []
        for term in self.terms:
            if term.last_day < first or term.first_day > last:
                continue
            start, end = max(first, term.first_day), min(last, term.last_day)
            days.extend(day for day in open_weekdays(start, end) if day not in closed)
        return days
