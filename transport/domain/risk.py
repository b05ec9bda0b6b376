"""The day-one risk check (docs/check.md), as pure functions.

Given each pupil's facts, the term calendars and a date D, say which children will
have no transport on a school day in the window, from when, and why. School days leave
out bank holidays and closures; where a calendar lacks a term, assumed days stand in
(transport/domain/term_dates.py) and a child whose reasons or risk date rest on them
also carries NO_TERM_DATES (never alone).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from transport.domain.calendar import academic_year_of, academic_year_start
from transport.domain.risk_context import (
    RiskContext,
    Segment,
    Span,
    Thresholds,
    school_days_by_year,
    school_days_key,
)
from transport.vocabulary import (
    SEVERITY_ORDER,
    UNDECIDED,
    ApplicationStatus,
    Reason,
)

REASON_ORDER = tuple(Reason)
READINESS = (Reason.NO_ARRANGEMENT, Reason.FAMILY_NOT_INFORMED)

LIVE_APPLICATION = frozenset({*UNDECIDED, ApplicationStatus.APPROVED})

# Re-exported: the check's callers build its context from here.
__all__ = [
    "ApplicationFact",
    "ArrangementFact",
    "AwardFact",
    "CheckResult",
    "PupilFacts",
    "PupilRisk",
    "RiskContext",
    "Span",
    "Thresholds",
    "assess",
    "check",
    "never_at_risk",
    "readiness_gaps",
    "school_days_by_year",
    "school_days_key",
]


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
class PupilRisk:
    pupil_ref: str
    school_urn: str
    next_school_urn: str | None
    risk_date: date
    days_until: int
    severity: str
    reasons: tuple[Reason, ...]
    uncovered_from: date | None = None  # R: the first school day in the window not covered
    # R is an assumed day (its calendar lacks the term), and the term R falls in: a
    # message then says "from the start of the autumn term", never the date.
    uncovered_assumed: bool = False
    uncovered_term: str | None = None

    def sort_key(self) -> tuple[date, int, str]:
        return (self.risk_date, SEVERITY_ORDER.index(self.severity), self.pupil_ref)


@dataclass(frozen=True)
class CheckResult:
    as_of: date
    horizon_days: int
    in_scope: int
    at_risk: tuple[PupilRisk, ...]
    # (school_urn, next_school_urn) -> children in scope: whose calendars a gap touches
    # (filled by `check` when there is a calendar gap; the simulator's memo leaves it empty).
    in_scope_by_schools: Mapping[tuple[str, str | None], int] = field(
        default_factory=dict, compare=False, repr=False
    )

    def severity_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITY_ORDER, 0)
        for risk in self.at_risk:
            counts[risk.severity] += 1
        return counts


def check(pupils: Iterable[PupilFacts], ctx: RiskContext) -> CheckResult:
    in_scope = 0
    at_risk: list[PupilRisk] = []
    # Children in scope by their schools, for the calendar gaps' counts: only when there
    # is a gap; counted as they go (a pair of schools each, not a pair a child).
    by_schools: Counter[tuple[str, str | None]] = Counter()
    gaps = ctx.has_gaps()
    for pupil in pupils:
        scoped, risk = assess(pupil, ctx)
        if scoped:
            in_scope += 1
            if gaps:
                by_schools[(pupil.school_urn, pupil.next_school_urn)] += 1
        if risk is not None:
            at_risk.append(risk)
    at_risk.sort(key=PupilRisk.sort_key)
    return CheckResult(ctx.as_of, ctx.horizon_days, in_scope, tuple(at_risk), by_schools)


# A current traveller, and whether only assumed days make them one.
NOT_CURRENT, CURRENT, CURRENT_ON_ASSUMED_DAYS = 0, 1, 2


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

    segments: Sequence[Segment] = ctx.segments(pupil.school_urn, pupil.next_school_urn)
    if not current:
        # A new traveller did not need transport before their application's year.
        start = academic_year_start(min(live_years))
        segments = [_from(segment, start) for segment in segments]

    reasons: list[Reason] = []
    dates: list[date] = []
    # Whether the reasons or the risk date rest on assumed days (NO_TERM_DATES): in scope
    # only through assumed days, or a date that is assumed.
    assumed = current == CURRENT_ON_ASSUMED_DAYS and not live_years
    uncovered, r_segment = _first_uncovered(segments, intervals)
    found: list[Reason] = []
    r_assumed, r_term = False, None
    if uncovered is not None:
        # A refused application gives no reason: R then does not date the risk either.
        found = _application_reasons(pupil, academic_year_of(uncovered))
        if found:
            reasons.extend(found)
            dates.append(uncovered)
            r_assumed = uncovered in r_segment.assumed  # type: ignore[union-attr]
            r_term = r_segment.term_of.get(uncovered)  # type: ignore[union-attr]
    for segment in segments:
        if not segment.days or not _any_covered(segment, intervals):
            continue
        readiness = _readiness_reason(pupil, segment.academic_year)
        if readiness is not None:
            reasons.append(readiness)
            dates.append(segment.days[0])
            if segment.assumed and (
                segment.days[0] in segment.assumed or not _any_known_covered(segment, intervals)
            ):
                assumed = True
    if not pupil.reachable:
        reasons.append(Reason.UNREACHABLE)
        if not dates:
            first = next((segment for segment in segments if segment.days), None)
            if first is not None:
                dates.append(first.days[0])
                assumed = assumed or first.days[0] in first.assumed
    if not reasons or not dates:
        return True, None

    risk_date = min(dates)
    days_until = (risk_date - ctx.as_of).days
    if assumed or r_assumed:
        reasons.append(Reason.NO_TERM_DATES)
    ordered = tuple(reason for reason in REASON_ORDER if reason in reasons)
    return True, PupilRisk(
        pupil.pupil_ref,
        pupil.school_urn,
        pupil.next_school_urn,
        risk_date,
        days_until,
        ctx.thresholds.severity(days_until),
        ordered,
        uncovered if found else None,
        r_assumed,
        r_term,
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


def _is_current_traveller(pupil: PupilFacts, ctx: RiskContext, intervals: Intervals) -> int:
    """Covered on a school day of the current or the last term: NOT_CURRENT, CURRENT, or
    CURRENT_ON_ASSUMED_DAYS (only on days a calendar gap stands in for)."""
    periods = intervals.get(pupil.school_urn)
    if not periods:
        return NOT_CURRENT
    window = ctx.window(pupil.school_urn)
    days = window.recent_days
    # A loop, not any(generator): this runs for every pupil of a check.
    for first, last in periods:
        if _has_day_in(days, first, last):
            break
    else:
        return NOT_CURRENT
    if window.assumed:
        for first, last in periods:
            if _has_known_day_in(days, first, last, window.assumed):
                return CURRENT
        return CURRENT_ON_ASSUMED_DAYS
    return CURRENT


def _from(segment: Segment, start: date) -> Segment:
    index = bisect_left(segment.days, start)
    return segment.starting(index)


def _has_day_in(days: Sequence[date], first: date, last: date) -> bool:
    index = bisect_left(days, first)
    return index < len(days) and days[index] <= last


def _has_known_day_in(
    days: Sequence[date], first: date, last: date, assumed: frozenset[date]
) -> bool:
    """A day of ``days`` (sorted) from ``first`` to ``last`` that is not assumed."""
    index = bisect_left(days, first)
    while index < len(days) and days[index] <= last:
        if days[index] not in assumed:
            return True
        index += 1
    return False


def _first_uncovered(
    segments: Sequence[Segment], intervals: Intervals
) -> tuple[date | None, Segment | None]:
    """R, the first school day not covered, and the segment it falls in."""
    for segment in segments:
        days = segment.days
        index = 0
        periods = intervals.get(segment.school_urn, ())
        while index < len(days):
            day = days[index]
            ends = [last for first, last in periods if first <= day <= last]
            if not ends:
                return day, segment
            index = bisect_right(days, max(ends), lo=index)
    return None, None


def _any_covered(segment: Segment, intervals: Intervals) -> bool:
    days = segment.days
    for first, last in intervals.get(segment.school_urn, ()):
        if _has_day_in(days, first, last):
            return True
    return False


def _any_known_covered(segment: Segment, intervals: Intervals) -> bool:
    """Covered on a school day of the segment that is not assumed."""
    for first, last in intervals.get(segment.school_urn, ()):
        if _has_known_day_in(segment.days, first, last, segment.assumed):
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
    segments: Sequence[Segment] = ctx.segments(pupil.school_urn, pupil.next_school_urn)
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
            segment = Segment(year, urn, days)
            if _first_uncovered((segment,), intervals)[0] is not None:
                return False
    return True
