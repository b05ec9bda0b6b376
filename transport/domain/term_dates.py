"""Term dates that are missing: calendar gaps and the assumed days that stand in for them.

A calendar often lacks next year's terms (in July, academies publish late). The check
must never read that as "no child at risk", so wherever a calendar lacks a term the
check counts **assumed days** instead, the earliest plausible ones, so that nothing is
missed (docs/check.md, "When term dates are missing"):

- the earlier of (a) the default calendar's same term, when it has it, and (b) the same
  term of the calendar 52 weeks before (its own, else the default calendar's; for a
  calendar more than a year behind, its own as assumed), moved on by 52 weeks; the
  assumed term runs from the earlier first day to the later last day of the two;
- when neither exists, every weekday from 1 September (autumn to 31 December, spring
  to 31 March, summer to 31 August).

Assumed days are the weekdays of an assumed term that are not bank holidays and not
inside a known term of the calendar; no closure applies to them (closures are entered
for known terms). Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from transport.domain.calendar import (
    TERM_NAMES,
    Calendar,
    Term,
    academic_year_of,
    open_weekdays,
)

FIFTY_TWO_WEEKS = timedelta(weeks=52)

# Where no calendar gives a hint: (month, day) to (month, day), by term, the spring and
# summer ones in the second calendar year of the academic year.
_FALLBACK = {
    "autumn": ((9, 1), (12, 31), 0),
    "spring": ((1, 1), (3, 31), 1),
    "summer": ((4, 1), (8, 31), 1),
}


@dataclass(frozen=True, order=True)
class DatedTerm:
    """A term as the check counts it: one the calendar holds, or an assumed one."""

    first_day: date
    last_day: date
    academic_year: int
    name: str
    assumed: bool = False

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class SchoolDay:
    day: date
    term: DatedTerm

    @property
    def assumed(self) -> bool:
        return self.term.assumed


def _known(term: Term) -> DatedTerm:
    return DatedTerm(term.first_day, term.last_day, term.academic_year, term.name)


def assumed_term(
    calendar: Calendar, default: Calendar | None, academic_year: int, name: str
) -> DatedTerm:
    """The term ``name`` of ``academic_year`` as assumed for ``calendar`` (which lacks
    it): see the module's docstring. When neither the calendar nor the default one has
    the term 52 weeks before, but the calendar has terms of an earlier year, the term
    assumed for the year before is moved on (a calendar two years behind)."""
    spans: list[tuple[date, date]] = []
    if default is not None and (same := default.term(academic_year, name)) is not None:
        spans.append((same.first_day, same.last_day))
    before: Term | DatedTerm | None = calendar.term(academic_year - 1, name)
    if before is None and default is not None:
        before = default.term(academic_year - 1, name)
    if before is None and calendar.terms and calendar.terms[0].academic_year < academic_year - 1:
        before = assumed_term(calendar, default, academic_year - 1, name)
    if before is not None:
        spans.append((before.first_day + FIFTY_TWO_WEEKS, before.last_day + FIFTY_TWO_WEEKS))
    if not spans:
        (m1, d1), (m2, d2), offset = _FALLBACK[name]
        year = academic_year + offset
        spans.append((date(year, m1, d1), date(year, m2, d2)))
    first = min(first for first, _ in spans)
    last = max(last for _, last in spans)
    return DatedTerm(first, last, academic_year, name, assumed=True)


def dated_terms(
    calendar: Calendar, default: Calendar | None, years: Iterable[int]
) -> tuple[DatedTerm, ...]:
    """The calendar's terms, and an assumed term for each term of ``years`` it lacks,
    sorted by first day."""
    have = {(term.academic_year, term.name) for term in calendar.terms}
    found = [_known(term) for term in calendar.terms]
    for year in years:
        for name in TERM_NAMES:
            if (year, name) not in have:
                found.append(assumed_term(calendar, default, year, name))
    return tuple(sorted(found))


def school_days(
    calendar: Calendar,
    default: Calendar | None,
    first: date,
    last: date,
    urn: str | None = None,
) -> list[SchoolDay]:
    """The school days from ``first`` to ``last`` of the school ``urn`` (None: a school
    with no closures of its own), in order, each with its term: the calendar's own, and
    assumed days where it lacks a term of an academic year from ``first`` to ``last``."""
    years = range(academic_year_of(first), academic_year_of(last) + 1)
    terms = dated_terms(calendar, default, years)
    closed = calendar.closed_days(urn)
    known = [term for term in terms if not term.assumed]
    by_day: dict[date, DatedTerm] = {}
    for term in terms:
        if term.last_day < first or term.first_day > last:
            continue
        # The calendar's own terms that overlap this one (an assumed term's days inside
        # them are not its own): usually none, so a day is not compared with them all.
        overlapping = [
            other
            for other in known
            if term.assumed
            and other.first_day <= term.last_day
            and other.last_day >= term.first_day
        ]
        for day in open_weekdays(max(first, term.first_day), min(last, term.last_day)):
            if day in by_day:
                continue
            if term.assumed:
                if any(other.contains(day) for other in overlapping):
                    continue  # inside a term the calendar has: its own dates rule
            elif day in closed:
                continue
            by_day[day] = term
    return [SchoolDay(day, by_day[day]) for day in sorted(by_day)]


def first_day_of(
    days: Sequence[SchoolDay], academic_year: int, term: str | None
) -> SchoolDay | None:
    for school_day in days:
        if school_day.term.academic_year == academic_year and (
            term is None or school_day.term.name == term
        ):
            return school_day
    return None


@dataclass(frozen=True)
class FirstDay:
    """The first school day of a year or a term, and whether it is assumed (the term's
    dates are missing: never to be told to a family as a fact)."""

    day: date
    assumed: bool
    term: str


def first_school_day(
    calendar: Calendar,
    academic_year: int,
    *,
    term: str | None = None,
    urn: str | None = None,
    default: Calendar | None = None,
) -> FirstDay | None:
    """The first school day of ``academic_year`` (or of its ``term``: autumn, spring,
    summer) for the school ``urn`` following ``calendar``: after its INSET days and other
    closures, never a bank holiday or a weekend. When the calendar lacks that term, the
    day is an assumed one (``assumed`` True; ``default``: the default calendar, from
    which assumed days are taken first). None when the year or term has no school day
    (every day of it closed)."""
    start = date(academic_year, 9, 1)
    end = date(academic_year + 1, 8, 31)
    days = school_days(calendar, default, start, end, urn)
    found = first_day_of(days, academic_year, term)
    if found is None:
        return None
    return FirstDay(found.day, found.assumed, found.term.name)


@dataclass(frozen=True)
class MissingTerm:
    """A term a calendar lacks for the dates a window reaches, as assumed."""

    calendar: str
    term: DatedTerm
    first_assumed: date | None  # its first assumed school day (None: none, all bank holidays)


def missing_terms(
    calendar: Calendar, default: Calendar | None, as_of: date, last: date
) -> list[MissingTerm]:
    """The terms ``calendar`` lacks for the window from ``as_of`` to ``last``: for each
    academic year the window touches, each term it lacks that has not ended (as assumed)
    by ``as_of``, when the window reaches it or reaches past the end of the calendar's
    last known term before it (a calendar with no terms: from its start)."""
    years = range(academic_year_of(as_of), academic_year_of(last) + 1)
    terms = dated_terms(calendar, default, years)
    known = [term for term in terms if not term.assumed]
    found = []
    for term in terms:
        if not term.assumed or term.academic_year not in years or term.last_day < as_of:
            continue
        before = [k.last_day for k in known if k.last_day < term.first_day]
        if term.first_day <= last or not before or max(before) < last:
            first = next(_assumed_days(term, known), None)
            found.append(MissingTerm(calendar.name, term, first))
    return found


def _assumed_days(term: DatedTerm, known: Sequence[DatedTerm]) -> Iterator[date]:
    for day in open_weekdays(term.first_day, term.last_day):
        if not any(other.contains(day) for other in known):
            yield day
