"""The day-one risk check (docs/check.md), as pure functions.

Given each pupil's facts, the term calendars and a date D, say which children will
have no transport on a school day in the window, from when, and why.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from transport.domain.calendar import (
    DEFAULT_CALENDAR,
    Calendar,
    academic_year_of,
    academic_year_start,
)
from transport.vocabulary import (
    SEVERITY_ORDER,
    UNDECIDED,
    ApplicationStatus,
    Reason,
    Severity,
)

REASON_ORDER = tuple(Reason)
READINESS = (Reason.NO_ARRANGEMENT, Reason.FAMILY_NOT_INFORMED)

LIVE_APPLICATION = frozenset({*UNDECIDED, ApplicationStatus.APPROVED})


# The facts are NamedTuples, not dataclasses: immutable and typed all the same, and built
# several times faster, which matters when a check reads a million pupils.


class AwardFact(NamedTuple):
    valid_from: date
    valid_until: date
    school_urn: str | None = None  # None: the pupil's school_urn


class ApplicationFact(NamedTuple):
    academic_year: int
    status: str


class ArrangementFact(NamedTuple):
    academic_year: int
    family_informed: bool


class PupilFacts(NamedTuple):
    pupil_ref: str
    school_urn: str
    next_school_urn: str | None = None
    active: bool = True
    awards: tuple[AwardFact, ...] = ()
    applications: tuple[ApplicationFact, ...] = ()
    arrangements: tuple[ArrangementFact, ...] = ()
    reachable: bool = True


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
class PupilRisk:
    pupil_ref: str
    school_urn: str
    next_school_urn: str | None
    risk_date: date
    days_until: int
    severity: str
    reasons: tuple[Reason, ...]
    uncovered_from: date | None = None  # R: the first school day in the window not covered

    def sort_key(self) -> tuple[date, int, str]:
        return (self.risk_date, SEVERITY_ORDER.index(self.severity), self.pupil_ref)


@dataclass(frozen=True)
class CheckResult:
    as_of: date
    horizon_days: int
    in_scope: int
    at_risk: tuple[PupilRisk, ...]

    def severity_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITY_ORDER, 0)
        for risk in self.at_risk:
            counts[risk.severity] += 1
        return counts


@dataclass(frozen=True)
class _CalendarWindow:
    """One calendar's school days in the window, by academic year, and its recent terms."""

    days_by_year: Mapping[int, tuple[date, ...]]
    recent_days: tuple[date, ...]


@dataclass(frozen=True)
class _Segment:
    """The pupil's school days of one academic year of the window, and the school then."""

    academic_year: int
    school_urn: str
    days: tuple[date, ...]


