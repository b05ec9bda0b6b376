"""The council in the simulator (`transport simulate`, docs/check.md): each working day the
team works its queues at a number of items a day, the children with the earliest risk
date first. Deciding approves or refuses as the eligibility engine recommends (approve
when it has no recommendation) and an approval makes the award; awarding makes the
award of an approved application; arranging makes an arrangement; informing tells the
family. It changes only the in-memory facts it is given. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from transport.domain.calendar import academic_year_of, academic_year_start
from transport.domain.forecast import STAGES
from transport.domain.risk import (
    ApplicationFact,
    ArrangementFact,
    AwardFact,
    CheckResult,
    PupilFacts,
    PupilRisk,
    RiskContext,
    readiness_gaps,
)
from transport.domain.working_days import is_working_day
from transport.vocabulary import UNDECIDED, ApplicationStatus, Reason

# The stages the team works in the simulation, in the order the work flows. Chasing is
# the families' side (the ladder); fixing contact details (reach) is not modelled.
COUNCIL_STAGES = ("decide", "award", "arrange", "inform")
STAGE_OF: dict[Reason, str] = {reason: stage for stage, reason in STAGES}


class TeamChange(NamedTuple):
    """One `--team` setting: a stage's items a working day, or (relative) a number added
    to the pace the record shows."""

    stage: str
    value: float
    relative: bool

    def text(self) -> str:
        number = f"{self.value:g}"
        return f"{self.stage}={'+' if self.relative and self.value >= 0 else ''}{number}"


def parse_team(texts: Iterable[str]) -> list[TeamChange]:
    """``decide=20,arrange=15`` or ``decide=+10`` (items a working day), each text a
    comma-separated list. ValueError, in words, on anything else."""
    changes: dict[str, TeamChange] = {}
    for text in texts:
        for part in text.split(","):
            part = part.strip()
            stage, equals, value = part.partition("=")
            stage, value = stage.strip(), value.strip()
            if not equals or not stage or not value:
                raise ValueError(f"expected STAGE=N or STAGE=+N, got {part!r}")
            if stage not in COUNCIL_STAGES:
                raise ValueError(
                    f"{stage!r} is not a stage the team works in the simulation; "
                    f"expected one of {', '.join(COUNCIL_STAGES)}"
                )
            relative = value[0] in "+-"
            try:
                number = float(value)
            except ValueError:
                raise ValueError(
                    f"expected a number of items a working day for {stage}, got {value!r}"
                ) from None
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(f"expected a finite number for {stage}, got {value!r}")
            if not relative and number < 0:
                raise ValueError(f"expected 0 or more items a working day for {stage}")
            changes[stage] = TeamChange(stage, number, relative)
    return list(changes.values())


@dataclass(frozen=True)
class TeamRates:
    """Each stage's items a working day: the pace measured from the record (None: the
    record cannot say; the team then does none of that work unless told), changed by the
    `--team` settings from ``changes_from`` (None: from the first day)."""

    measured: Mapping[str, float | None]
    changes: Sequence[TeamChange] = ()
    changes_from: date | None = None

    def rate(self, stage: str, day: date) -> float:
        rate = self.measured.get(stage) or 0.0
        if self.changes_from is None or day >= self.changes_from:
            for change in self.changes:
                if change.stage == stage:
                    rate = max(0.0, rate + change.value) if change.relative else change.value
        return rate

    def as_dict(self, start: date) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for stage in COUNCIL_STAGES:
            given = [change.text() for change in self.changes if change.stage == stage]
            entry: dict[str, Any] = {
                "measured_per_working_day": self.measured.get(stage),
                "per_working_day": self.rate(stage, start),
                "given": given[0] if given else None,
            }
            if self.changes_from is not None:
                entry["from"] = self.changes_from.isoformat()
                entry["per_working_day_from"] = self.rate(stage, self.changes_from)
            found[stage] = entry
        return found


class OpenApplication(NamedTuple):
    """An application the team may still work: undecided (to decide) or approved (its
    award may be missing), with the engine's recommendation when it has one."""

    application_ref: str
    pupil_ref: str
    academic_year: int
    status: str
    school_urn: str | None = None
    eligible: bool | None = None  # None: no recommendation (approve)
    travel_from: date | None = None
    valid_until: date | None = None


