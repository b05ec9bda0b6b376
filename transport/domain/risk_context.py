"""What every pupil's risk check shares: the date, the window, the severity thresholds
and each school's school days (by calendar, and by school where a school has closures of
its own), with the assumed days that stand in for missing terms. Built once per check
(or per span of the simulator), so a pupil's check costs the same whatever the calendars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from transport.domain.calendar import (
    DEFAULT_CALENDAR,
    Calendar,
    academic_year_of,
    academic_year_start,
)
from transport.domain.term_dates import DatedTerm, dated_terms, missing_terms, school_days
from transport.vocabulary import Severity


@dataclass(frozen=True)
class Thresholds:
    critical: int = 7
    high: int = 21
    medium: int = 42

    def severity(self, days_until: int) -> str:
        if days_until <= self.critical:
            return Severity.CRITICAL
        if days_until <= self.high:
            return Severity.HIGH
        if days_until <= self.medium:
            return Severity.MEDIUM
        return Severity.LOW


@dataclass(frozen=True)
class CalendarWindow:
    """One school's school days in the window, by academic year, and in its recent terms
    (shared by every school that follows the calendar with no closures of its own)."""

    days_by_year: Mapping[int, tuple[date, ...]]
    recent_days: tuple[date, ...]
    # The assumed days among them (the calendar lacks their term), and each window day's
    # term name.
    assumed: frozenset[date] = frozenset()
    term_of: Mapping[date, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Segment:
    """The pupil's school days of one academic year of the window, and the school then."""

    academic_year: int
    school_urn: str
    days: tuple[date, ...]
    # The assumed days of the school's window (usually none), and each day's term name.
    assumed: frozenset[date] = frozenset()
    term_of: Mapping[date, str] = field(default_factory=dict)

    def starting(self, index: int) -> Segment:
        """The segment from its day ``index`` on."""
        return Segment(
            self.academic_year, self.school_urn, self.days[index:], self.assumed, self.term_of
        )


