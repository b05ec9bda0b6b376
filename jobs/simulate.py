"""`transport simulate`: replay the season day by day, in memory, on a copy of the data,
with a clock it controls: the families (who apply after a reminder at a given rate, or
unprompted) and the council (whose team decides, awards, arranges and informs at a
number of items a working day, the earliest risk date first). It reads the record once
and writes nothing: no outbox, no sending.

It runs the same pure core as the nightly job (risk check, ladder plan, households,
tasks), so with a reply rate of 0 and a team that does nothing it agrees with running
`transport remind` each day. By default it runs the season twice, with the reminders
and without them (the baseline), and reports both (see docs/check.md).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.app import App
from services.renewals import CountyState, due_pupils, read_county, renewal_due
from services.simulation import CouncilRecord, read_council
from transport.domain.calendar import (
    DEFAULT_CALENDAR,
    Calendar,
    academic_year_of,
    academic_year_start,
)
from transport.domain.council import Council, TeamChange, TeamRates
from transport.domain.forecast import STAGES
from transport.domain.ladder import RecordedSteps, households, plan
from transport.domain.risk import (
    ApplicationFact,
    PupilFacts,
    RiskContext,
    Span,
    Thresholds,
    never_at_risk,
    school_days_key,
)
from transport.domain.risk_context import SchoolDaysKey
from transport.domain.risk_memo import RiskMemo, school_keys
from transport.domain.tasks import PhoneStep, wanted_tasks
from transport.domain.term_dates import school_days
from transport.vocabulary import ApplicationStatus, Reason

RUNS = ("with_reminders", "no_reminders")
# The reasons a child has no award for the day (the check's R): the work of the family
# and of deciding; the others are readiness (arrangement, family told) and contact.
UNCOVERED = frozenset({Reason.NO_APPLICATION, Reason.APPLICATION_UNDECIDED, Reason.AWARD_MISSING})


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
    """One run of the season: with the reminders, or without them (the baseline)."""

    start: date
    end: date
    reply_rate: float
    reminders: bool = True
    messages: list[SimulatedMessage] = field(default_factory=list)
    replies: list[tuple[date, str]] = field(default_factory=list)
    tasks_opened: Counter[str] = field(default_factory=Counter)
    unreachable: set[str] = field(default_factory=set)
    first_day_at_risk: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    worked: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    # stage -> children left waiting at the end of each day, in order
    waiting: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def clears_on(self, stage: str) -> date | None:
        """The first day from which nobody waits at the stage to the end of the period
        (the first day, when nobody ever did); None when children wait at the end."""
        left = self.waiting.get(stage, [])
        if left and left[-1]:
            return None
        last_busy = max((i for i, n in enumerate(left) if n), default=-1)
        return self.start + timedelta(days=last_busy + 1)

    def stages(self) -> dict[str, dict[str, Any]]:
        found = {}
        for stage, _ in STAGES:
            clears = self.clears_on(stage)
            left = self.waiting.get(stage, [])
            found[stage] = {
                "worked": self.worked.get(stage, 0),
                "waiting_at_end": left[-1] if left else 0,
                "clears_on": clears.isoformat() if clears else None,
            }
        return found

    def first_day_counts(self) -> dict[str, dict[str, int]]:
        """Per first day: children at risk (any reason) and, of them, uncovered (no
        award for the day: NO_APPLICATION, APPLICATION_UNDECIDED or AWARD_MISSING)."""
        return {
            day: {
                "at_risk": len(children),
                "uncovered": sum(1 for child in children if UNCOVERED & set(child["reasons"])),
            }
            for day, children in self.first_day_at_risk.items()
        }

    def as_dict(self) -> dict[str, Any]:
        by_family: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for message in self.messages:
            by_family[message.contact_id].append(message.as_dict())
        steps = Counter((m.step, m.channel) for m in self.messages)
        return {
            "reminders": self.reminders,
            "totals": {
                "messages": len(self.messages),
                "families": len(by_family),
                "by_step": {f"{step}/{channel}": n for (step, channel), n in sorted(steps.items())},
                "replies": len(self.replies),
                "tasks_opened": dict(self.tasks_opened),
                "unreachable_children": len(self.unreachable),
                "approved": self.decisions.get(ApplicationStatus.APPROVED, 0),
                "refused": self.decisions.get(ApplicationStatus.REFUSED, 0),
                "at_risk_on_first_day": sum(len(v) for v in self.first_day_at_risk.values()),
                "uncovered_on_first_day": sum(
                    count["uncovered"] for count in self.first_day_counts().values()
                ),
            },
            "stages": self.stages(),
            "at_risk_on_first_day": self.first_day_at_risk,
            "families": {str(k): v for k, v in sorted(by_family.items())},
        }


@dataclass
class Comparison:
    """The season with and without the reminders, under the same team."""

    start: date
    end: date
    reply_rate: float
    unprompted_rate: float
    seed: int
    team: TeamRates
    rates_as_of: date
    window_working_days: int
    runs: dict[str, Simulation] = field(default_factory=dict)

    def first_days(self) -> dict[str, dict[str, dict[str, int]]]:
        """Children at risk and uncovered on each first school day, by run."""
        counts = {name: run.first_day_counts() for name, run in self.runs.items()}
        days = sorted({day for found in counts.values() for day in found})
        empty = {"at_risk": 0, "uncovered": 0}
        return {
            day: {name: found.get(day, empty) for name, found in counts.items()} for day in days
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "reply_rate": self.reply_rate,
            "unprompted_rate": self.unprompted_rate,
            "seed": self.seed,
            "rates_measured": {
                "as_of": self.rates_as_of.isoformat(),
                "window_working_days": self.window_working_days,
            },
            "team": self.team.as_dict(self.start),
            "first_days": self.first_days(),
            "runs": {name: run.as_dict() for name, run in self.runs.items()},
        }


def simulate(
    app: App,
    *,
    start: date,
    end: date,
    reply_rate: float = 0.0,
    unprompted_rate: float | None = None,
    seed: int = 1,
    team: Sequence[TeamChange] = (),
    team_from: date | None = None,
    rates_as_of: date | None = None,
    runs: Iterable[str] = RUNS,
) -> Comparison:
    """Run the season once per name in ``runs`` ("with_reminders", "no_reminders").
    ``unprompted_rate`` (default: half the reply rate): the share of families who apply
    with no reminder, on the day the ladder's first step would have gone."""
    if end < start:
        raise ValueError("--to is before --from")
    unprompted = reply_rate / 2 if unprompted_rate is None else unprompted_rate
    as_of = rates_as_of or start
    horizon = app.settings.check.horizon_days

    def may_be_at_risk(
        calendars: dict[str, Calendar], school_calendar: dict[str, str]
    ) -> Callable[[PupilFacts], bool]:
        span = season_span(calendars, school_calendar, start, end, horizon)[1]
        return lambda pupil: not never_at_risk(pupil, span)

    # Only the pupils who may be at risk are kept (the others are never checked): what the
    # simulator holds grows with them, not with the county.
    county = read_county(app, keep=may_be_at_risk)
    record = read_council(app, rates_as_of=as_of, start=start, pupils=county.facts.keys())
    rates = TeamRates(record.measured, tuple(team), team_from)
    found = Comparison(
        start, end, reply_rate, unprompted, seed, rates, as_of, record.window_working_days
    )
    season = _Season(app, county, record, rates, start, end)
    for name in runs:
        found.runs[name] = season.run(
            reminders=name == "with_reminders",
            reply_rate=reply_rate,
            unprompted_rate=unprompted,
            seed=seed,
        )
    return found