@dataclass
class Council:
    rates: TeamRates
    applications: dict[str, list[OpenApplication]]  # pupil -> open applications
    carry: dict[str, float] = field(default_factory=dict)  # a day's part-item, carried
    worked: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)  # approved / refused

    def received(self, pupil_ref: str, academic_year: int) -> None:
        """A family applied (in the simulation): an application with no recommendation."""
        ref = f"SIM-{pupil_ref}-{academic_year}-{len(self.applications.get(pupil_ref, ()))}"
        self.applications.setdefault(pupil_ref, []).append(
            OpenApplication(ref, pupil_ref, academic_year, ApplicationStatus.RECEIVED)
        )

    def capacity(self, stage: str, day: date) -> int:
        """Whole items the team does on ``day``; a part-item is carried to the next
        working day, idle time is not."""
        if not is_working_day(day):
            return 0
        total = self.carry.get(stage, 0.0) + self.rates.rate(stage, day)
        items = int(total + 1e-9)
        self.carry[stage] = total - items
        return items

    def work(
        self, day: date, result: CheckResult, facts: MutableMapping[str, PupilFacts],
        ctx: RiskContext,
    ) -> dict[str, int]:  # fmt: skip
        """Work the day's queues (from the morning's check); the children left waiting
        at each stage (every stage of the check, worked or not)."""
        queues = queues_of(result.at_risk)
        left = {stage: len(queue) for stage, queue in queues.items()}
        for stage in COUNCIL_STAGES:
            queue = queues[stage][: self.capacity(stage, day)]
            for risk in queue:
                pupil = facts[risk.pupil_ref]
                facts[risk.pupil_ref] = self._do(stage, pupil, risk, day, ctx)
            self.worked[stage] += len(queue)
            left[stage] -= len(queue)
        return left

    def _do(
        self, stage: str, pupil: PupilFacts, risk: PupilRisk, day: date, ctx: RiskContext
    ) -> PupilFacts:
        if stage in ("decide", "award"):
            year = academic_year_of(risk.uncovered_from or risk.risk_date)
            return (
                self._decide(pupil, year, day)
                if stage == "decide"
                else self._award(pupil, year, day)
            )
        gaps = readiness_gaps(pupil, ctx)
        if stage == "arrange":
            made = {year for year, reason in gaps if reason is Reason.NO_ARRANGEMENT}
            added = tuple(ArrangementFact(year, False) for year in sorted(made))
            return pupil._replace(arrangements=(*pupil.arrangements, *added))
        told = {year for year, reason in gaps if reason is Reason.FAMILY_NOT_INFORMED}
        arrangements = tuple(
            ArrangementFact(a.academic_year, True) if a.academic_year in told else a
            for a in pupil.arrangements
        )
        return pupil._replace(arrangements=arrangements)

    def _decide(self, pupil: PupilFacts, year: int, day: date) -> PupilFacts:
        """The year's undecided applications: approved (with the award) unless the engine
        recommends refusing every one of them."""
        mine = self.applications.get(pupil.pupil_ref, [])
        waiting = [a for a in mine if a.academic_year == year and a.status in UNDECIDED]
        approve = not waiting or any(a.eligible is not False for a in waiting)
        status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REFUSED
        self.decisions[status] += 1
        decided = {a.application_ref for a in waiting}
        self.applications[pupil.pupil_ref] = [
            a._replace(status=status) if a.application_ref in decided else a for a in mine
        ]
        applications = tuple(
            ApplicationFact(a.academic_year, status)
            if a.academic_year == year and a.status in UNDECIDED
            else a
            for a in pupil.applications
        )
        pupil = pupil._replace(applications=applications)
        if not approve:
            return pupil
        chosen = next((a for a in waiting if a.eligible is not False), None)
        return pupil._replace(awards=(*pupil.awards, award_for(pupil, year, chosen, day)))

    def _award(self, pupil: PupilFacts, year: int, day: date) -> PupilFacts:
        mine = self.applications.get(pupil.pupil_ref, [])
        approved = next(
            (a for a in mine if a.academic_year == year and a.status == ApplicationStatus.APPROVED),
            None,
        )
        return pupil._replace(awards=(*pupil.awards, award_for(pupil, year, approved, day)))


def queues_of(at_risk: Iterable[PupilRisk]) -> dict[str, list[PupilRisk]]:
    """Each stage's children, the earliest risk date first (the check's order: by risk
    date, severity, reference)."""
    queues: dict[str, list[PupilRisk]] = {stage: [] for stage, _ in STAGES}
    for risk in at_risk:
        for reason in risk.reasons:
            queues[STAGE_OF[reason]].append(risk)
    return queues


def award_for(
    pupil: PupilFacts, year: int, application: OpenApplication | None, day: date
) -> AwardFact:
    """The award an approval makes: from the day travel starts to the engine's end date
    (without a recommendation, the school year), for the school applied for (else the
    next school, for a later year, else the pupil's school)."""
    start = academic_year_start(year)
    until = date(year + 1, 8, 31)
    school = None
    if application is not None:
        start = application.travel_from or start
        until = application.valid_until or until
        school = application.school_urn
    if school is None and pupil.next_school_urn and year > academic_year_of(day):
        school = pupil.next_school_urn
    return AwardFact(start, max(until, start), school)