@dataclass
class RiskContext:
    """What every pupil's check shares: the date, the window and the calendars."""

    as_of: date
    horizon_days: int
    calendars: Mapping[str, Calendar]
    school_calendar: Mapping[str, str]  # urn -> calendar name
    thresholds: Thresholds = field(default_factory=Thresholds)
    _windows: dict[tuple[str, str | None], CalendarWindow] = field(default_factory=dict, repr=False)
    _by_urn: dict[str, CalendarWindow] = field(default_factory=dict, repr=False)
    _segments: dict[tuple[str, str | None], tuple[Segment, ...]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self._has_gaps: bool | None = None
        self.last_day = self.as_of + timedelta(days=self.horizon_days)
        # The academic years the window touches.
        self.years = range(academic_year_of(self.as_of), academic_year_of(self.last_day) + 1)

    def has_gaps(self) -> bool:
        """Whether a calendar some school follows lacks a term the window reaches (see
        transport/domain/calendar_gaps.py)."""
        if self._has_gaps is None:
            default = self.calendars.get(DEFAULT_CALENDAR)
            self._has_gaps = any(
                missing_terms(self.calendars.get(name, Calendar(name, ())), default,
                              self.as_of, self.last_day)
                for name in {*self.school_calendar.values()}
            )  # fmt: skip
        return self._has_gaps

    def segments(self, school_urn: str, next_school_urn: str | None) -> tuple[Segment, ...]:
        """A pupil's school days in the window by academic year, with the school then:
        the next school for years after the one containing D (shared by every pupil
        with the same two schools, so computed once)."""
        key = (school_urn, next_school_urn)
        cached = self._segments.get(key)
        if cached is None:
            this_year = self.years[0]
            found = []
            for year in self.years:
                school = next_school_urn if year > this_year and next_school_urn else school_urn
                window = self.window(school)
                days = window.days_by_year.get(year, ())
                found.append(Segment(year, school, days, window.assumed, window.term_of))
            cached = self._segments[key] = tuple(found)
        return cached

    def window(self, urn: str) -> CalendarWindow:
        """The school's school days (one dict lookup: this runs for every pupil)."""
        found = self._by_urn.get(urn)
        if found is None:
            key = school_days_key(self.calendars, self.school_calendar, urn)
            found = self._windows.get(key)
            if found is None:
                found = self._windows[key] = self._build_window(*key)
            self._by_urn[urn] = found
        return found

    def _build_window(self, name: str, urn: str | None) -> CalendarWindow:
        calendar = self.calendars.get(name, Calendar(name, ()))
        if urn is not None:  # the calendar's days, less the school's own closures
            shared = self._windows.get((name, None))
            if shared is None:
                shared = self._windows[(name, None)] = self._build_window(name, None)
            return _less(shared, calendar.own_closed_days(urn))
        default = self.calendars.get(DEFAULT_CALENDAR)
        # From the year before D's: the most recent term that ended may be in it.
        start = academic_year_start(self.years[0] - 1)
        terms = dated_terms(calendar, default, range(self.years[0] - 1, self.years[-1] + 1))
        recent = _recent_terms(terms, self.as_of)
        by_year: dict[int, list[date]] = {}
        recent_days: list[date] = []
        assumed: set[date] = set()
        term_of: dict[date, str] = {}
        for school_day in school_days(calendar, default, start, self.last_day, urn):
            day, term = school_day.day, school_day.term
            in_window = day >= self.as_of
            if in_window:
                by_year.setdefault(academic_year_of(day), []).append(day)
                term_of[day] = term.name
            if term in recent:
                recent_days.append(day)
            if term.assumed and (in_window or term in recent):
                assumed.add(day)
        return CalendarWindow(
            {year: tuple(days) for year, days in by_year.items()},
            tuple(recent_days),
            frozenset(assumed),
            term_of,
        )


def _less(window: CalendarWindow, closed: frozenset[date]) -> CalendarWindow:
    """The window without the ``closed`` days (a school's own closures: inside known
    terms, so never assumed days)."""
    return CalendarWindow(
        {
            year: tuple(day for day in days if day not in closed)
            for year, days in window.days_by_year.items()
        },
        tuple(day for day in window.recent_days if day not in closed),
        window.assumed,
        window.term_of,
    )


SchoolDaysKey = tuple[str, str | None]  # the calendar's name, and the school with own closures


def school_days_key(
    calendars: Mapping[str, Calendar], school_calendar: Mapping[str, str], urn: str | None
) -> SchoolDaysKey:
    """What a school's school days depend on: the calendar it follows, and the school
    itself when it has closures of its own (INSET days it sets)."""
    name = school_calendar.get(urn, DEFAULT_CALENDAR) if urn is not None else DEFAULT_CALENDAR
    calendar = calendars.get(name)
    own = urn if calendar is not None and urn in calendar.own_closure_urns else None
    return name, own


def _recent_terms(terms: Sequence[DatedTerm], day: date) -> set[DatedTerm]:
    """The current term (if any) and the most recent term that ended before ``day``."""
    found = {term for term in terms if term.contains(day)}
    ended = [term for term in terms if term.last_day < day]
    if ended:
        found.add(max(ended, key=lambda term: term.last_day))
    return found


def school_days_by_year(
    calendars: Mapping[str, Calendar],
    school_calendar: Mapping[str, str],
    urn: str,
    first: date,
    last: date,
) -> dict[int, tuple[date, ...]]:
    """The school's school days from ``first`` to ``last`` (assumed ones where its
    calendar lacks a term), by academic year."""
    name, own = school_days_key(calendars, school_calendar, urn)
    calendar = calendars.get(name, Calendar(name, ()))
    by_year: dict[int, list[date]] = {}
    for school_day in school_days(calendar, calendars.get(DEFAULT_CALENDAR), first, last, own):
        by_year.setdefault(academic_year_of(school_day.day), []).append(school_day.day)
    return {year: tuple(days) for year, days in by_year.items()}


@dataclass
class Span:
    """Each calendar's school days from ``first`` to ``last``, by school year (built once
    per calendar, and per school with closures of its own; shared by every pupil of a
    span). Assumed days stand in where a calendar lacks a term, as in the check."""

    first: date
    last: date
    calendars: Mapping[str, Calendar]
    school_calendar: Mapping[str, str]
    _days: dict[tuple[str, str | None], dict[int, tuple[date, ...]]] = field(
        default_factory=dict, repr=False
    )

    def days(self, urn: str) -> dict[int, tuple[date, ...]]:
        key = school_days_key(self.calendars, self.school_calendar, urn)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = school_days_by_year(
                self.calendars, self.school_calendar, urn, self.first, self.last
            )
        return found
