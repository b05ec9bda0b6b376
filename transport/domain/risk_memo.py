"""The risk check of many pupils on many days (the simulator), with the same results as
`risk.check` at a fraction of the cost.

A pupil's check reads their schools only through the calendar each follows and through
which school each award is for: the pupil's school, their next school, or another. Two
pupils whose facts are the same but for the reference and those schools (the same
calendars, awards for the same roles, the same applications and arrangements) have the
same risk date, reasons and uncovered day on every date. In a county most pupils share
their shape with many others (a few award periods, three calendars), so each day the
check runs once per shape, not once per pupil. A pupil's shape is worked out again only
when their facts change (a new facts object: the facts are immutable).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from datetime import date
from operator import itemgetter

from transport.domain.calendar import Calendar
from transport.domain.risk import (
    CheckResult,
    PupilFacts,
    PupilRisk,
    RiskContext,
    assess,
    school_days_key,
)
from transport.domain.risk_context import SchoolDaysKey
from transport.vocabulary import SEVERITY_ORDER, Reason

_FIRST = itemgetter(0)

# A shape's check on one day: (in scope?, None) or (True, (risk_date, days_until,
# severity, reasons, uncovered_from, uncovered_assumed, uncovered_term)).
_Found = tuple[date, int, str, tuple[Reason, ...], date | None, bool, str | None]


def school_keys(
    calendars: Mapping[str, Calendar], school_calendar: Mapping[str, str]
) -> dict[str, SchoolDaysKey]:
    """Each school's school days key (the calendar it follows, and the school itself when
    it has closures of its own): what `shape_of` replaces a school with."""
    return {urn: school_days_key(calendars, school_calendar, urn) for urn in school_calendar}


def shape_of(pupil: PupilFacts, school_calendar: Mapping[str, Hashable] | None = None) -> Hashable:
    """What the check of ``pupil`` depends on: everything but the reference, with each
    school replaced by its school days (``school_calendar``: see `school_keys`; the
    calendar it follows, or the school with closures of its own) for the pupil's and next
    school, or by its role (which school an award is for)."""
    calendars = school_calendar or {}
    school, later = pupil.school_urn, pupil.next_school_urn
    if not later:
        next_role: Hashable = ("none", later)
    elif later == school:
        next_role = "same"
    else:
        next_role = ("next", calendars.get(later))

    def role(urn: str | None) -> str:
        urn = urn or school
        if urn == school:
            return "school"
        return "next" if later and urn == later else "other"

    awards = tuple((a.valid_from, a.valid_until, role(a.school_urn)) for a in pupil.awards)
    return (
        calendars.get(school),
        next_role,
        pupil.active,
        awards,
        pupil.applications,
        pupil.arrangements,
        pupil.reachable,
    )


class RiskMemo:
    """`check` for a stream of days: the same CheckResult as `risk.check(pupils, ctx)`,
    given the same pupils (each reference once) and contexts sharing ``school_calendar``.
    Each day each shape is checked once, and its pupils take its result; they are kept
    sorted by reference, so the day's list is a merge, not a sort of every child."""

    def __init__(self, school_calendar: Mapping[str, Hashable]) -> None:
        self.school_calendar = school_calendar
        self._reset()

    def _reset(self) -> None:
        self._shape_ids: dict[Hashable, int] = {}
        self._pupil_shape: dict[str, tuple[PupilFacts, int]] = {}
        self._members: dict[int, dict[str, PupilFacts]] = {}
        self._sorted: dict[int, list[tuple[str, PupilFacts]]] = {}
        self._ctx: RiskContext | None = None
        self._found: dict[int, tuple[bool, _Found | None]] = {}

    def _place(self, pupil: PupilFacts) -> None:
        """A new pupil, or new facts for one: (re)file them under their shape."""
        ref = pupil.pupil_ref
        known = self._pupil_shape.get(ref)
        if known is not None:
            del self._members[known[1]][ref]
            self._sorted.pop(known[1], None)
        shape = shape_of(pupil, self.school_calendar)
        number = self._shape_ids.setdefault(shape, len(self._shape_ids))
        self._pupil_shape[ref] = (pupil, number)
        self._members.setdefault(number, {})[ref] = pupil
        self._sorted.pop(number, None)

    def _sync(self, pupils: Iterable[PupilFacts]) -> None:
        known_shapes = self._pupil_shape
        count = 0
        for pupil in pupils:
            count += 1
            known = known_shapes.get(pupil.pupil_ref)
            if known is None or known[0] is not pupil:
                self._place(pupil)
        if count != len(known_shapes):  # a pupil left: start again with these
            self._reset()
            for pupil in pupils:
                self._place(pupil)

    def _result(self, number: int, ctx: RiskContext) -> tuple[bool, _Found | None]:
        known = self._found.get(number)
        if known is None:
            members = self._members[number]
            scoped, risk = assess(next(iter(members.values())), ctx)
            found = (
                None
                if risk is None
                else (
                    risk.risk_date,
                    risk.days_until,
                    risk.severity,
                    risk.reasons,
                    risk.uncovered_from,
                    risk.uncovered_assumed,
                    risk.uncovered_term,
                )
            )
            known = self._found[number] = (scoped, found)
        return known

    def check(self, pupils: Iterable[PupilFacts], ctx: RiskContext) -> CheckResult:
        pupils = list(pupils)
        self._sync(pupils)
        if ctx is not self._ctx:
            self._ctx, self._found = ctx, {}
        in_scope = 0
        # (risk date, severity rank) -> the shapes at risk then
        groups: dict[tuple[date, int], list[int]] = {}
        for number, members in self._members.items():
            if not members:
                continue
            scoped, found = self._result(number, ctx)
            in_scope += scoped * len(members)
            if found is not None:
                key = (found[0], SEVERITY_ORDER.index(found[2]))
                groups.setdefault(key, []).append(number)
        at_risk: list[PupilRisk] = []
        for key in sorted(groups):
            shapes = groups[key]
            rows = [(self._sorted_members(n), n) for n in shapes]
            # PupilRisk.sort_key's order: by reference within a risk date and severity
            # (each list is sorted; a sort of sorted runs is a merge).
            merged = (
                sorted(
                    ((ref, pupil, n) for members, n in rows for ref, pupil in members),
                    key=_FIRST,
                )
                if len(rows) > 1
                else [(ref, pupil, shapes[0]) for ref, pupil in rows[0][0]]
            )
            for ref, pupil, n in merged:
                risk_date, days_until, severity, reasons, uncovered, assumed, term = self._found[n][
                    1
                ]  # type: ignore[misc]
                at_risk.append(
                    PupilRisk(
                        ref,
                        pupil.school_urn,
                        pupil.next_school_urn,
                        risk_date,
                        days_until,
                        severity,
                        reasons,
                        uncovered,
                        assumed,
                        term,
                    )
                )
        return CheckResult(ctx.as_of, ctx.horizon_days, in_scope, tuple(at_risk))

    def _sorted_members(self, number: int) -> list[tuple[str, PupilFacts]]:
        found = self._sorted.get(number)
        if found is None:
            found = self._sorted[number] = sorted(self._members[number].items(), key=_FIRST)
        return found