@dataclass
class RiskContext:
    """What every pupil's check shares: the date, the window and the calendars."""

    as_of: date
    horizon_days: int
    calendars: Mapping[str, Calendar]
    school_calendar: Mapping[str, str]  # urn -> calendar name
    thresholds: Thresholds = field(default_factory=Thresholds)
    _windows: dict[str, _CalendarWindow] = field(default_factory=dict, repr=False)
    _segments: dict[tuple[str, str | None], tuple[_Segment, ...]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.last_day = self.as_of + timedelta(days=self.horizon_days)
        # The academic years the window touches.
        self.years = range(academic_year_of(self.as_of), academic_year_of(self.last_day) + 1)

    def segments(self, school_urn: str, next_school_urn: str | None) -> tuple[_Segment, ...]:
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
                found.append(_Segment(year, school, self.window(school).days_by_year.get(year, ())))
            cached = self._segments[key] = tuple(found)
        return cached

    def window(self, urn: str) -> _CalendarWindow:
        name = self.school_calendar.get(urn, DEFAULT_CALENDAR)
        cached = self._windows.get(name)
        if cached is None:
            cached = self._windows[name] = self._build_window(name)
        return cached

    def _build_window(self, name: str) -> _CalendarWindow:
        calendar = self.calendars.get(name, Calendar(name, ()))
        recent: list[date] = []
        for term in calendar.recent_terms(self.as_of):
            recent.extend(term.school_days())
        return _CalendarWindow(
            school_days_by_year(calendar, self.as_of, self.last_day), tuple(sorted(recent))
        )


def school_days_by_year(calendar: Calendar, first: date, last: date) -> dict[int, tuple[date, ...]]:
    """The calendar's school days from ``first`` to ``last``, by academic year."""
    by_year: dict[int, list[date]] = {}
    for day in calendar.school_days_between(first, last):
        by_year.setdefault(academic_year_of(day), []).append(day)
    return {year: tuple(days) for year, days in by_year.items()}


@dataclass(frozen=True)
class CalendarGap:
    """A calendar that schools follow has no terms for an academic year of the window:
    its pupils cannot be checked for that year, so the team must be told."""

    calendar: str
    academic_year: int
    schools: int


def calendar_gaps(ctx: RiskContext) -> list[CalendarGap]:
    users: dict[str, int] = {}
    for name in ctx.school_calendar.values():
        users[name] = users.get(name, 0) + 1
    gaps: list[CalendarGap] = []
    for name, schools in sorted(users.items()):
        calendar = ctx.calendars.get(name)
        covered = {term.academic_year for term in calendar.terms} if calendar else set()
        gaps.extend(CalendarGap(name, year, schools) for year in ctx.years if year not in covered)
    return gaps


def check(pupils: Iterable[PupilFacts], ctx: RiskContext) -> CheckResult:
    in_scope = 0
    at_risk: list[PupilRisk] = []
    for pupil in pupils:
        scoped, risk = assess(pupil, ctx)
        in_scope += scoped
        if risk is not None:
            at_risk.append(risk)
    at_risk.sort(key=PupilRisk.sort_key)
    return CheckResult(ctx.as_of, ctx.horizon_days, in_scope, tuple(at_risk))


def assess(pupil: PupilFacts, ctx: RiskContext) -> tuple[bool, PupilRisk | None]:
    """(in scope?, the pupil's risk or None) for one pupil."""
    if not pupil.active or not (pupil.awards or pupil.applications):
        return False, None
    intervals = _intervals_by_school(pupil)
    current = _is_current_traveller(pupil, ctx, intervals)
    live_years = [
        app.academic_year
        for app in pupil.applications
        if app.status in LIVE_APPLICATION and app.academic_year in ctx.years
    ]
    if not current and not live_years:
        return False, None

    segments: Sequence[_Segment] = ctx.segments(pupil.school_urn, pupil.next_school_urn)
    if not current:
        # A new traveller did not need transport before their application's year.
        start = academic_year_start(min(live_years))
        segments = [_from(segment, start) for segment in segments]

    reasons: list[Reason] = []
    dates: list[date] = []
    uncovered = _first_uncovered(segments, intervals)
    found: list[Reason] = []
    if uncovered is not None:
        # A refused application gives no reason: R then does not date the risk either.
        found = _application_reasons(pupil, academic_year_of(uncovered))
        if found:
            reasons.extend(found)
            dates.append(uncovered)
    for segment in segments:
        if not segment.days or not _any_covered(segment, intervals):
            continue
        readiness = _readiness_reason(pupil, segment.academic_year)
        if readiness is not None:
            reasons.append(readiness)
            dates.append(segment.days[0])
    if not pupil.reachable:
        reasons.append(Reason.UNREACHABLE)
        if not dates:
            first = next((segment.days[0] for segment in segments if segment.days), None)
            if first is not None:
                dates.append(first)
    if not reasons or not dates:
        return True, None

    risk_date = min(dates)
    days_until = (risk_date - ctx.as_of).days
    ordered = tuple(reason for reason in REASON_ORDER if reason in reasons)
    return True, PupilRisk(
        pupil_ref=pupil.pupil_ref,
        school_urn=pupil.school_urn,
        next_school_urn=pupil.next_school_urn,
        risk_date=risk_date,
        days_until=days_until,
        severity=ctx.thresholds.severity(days_until),
        reasons=ordered,
        uncovered_from=uncovered if found else None,
    )


Intervals = dict[str, list[tuple[date, date]]]


def _intervals_by_school(pupil: PupilFacts) -> Intervals:
    """The pupil's award periods by the school they are for, each list sorted."""
    found: Intervals = {}
    for valid_from, valid_until, school in pupil.awards:
        if valid_from <= valid_until:
            periods = found.setdefault(school or pupil.school_urn, [])
            periods.append((valid_from, valid_until))
            if len(periods) > 1:
                periods.sort()
    return found


def _is_current_traveller(pupil: PupilFacts, ctx: RiskContext, intervals: Intervals) -> bool:
    periods = intervals.get(pupil.school_urn)
    if not periods:
        return False
    days = ctx.window(pupil.school_urn).recent_days
    # A loop, not any(generator): this runs for every pupil of a check.
    for first, last in periods:  # noqa: SIM110
        if _has_day_in(days, first, last):
            return True
    return False


def _from(segment: _Segment, start: date) -> _Segment:
    index = bisect_left(segment.days, start)
    return _Segment(segment.academic_year, segment.school_urn, segment.days[index:])


def _has_day_in(days: Sequence[date], first: date, last: date) -> bool:
    index = bisect_left(days, first)
    return index < len(days) and days[index] <= last


def _first_uncovered(segments: Sequence[_Segment], intervals: Intervals) -> date | None:
    for segment in segments:
        days = segment.days
        index = 0
        periods = intervals.get(segment.school_urn, ())
        while index < len(days):
            day = days[index]
            ends = [last for first, last in periods if first <= day <= last]
            if not ends:
                return day
            index = bisect_right(days, max(ends), lo=index)
    return None


def _any_covered(segment: _Segment, intervals: Intervals) -> bool:
    days = segment.days
    for first, last in intervals.get(segment.school_urn, ()):
        if _has_day_in(days, first, last):
            return True
    return False


def _application_reasons(pupil: PupilFacts, year: int) -> list[Reason]:
    statuses = {app.status for app in pupil.applications if app.academic_year == year}
    reasons = []
    if not statuses - {"withdrawn"}:
        reasons.append(Reason.NO_APPLICATION)
    if statuses & UNDECIDED:
        reasons.append(Reason.APPLICATION_UNDECIDED)
    if "approved" in statuses:
        reasons.append(Reason.AWARD_MISSING)
    return reasons


def _readiness_reason(pupil: PupilFacts, year: int) -> Reason | None:
    arrangements = [a for a in pupil.arrangements if a.academic_year == year]
    if not arrangements:
        return Reason.NO_ARRANGEMENT
    if not any(a.family_informed for a in arrangements):
        return Reason.FAMILY_NOT_INFORMED
    return None


def readiness_gaps(pupil: PupilFacts, ctx: RiskContext) -> list[tuple[int, Reason]]:
    """The school years of the window for which the pupil is covered but has no
    arrangement (NO_ARRANGEMENT) or the family was not told (FAMILY_NOT_INFORMED): the
    readiness work the check counts, by year (for the simulator's council)."""
    intervals = _intervals_by_school(pupil)
    segments: Sequence[_Segment] = ctx.segments(pupil.school_urn, pupil.next_school_urn)
    if not _is_current_traveller(pupil, ctx, intervals):
        live = [
            app.academic_year
            for app in pupil.applications
            if app.status in LIVE_APPLICATION and app.academic_year in ctx.years
        ]
        if not live:
            return []
        start = academic_year_start(min(live))
        segments = [_from(segment, start) for segment in segments]
    gaps = []
    for segment in segments:
        if segment.days and _any_covered(segment, intervals):
            reason = _readiness_reason(pupil, segment.academic_year)
            if reason is not None:
                gaps.append((segment.academic_year, reason))
    return gaps


@dataclass
class Span:
    """Each calendar's school days from ``first`` to ``last``, by school year (built once
    per calendar, shared by every pupil of a span)."""

    first: date
    last: date
    calendars: Mapping[str, Calendar]
    school_calendar: Mapping[str, str]
    _days: dict[str, dict[int, tuple[date, ...]]] = field(default_factory=dict, repr=False)

    def days(self, urn: str) -> dict[int, tuple[date, ...]]:
        name = self.school_calendar.get(urn, DEFAULT_CALENDAR)
        found = self._days.get(name)
        if found is None:
            calendar = self.calendars.get(name, Calendar(name, ()))
            found = self._days[name] = school_days_by_year(calendar, self.first, self.last)
        return found


def never_at_risk(pupil: PupilFacts, span: Span) -> bool:
    """True when the pupil, with these facts, is at risk in no check whose window lies
    within the span, the pupil moving to their next school when a school year starts (as
    the simulator does): reachable, and every school day of the span's first school year
    at the school, and of the later years at the next school (if any), is covered by an
    award for that school, with the family told of an arrangement for the year. A
    sufficient test, not a necessary one: it lets the simulator check only the pupils
    who may be at risk."""
    if not pupil.active:
        return True
    if not pupil.reachable:
        return False
    intervals = _intervals_by_school(pupil)
    informed = {a.academic_year for a in pupil.arrangements if a.family_informed}
    first_year = academic_year_of(span.first)
    later = pupil.next_school_urn
    for urn, years in ((pupil.school_urn, "first"), (later, "later")):
        if urn is None:
            continue
        for year, days in span.days(urn).items():
            if later and (year > first_year) != (years == "later"):
                continue  # that year is at the other school
            if year not in informed:
                return False
            if _first_uncovered((_Segment(year, urn, days),), intervals) is not None:
                return False
    return True