class _Season:
    """What every run of one season shares: the county as read, the first days and the
    pupils who may be at risk at all (the others are never checked)."""

    def __init__(
        self,
        app: App,
        county: CountyState,
        record: CouncilRecord,
        rates: TeamRates,
        start: date,
        end: date,
    ) -> None:
        self.settings = app.settings
        self.county, self.record, self.rates = county, record, rates
        self.start, self.end = start, end
        self.horizon = app.settings.check.horizon_days
        self.firsts, span = season_span(
            county.calendars, county.school_calendar, start, end, self.horizon
        )
        self.first_year = academic_year_of(span.first)
        self.candidates = [
            ref for ref, pupil in county.facts.items() if not never_at_risk(pupil, span)
        ]

    def run(
        self, *, reminders: bool, reply_rate: float, unprompted_rate: float, seed: int
    ) -> Simulation:
        settings, county = self.settings, self.county
        renewals = settings.renewals
        thresholds = settings.check.thresholds
        calendars, school_calendar = county.calendars, county.school_calendar
        facts = {ref: county.facts[ref] for ref in self.candidates}
        contacts = county.contacts
        done: dict[tuple[str, int], set[str]] = defaultdict(set)
        done.update({key: set(steps) for key, steps in county.done.items()})
        phone = dict(county.phone)
        council = Council(
            self.rates, {ref: list(apps) for ref, apps in self.record.applications.items()}
        )
        rng = random.Random(seed)
        # The check, once per shape of facts a day.
        memo = RiskMemo(school_keys(calendars, school_calendar))
        sim = Simulation(self.start, self.end, reply_rate, reminders)
        seen: set[tuple[str, int]] = set()  # (pupil, year) a step was first due for
        open_tasks: set[tuple[str, str, int]] = set()
        day, year = self.start, self.first_year
        while True:
            while academic_year_of(day) > year:  # as never_at_risk assumes
                move_to_next_schools(facts)
                year += 1
            if day in self.firsts:  # the work done up to the evening before
                self._first_day(sim, facts, day, thresholds, memo)
            if day > self.end:
                break
            ctx = RiskContext(day, self.horizon, calendars, school_calendar, thresholds)
            result = memo.check(facts.values(), ctx)
            due = due_pupils(renewal_due(result), contacts, RecordedSteps(done=done))
            planned = plan(due, renewals.ladder, day)
            first = set()
            for item in planned:
                key = (item.pupil_ref, item.academic_year)
                if key not in seen:
                    seen.add(key)
                    first.add(key)
                done[key].update((item.step.step, *item.skipped))
                if item.unreachable and reminders:
                    sim.unreachable.add(item.pupil_ref)
            if reminders:
                sim.messages.extend(
                    SimulatedMessage(day, m.contact_id, m.channel, m.step.step, m.pupil_refs)
                    for m in households(planned)
                )
                for item in planned:
                    if item.step.step in renewals.caseworker_steps or item.phone:
                        phone[(item.pupil_ref, item.academic_year)] = PhoneStep(
                            item.step.step, item.phone
                        )
            wanted = wanted_tasks(
                result.at_risk, phone=phone, within_days=renewals.task_within_days
            )
            sim.tasks_opened.update(task.kind for task in wanted if task.key not in open_tasks)
            open_tasks = {task.key for task in wanted}
            for stage, left in council.work(day, result, facts, ctx).items():
                sim.waiting[stage].append(left)
            # Families who apply do so after the message; the application exists from
            # tomorrow. A family who would apply unprompted does so when the ladder's
            # first step would go (and replies to that step when it goes).
            for item in planned:
                is_first = (item.pupil_ref, item.academic_year) in first
                chance = unprompted_rate if is_first else 0.0
                if reminders and not item.unreachable:
                    chance = max(reply_rate, chance)
                if chance and rng.random() < chance:
                    pupil = facts[item.pupil_ref]
                    application = ApplicationFact(item.academic_year, ApplicationStatus.RECEIVED)
                    facts[item.pupil_ref] = pupil._replace(
                        applications=(*pupil.applications, application)
                    )
                    council.received(item.pupil_ref, item.academic_year)
                    sim.replies.append((day, item.pupil_ref))
            day += ONE_DAY
        sim.worked, sim.decisions = council.worked, council.decisions
        return sim

    def _first_day(
        self,
        sim: Simulation,
        facts: dict[str, PupilFacts],
        day: date,
        thresholds: Thresholds,
        memo: RiskMemo,
    ) -> None:
        """Who is at risk on a first pupil day of a term, among the pupils whose school
        starts that day, with the work done up to the evening before. The check is taken
        on the eve of the term (for an autumn term, 31 August: the records then still
        describe the year ending, and a pupil's next school applies from September, as
        the check defines)."""
        calendars, school_calendar = self.county.calendars, self.county.school_calendar
        eve = eve_of(day)
        ctx = RiskContext(eve, (day - eve).days, calendars, school_calendar, thresholds)
        result = memo.check(facts.values(), ctx)
        sim.first_day_at_risk[day.isoformat()] = [
            {
                "pupil_ref": r.pupil_ref,
                "school_urn": _school_on(facts[r.pupil_ref], eve, day),
                "reasons": [str(x) for x in r.reasons],
            }
            for r in result.at_risk
            if r.risk_date == day
            and school_days_key(
                calendars, school_calendar, _school_on(facts[r.pupil_ref], eve, day)
            )
            in self.firsts[day]
        ]


