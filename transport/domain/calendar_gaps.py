"""Calendar gaps: the terms a calendar that schools follow lacks for the dates the check's
window reaches. The check counts assumed days for them (transport/domain/term_dates.py)
and says so first; a gap is never an all-clear. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from transport.domain.calendar import DEFAULT_CALENDAR, Calendar, format_academic_year
from transport.domain.dates_text import day_year
from transport.domain.risk import CheckResult, RiskContext, Thresholds
from transport.domain.term_dates import missing_terms


@dataclass(frozen=True)
class CalendarGap:
    """One calendar's missing terms of one academic year."""

    calendar: str
    academic_year: int
    terms: tuple[str, ...]  # autumn, spring, summer: in order
    first_assumed: date | None  # the first assumed school day ("from")
    schools: tuple[str, ...]  # the URNs that follow the calendar
    pupils: int  # children in scope of the check at those schools in that year

    def days_until(self, as_of: date) -> int | None:
        return None if self.first_assumed is None else (self.first_assumed - as_of).days

    def as_dict(self) -> dict[str, Any]:
        """The JSON's ``calendar_gaps`` element (docs/check.md)."""
        return {
            "calendar": self.calendar,
            "academic_year": format_academic_year(self.academic_year),
            "terms": list(self.terms),
            "from": self.first_assumed.isoformat() if self.first_assumed else None,
            "schools": list(self.schools),
            "pupils": self.pupils,
        }

    def describe(self) -> str:
        """In words, for people: 'calendar 'acad1' (2 schools) has no autumn, spring or
        summer term 2026/27 dates: assumed from Mon 07 Sep 2026'."""
        terms = _words(self.terms)
        count = len(self.schools)
        schools = f"{count} school{'s' if count != 1 else ''}"
        start = f"{day_year(self.first_assumed)}" if self.first_assumed else "(no day)"
        children = f"{self.pupils} {'child' if self.pupils == 1 else 'children'} in scope"
        return (
            f"calendar '{self.calendar}' ({schools}, {children}) has no "
            f"{terms} term dates for {format_academic_year(self.academic_year)}: the check "
            f"assumes school days from {start}; import its terms"
        )


def _words(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def followers(school_calendar: Mapping[str, str]) -> dict[str, list[str]]:
    """Calendar name -> the URNs of the schools that follow it, sorted."""
    found: dict[str, list[str]] = {}
    for urn, name in sorted(school_calendar.items()):
        found.setdefault(name or DEFAULT_CALENDAR, []).append(urn)
    return found


def calendar_gaps(ctx: RiskContext, result: CheckResult | None = None) -> list[CalendarGap]:
    """Every gap of a calendar some school follows, for the window of ``ctx``, sorted by
    first assumed day then calendar. ``result``: the check, whose children in scope are
    counted against each gap (by the school they attend in the gap's year)."""
    default = ctx.calendars.get(DEFAULT_CALENDAR)
    gaps: list[CalendarGap] = []
    for name, urns in followers(ctx.school_calendar).items():
        calendar = ctx.calendars.get(name, Calendar(name, ()))
        by_year: dict[int, list[Any]] = {}
        for missing in missing_terms(calendar, default, ctx.as_of, ctx.last_day):
            by_year.setdefault(missing.term.academic_year, []).append(missing)
        for year, found in sorted(by_year.items()):
            firsts = [m.first_assumed for m in found if m.first_assumed is not None]
            gaps.append(
                CalendarGap(
                    name,
                    year,
                    tuple(m.term.name for m in found),
                    min(firsts) if firsts else None,
                    tuple(urns),
                    _pupils(ctx, result, name, year),
                )
            )
    return sorted(gaps, key=lambda g: (g.first_assumed or date.max, g.calendar, g.academic_year))


def _pupils(ctx: RiskContext, result: CheckResult | None, name: str, year: int) -> int:
    if result is None:
        return 0
    first_year = ctx.years[0]
    count = 0
    for (school, later), n in result.in_scope_by_schools.items():
        urn = later if later and year > first_year else school
        if ctx.school_calendar.get(urn, DEFAULT_CALENDAR) == name:
            count += n
    return count


def gaps_due(gaps: Iterable[CalendarGap], as_of: date, thresholds: Thresholds) -> list[CalendarGap]:
    """The gaps whose first assumed day is within ``high`` days of ``as_of`` (or past):
    with `--fail-on`, the check exits 1 for them, whatever the children's severities."""
    return [
        gap
        for gap in gaps
        if (days := gap.days_until(as_of)) is not None and days <= thresholds.high
    ]
