"""Telling families their transport details (reminders.md, "Transport details"), pure:
which arrangements are due to be sent on a date, and which need the team first.

An arrangement the family has not been told (``family_informed_on`` blank) is sent no
earlier than ``days_before_first_day`` calendar days before the child's first school day of
that year, and until that school year ends. It is not sent while that first day is only
assumed (the calendar lacks the year's terms), nor without an operator or a pick-up time:
the team gets a ``complete_arrangement`` task instead."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from transport.domain import term_dates
from transport.domain.calendar import DEFAULT_CALENDAR, Calendar
from transport.domain.ladder import ContactFact, LadderStep, PlannedStep, channels_for
from transport.domain.tasks import COMPLETE_ARRANGEMENT, WantedTask

# Transport details go by email and SMS in the one order of channels (a letter when
# neither can, the team's call when nothing can: its confirm_arrangement task).
DETAILS_STEP = LadderStep("details", 0, ("email", "sms"))


@dataclass(frozen=True)
class FirstDay:
    day: date
    assumed: bool  # the calendar lacks the year's terms: the day is the earliest plausible
    year_ends: date  # the last day the arrangement is still worth sending


def first_school_day(
    calendar: Calendar | None,
    year: int,
    *,
    urn: str | None = None,
    default: Calendar | None = None,
) -> FirstDay:
    """A school's first school day of academic year ``year`` (after closures and bank
    holidays: transport/domain/term_dates.py), whether it is only assumed (the calendar
    lacks the year's terms), and the last day of the year's last known term (else 31
    August) after which the year's arrangement is no longer worth sending."""
    calendar = calendar or Calendar(DEFAULT_CALENDAR, ())
    found = term_dates.first_school_day(calendar, year, urn=urn, default=default)
    terms = [t for t in calendar.terms if t.academic_year == year]
    ends = max(t.last_day for t in terms) if terms else date(year + 1, 8, 31)
    if found is None:  # every day of the year closed: nothing can be told as a fact
        return FirstDay(date(year, 9, 1), True, ends)
    return FirstDay(found.day, found.assumed, ends)


@dataclass(frozen=True)
class DetailsFact:
    """An arrangement the family has not been told, with what telling them needs."""

    pupil_ref: str
    academic_year: int
    school_urn: str  # the child's school that year
    first_day: FirstDay
    operator: str | None
    route_ref: str | None
    pickup_time: str | None  # HH:MM
    passenger_assistant: bool = False
    contacts: tuple[ContactFact, ...] = ()

    @property
    def missing(self) -> list[str]:
        return [name for name in ("operator", "pickup_time") if not getattr(self, name)]


_WORDS = {"operator": "operator", "pickup_time": "pick-up time"}


@dataclass
class InformPlan:
    sends: list[DetailsFact] = field(default_factory=list)
    tasks: list[WantedTask] = field(default_factory=list)
    steps: list[PlannedStep] = field(default_factory=list)  # one per send: who, by which channel


def plan_details(facts: Iterable[DetailsFact], today: date, days_before: int) -> InformPlan:
    """The arrangements due to be sent on ``today``, each with its household's channels;
    and a task for each one due that cannot be sent yet."""
    plan = InformPlan()
    for fact in facts:
        first = fact.first_day
        if today > first.year_ends or today < first.day - timedelta(days=days_before):
            continue
        if first.assumed:
            why = (
                f"the first school day of {_year(fact.academic_year)} at the child's school is "
                "not known (no term dates): import the terms so the family can be told"
            )
        elif fact.missing:
            why = (
                f"the arrangement has no {' or '.join(_WORDS[m] for m in fact.missing)}"
                ": complete it so the family can be told"
            )
        else:
            plan.sends.append(fact)
            plan.steps.append(planned_step(fact))
            continue
        plan.tasks.append(
            WantedTask(COMPLETE_ARRANGEMENT, fact.pupil_ref, fact.academic_year, why, first.day)
        )
    return plan


def planned_step(fact: DetailsFact) -> PlannedStep:
    sends: dict[tuple[str, str], int] = {}
    for contact in fact.contacts:
        for channel in channels_for(DETAILS_STEP, contact):
            sends.setdefault((contact.address(channel), channel), contact.contact_id)
    return PlannedStep(
        fact.pupil_ref,
        fact.academic_year,
        fact.first_day.day,
        DETAILS_STEP,
        (),
        tuple((contact_id, channel) for (_, channel), contact_id in sends.items()),
        tuple(address for address, _ in sends),
    )


TOLD = ("pupil_ref", "school_name", "starts_on", "operator", "route_ref", "pickup_time",
        "passenger_assistant")  # fmt: skip


def fingerprint_of(children: Sequence[Mapping[str, Any]]) -> str:
    """What a details message tells, in a few characters (its children's lines): a changed
    arrangement is a new message, never one deduplicated away."""
    told = sorted(tuple(str(child.get(key)) for key in TOLD) for child in children)
    return hashlib.sha256(repr(told).encode()).hexdigest()[:12]


def _year(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def details_key(
    year: int | None, contact_id: int | None, channel: str, children: Sequence[Mapping[str, Any]]
) -> str:
    """The dedupe key of a details message: one per household, channel, year and what it
    tells."""
    refs = "+".join(str(child["pupil_ref"]) for child in children)
    return f"details:{year}:{contact_id}:{channel}:{fingerprint_of(children)}:{refs}"[:200]