ONE_DAY = timedelta(days=1)


def season_span(
    calendars: dict[str, Calendar],
    school_calendar: dict[str, str],
    start: date,
    end: date,
    horizon: int,
) -> tuple[dict[date, set[SchoolDaysKey]], Span]:
    """The season's first days (see `first_days`), and the span every check of the
    season looks at: from the first day (or the eve of a first day before it) to the last
    day (or the last first day) and the check's horizon beyond."""
    firsts = first_days(calendars, school_calendar, start, end)
    eves = [eve_of(day) for day in firsts]
    span = Span(
        min([start, *eves]),
        max([end, *firsts]) + timedelta(days=horizon),
        calendars,
        school_calendar,
    )
    return firsts, span


def first_days(
    calendars: Mapping[str, Calendar], school_calendar: Mapping[str, str], start: date, end: date
) -> dict[date, set[SchoolDaysKey]]:
    """Each first school day of a term from ``start`` to ``end`` (after INSET days; an
    assumed one where a calendar lacks the term): the school days keys (see
    `school_days_key`) whose term starts that day."""
    keys = {*school_keys(calendars, school_calendar).values(), (DEFAULT_CALENDAR, None)}
    default = calendars.get(DEFAULT_CALENDAR)
    year_start = academic_year_start(academic_year_of(start))
    firsts: dict[date, set[SchoolDaysKey]] = defaultdict(set)
    for key in keys:
        name, urn = key
        calendar = calendars.get(name, Calendar(name, ()))
        seen: set[tuple[int, str]] = set()
        for school_day in school_days(calendar, default, year_start, end, urn):
            term = (school_day.term.academic_year, school_day.term.name)
            if term not in seen:
                seen.add(term)
                if school_day.day >= start:
                    firsts[school_day.day].add(key)
    return dict(sorted(firsts.items()))


def eve_of(day: date) -> date:
    return date(day.year, 8, 31) if day.month in (8, 9) else day - ONE_DAY


def move_to_next_schools(facts: dict[str, PupilFacts]) -> None:
    """A new school year: each pupil with a next school is now at it, as the council's
    September export would say."""
    for ref, pupil in facts.items():
        if pupil.next_school_urn:
            facts[ref] = pupil._replace(school_urn=pupil.next_school_urn, next_school_urn=None)


def _school_on(pupil: PupilFacts, as_of: date, day: date) -> str:
    if pupil.next_school_urn and academic_year_of(day) > academic_year_of(as_of):
        return pupil.next_school_urn
    return pupil.school_urn
