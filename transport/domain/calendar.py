"""Academic years, terms and school days."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

TERM_NAMES = ("autumn", "spring", "summer")
DEFAULT_CALENDAR = "default"

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

    def school_days(self) -> Iterator[date]:
        return weekdays(self.first_day, self.last_day)


def weekdays(first: date, last: date) -> Iterator[date]:
    """Mondays to Fridays from ``first`` to ``last`` inclusive."""
    day = first
    one = timedelta(days=1)
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += one


@dataclass(frozen=True)
class Calendar:
    """One term calendar (the council's, or an academy trust's), terms sorted by date."""

    name: str
    terms: tuple[Term, ...]

    @classmethod
    def of(cls, name: str, terms: Iterable[Term]) -> Calendar:
        return cls(name, tuple(sorted(terms)))

    def school_days_between(self, first: date, last: date) -> list[date]:
        days: list[date] = []
        for term in self.terms:
            if term.last_day < first or term.first_day > last:
                continue
            days.extend(weekdays(max(first, term.first_day), min(last, term.last_day)))
        return days

    def current_term(self, day: date) -> Term | None:
        for term in self.terms:
            if term.contains(day):
                return term
        return None

    def last_term_ended_before(self, day: date) -> Term | None:
        ended = [term for term in self.terms if term.last_day < day]
        return ended[-1] if ended else None

    def recent_terms(self, day: date) -> Sequence[Term]:
        """The current term (if any) and the most recent term that ended before ``day``."""
        terms = [self.current_term(day), self.last_term_ended_before(day)]
        return [term for term in terms if term is not None]


def calendars_from(terms: Mapping[str, Iterable[Term]]) -> dict[str, Calendar]:
    return {name: Calendar.of(name, ts) for name, ts in terms.items()}
