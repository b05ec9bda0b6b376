"""`transport calendars`: each term calendar, the schools that follow it, the terms and
closures it has, and what it lacks for the dates the check's window reaches (or for one
academic year), so the team can chase the schools that have not published. Typed
results; their JSON is rendered in commands/views/calendars.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.app import App
from transport.db.queries.risk_facts import load_calendars, school_names
from transport.domain.calendar import (
    DEFAULT_CALENDAR,
    Calendar,
    Closure,
    Term,
    academic_year_start,
)
from transport.domain.calendar_gaps import followers
from transport.domain.risk import RiskContext
from transport.domain.term_dates import first_school_day, missing_terms


@dataclass(frozen=True)
class Missing:
    """Terms a calendar lacks in one academic year, and the first day the check assumes."""

    academic_year: int
    terms: tuple[str, ...]
    first_assumed: date | None


@dataclass(frozen=True)
class CalendarLine:
    name: str
    schools: list[tuple[str, str]]  # (urn, name)
    terms: list[tuple[Term, date | None]]  # each term and its first school day
    closures: list[Closure]
    missing: list[Missing] = field(default_factory=list)


@dataclass(frozen=True)
class CalendarsReport:
    as_of: date
    horizon_days: int
    academic_years: tuple[int, ...]
    calendars: list[CalendarLine]


def calendars_report(app: App, *, as_of: date, academic_year: int | None) -> CalendarsReport:
    """Every calendar (those schools follow, and those with terms), the missing ones
    first. ``academic_year``: that year's terms, closures and gaps; None: the years the
    check's window from ``as_of`` reaches, and the gaps it would report."""
    horizon = app.settings.check.horizon_days
    with app.ready().engine.connect() as conn:
        calendars, school_calendar = load_calendars(conn)
        names = school_names(conn)
    ctx = RiskContext(as_of, horizon, calendars, school_calendar)
    years = (academic_year,) if academic_year is not None else tuple(ctx.years)
    default = calendars.get(DEFAULT_CALENDAR)
    schools = followers(school_calendar)
    lines = []
    for name in sorted(calendars.keys() | schools.keys()):
        calendar = calendars.get(name, Calendar(name, ()))
        if academic_year is None:
            missing = _window_gaps(calendar, default, as_of, ctx.last_day)
        else:
            missing = _year_gaps(calendar, default, academic_year)
        start, end = academic_year_start(years[0]), academic_year_start(years[-1] + 1)
        lines.append(
            CalendarLine(
                name,
                [(urn, names.get(urn, "")) for urn in schools.get(name, [])],
                [
                    (term, _first(calendar, term))
                    for term in calendar.terms
                    if term.academic_year in years
                ],
                [c for c in calendar.closures if start <= c.first_day < end],
                missing,
            )
        )
    lines.sort(key=lambda line: (not line.missing, line.name))
    return CalendarsReport(as_of, horizon, years, lines)


def _first(calendar: Calendar, term: Term) -> date | None:
    found = first_school_day(calendar, term.academic_year, term=term.name)
    return found.day if found else None


def _window_gaps(
    calendar: Calendar, default: Calendar | None, as_of: date, last: date
) -> list[Missing]:
    by_year: dict[int, list[Any]] = {}
    for missing in missing_terms(calendar, default, as_of, last):
        by_year.setdefault(missing.term.academic_year, []).append(missing)
    return [
        Missing(
            year,
            tuple(m.term.name for m in found),
            min((m.first_assumed for m in found if m.first_assumed), default=None),
        )
        for year, found in sorted(by_year.items())
    ]


def _year_gaps(calendar: Calendar, default: Calendar | None, year: int) -> list[Missing]:
    have = {term.name for term in calendar.terms if term.academic_year == year}
    lacking = tuple(name for name in ("autumn", "spring", "summer") if name not in have)
    if not lacking:
        return []
    firsts = [
        found.day
        for name in lacking
        if (found := first_school_day(calendar, year, term=name, default=default)) is not None
    ]
    return [Missing(year, lacking, min(firsts, default=None))]
