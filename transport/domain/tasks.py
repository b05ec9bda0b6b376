"""Which caseworker tasks should be open on a date, and why. Pure: the sync with the
stored tasks (open the new, close those whose cause went away) is in transport/tasks.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from transport.domain.calendar import academic_year_of
from transport.domain.risk import PupilRisk
from transport.vocabulary import Reason

PHONE_FAMILY = "phone_family"
FIX_CONTACT = "fix_contact"
CHASE_APPLICATION = "chase_application"
CONFIRM_ARRANGEMENT = "confirm_arrangement"
COMPLETE_ARRANGEMENT = "complete_arrangement"
KINDS = (PHONE_FAMILY, FIX_CONTACT, CHASE_APPLICATION, CONFIRM_ARRANGEMENT, COMPLETE_ARRANGEMENT)


class PhoneStep(NamedTuple):
    """The latest ladder step that asks the team to phone a family: a step that asks for
    a call (caseworker_task), or one that no message could carry (``by_phone``: the family
    has no email, mobile or postal address that works, only a number to call)."""

    step: str
    by_phone: bool = False

TaskKey = tuple[str, str, int]  # kind, pupil_ref, academic year


@dataclass(frozen=True)
class WantedTask:
    kind: str
    pupil_ref: str
    academic_year: int
    reason: str
    due_on: date

    @property
    def key(self) -> TaskKey:
        return (self.kind, self.pupil_ref, self.academic_year)


def wanted_tasks(
    at_risk: Iterable[PupilRisk],
    *,
    phone: Mapping[tuple[str, int], str | PhoneStep],
    within_days: int,
) -> list[WantedTask]:
    """Tasks the day's check calls for:
    - fix_contact for every unreachable child at risk;
    - chase_application when an undecided or approved-but-no-award application is within
      ``within_days`` of the day the child needs transport;
    - confirm_arrangement when a missing arrangement or an uninformed family is that close;
    - phone_family while the family has still not applied (NO_APPLICATION) after a ladder
      step that asks for a call: ``phone`` maps (pupil, year) to the latest such step
      recorded. It is derived from the recorded steps, not from one run, so a re-run after
      a crash still asks for the call."""
    wanted: dict[TaskKey, WantedTask] = {}
    for risk in at_risk:
        year = academic_year_of(risk.uncovered_from or risk.risk_date)
        for kind, why in _tasks_for(risk, year, phone, within_days):
            task = WantedTask(kind, risk.pupil_ref, year, why, risk.risk_date)
            wanted.setdefault(task.key, task)
    return list(wanted.values())


def _tasks_for(
    risk: PupilRisk,
    year: int,
    phone: Mapping[tuple[str, int], str | PhoneStep],
    within_days: int,
) -> list[tuple[str, str]]:
    reasons = set(risk.reasons)
    found = []
    if Reason.UNREACHABLE in reasons:
        found.append(
            (
                FIX_CONTACT,
                "no usable email, mobile, landline or postal address: find a way to reach "
                "the family",
            )
        )
    close = risk.days_until <= within_days
    if close and reasons & {Reason.APPLICATION_UNDECIDED, Reason.AWARD_MISSING}:
        found.append((CHASE_APPLICATION, _chase_reason(reasons)))
    if close and reasons & {Reason.NO_ARRANGEMENT, Reason.FAMILY_NOT_INFORMED}:
        found.append((CONFIRM_ARRANGEMENT, _arrangement_reason(reasons)))
    step = phone.get((risk.pupil_ref, year))
    if Reason.NO_APPLICATION in reasons and step is not None:
        found.append((PHONE_FAMILY, _phone_reason(step)))
    return found


def _phone_reason(step: str | PhoneStep) -> str:
    if isinstance(step, PhoneStep) and step.by_phone:
        return (
            f"no application; the {step.step} reminder can reach the family only by phone "
            "(no email, mobile or postal address that works): phone the family"
        )
    name = step.step if isinstance(step, PhoneStep) else step
    return f"no application after the {name} reminder: phone the family"


def _chase_reason(reasons: set[Reason]) -> str:
    if Reason.AWARD_MISSING in reasons:
        return "application approved but no award covers the day: create the award"
    return "application not yet decided: decide it"


def _arrangement_reason(reasons: set[Reason]) -> str:
    if Reason.NO_ARRANGEMENT in reasons:
        return "no travel arrangement for the year: arrange a route or pass"
    return "family not yet told the operator and pick-up times: inform them"
