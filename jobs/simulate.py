"""`transport simulate`: replay the nightly ladder day by day, in memory, on a copy of the
data, with a clock it controls and families who reply at a given rate. It reads the
record once and writes nothing: no outbox, no sending.

It runs the same pure core as the nightly job (risk check, ladder plan, households,
tasks), so with a reply rate of 0 it agrees with running `transport remind` each day.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.app import App
from services.renewals import due_pupils, read_county, renewal_due
from transport.domain.calendar import academic_year_of
from transport.domain.ladder import households, plan
from transport.domain.risk import ApplicationFact, PupilFacts, RiskContext, Thresholds, check
from transport.domain.tasks import wanted_tasks
from transport.vocabulary import ApplicationStatus


@dataclass(frozen=True)
class SimulatedMessage:
    on: date
    contact_id: int
    channel: str
    step: str
    pupil_refs: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "contact_id": self.contact_id,
            "channel": self.channel,
            "step": self.step,
            "pupil_refs": list(self.pupil_refs),
        }


@dataclass
class Simulation:
    start: date
    end: date
    reply_rate: float
    messages: list[SimulatedMessage] = field(default_factory=list)
    replies: list[tuple[date, str]] = field(default_factory=list)
    tasks_opened: Counter[str] = field(default_factory=Counter)
    unreachable: set[str] = field(default_factory=set)
    first_day_at_risk: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        by_family: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for message in self.messages:
            by_family[message.contact_id].append(message.as_dict())
        steps = Counter((m.step, m.channel) for m in self.messages)
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "reply_rate": self.reply_rate,
            "totals": {
                "messages": len(self.messages),
                "families": len(by_family),
                "by_step": {f"{step}/{channel}": n for (step, channel), n in sorted(steps.items())},
                "replies": len(self.replies),
                "tasks_opened": dict(self.tasks_opened),
                "unreachable_children": len(self.unreachable),
                "at_risk_on_first_day": sum(len(v) for v in self.first_day_at_risk.values()),
            },
            "at_risk_on_first_day": self.first_day_at_risk,
            "families": {str(k): v for k, v in sorted(by_family.items())},
        }


def simulate(
    app: App,
    *,
    start: date,
    end: date,
    reply_rate: float = 0.0,
    seed: int = 1,
) -> Simulation:
    if end < start:
        raise ValueError("--to is before --from")
    renewals = app.settings.renewals
    ladder = renewals.ladder
    horizon_days = app.settings.check.horizon_days
    thresholds = app.settings.check.thresholds
    county = read_county(app)
    calendars, school_calendar = county.calendars, county.school_calendar
    facts, contacts = county.facts, county.contacts
    done: dict[tuple[str, int], set[str]] = defaultdict(set, county.done)
    phone = county.phone
    caseworker = renewals.caseworker_steps
    rng = random.Random(seed)
    sim = Simulation(start, end, reply_rate)
    open_tasks: set[tuple[str, str, int]] = set()
    day = start
    while day <= end:
        ctx = RiskContext(day, horizon_days, calendars, school_calendar, thresholds)
        result = check(facts.values(), ctx)
        planned = plan(due_pupils(renewal_due(result), contacts, done), ladder, day)
        for item in planned:
            done[(item.pupil_ref, item.academic_year)].update((item.step.step, *item.skipped))
            if item.unreachable:
                sim.unreachable.add(item.pupil_ref)
        sim.messages.extend(
            SimulatedMessage(day, m.contact_id, m.channel, m.step.step, m.pupil_refs)
            for m in households(planned)
        )
        for item in planned:
            if item.step.step in caseworker:
                phone[(item.pupil_ref, item.academic_year)] = item.step.step
        wanted = wanted_tasks(
            result.at_risk,
            phone=phone,
            within_days=renewals.task_within_days,
        )
        keys = {task.key for task in wanted}
        sim.tasks_opened.update(task.kind for task in wanted if task.key not in open_tasks)
        open_tasks = keys
        # Families who reply apply after the message; the application exists from tomorrow.
        for item in planned:
            if not item.unreachable and rng.random() < reply_rate:
                pupil = facts[item.pupil_ref]
                application = ApplicationFact(item.academic_year, ApplicationStatus.RECEIVED)
                facts[item.pupil_ref] = pupil._replace(
                    applications=(*pupil.applications, application)
                )
                sim.replies.append((day, item.pupil_ref))
        day += timedelta(days=1)
    sim.first_day_at_risk = _first_days(facts, calendars, school_calendar, start, end, thresholds)
    return sim


def _first_days(
    facts: dict[str, PupilFacts],
    calendars: Any,
    school_calendar: dict[str, str],
    start: date,
    end: date,
    thresholds: Thresholds,
) -> dict[str, list[dict[str, Any]]]:
    """For each first pupil day of a term in the period: who is at risk on it, among the
    pupils whose school starts that day. The check is taken on the eve of the term (for an
    autumn term, 31 August: the records then still describe the year ending, and a pupil's
    next school applies from September, as risk-check.md defines)."""
    firsts: dict[date, set[str]] = defaultdict(set)  # day -> calendars starting then
    for name, calendar in calendars.items():
        for term in calendar.terms:
            if start <= term.first_day <= end:
                firsts[term.first_day].add(name)
    found: dict[str, list[dict[str, Any]]] = {}
    for day in sorted(firsts):
        eve = date(day.year, 8, 31) if day.month in (8, 9) else day - timedelta(days=1)
        ctx = RiskContext(eve, (day - eve).days, calendars, school_calendar, thresholds)
        result = check(facts.values(), ctx)
        found[day.isoformat()] = [
            {
                "pupil_ref": r.pupil_ref,
                "school_urn": _school_on(facts[r.pupil_ref], eve, day),
                "reasons": [str(x) for x in r.reasons],
            }
            for r in result.at_risk
            if r.risk_date == day
            and school_calendar.get(_school_on(facts[r.pupil_ref], eve, day), "default")
            in firsts[day]
        ]
    return found


def _school_on(pupil: PupilFacts, as_of: date, day: date) -> str:
    if pupil.next_school_urn and academic_year_of(day) > academic_year_of(as_of):
        return pupil.next_school_urn
    return pupil.school_urn
