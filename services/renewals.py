"""Run the renewals for a date: the risk check, the renewal ladder, the team's tasks and
(for the nightly job) the snapshot and the digest.

From the check's renewal-due pupils (NO_APPLICATION, counted back from R), the due step is
planned by the pure core (transport.domain.ladder); then ONE transaction records each
step and queues one message per household. A step's record has a unique key (pupil,
school year, step): a second run, or two at once, inserts nothing and so queues nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from notifications import outbox
from notifications.digest import SeverityTotals, queue_digest
from notifications.households import address_for, council_context, with_address
from notifications.messages import render
from services.app import App, RenewalSettings
from services.check import CheckOutcome, run_check
from services.digest import digest_data
from services.inform import InformCounts, InformReport, plan_inform, run_inform
from transport.config import CouncilConfig
from transport.db.engine import writer
from transport.db.queries import renewals as store
from transport.db.queries.risk_facts import load_calendars, pupil_facts
from transport.db.queries.tasks import TaskSync, phone_steps, sync_tasks
from transport.domain.calendar import Calendar, academic_year_of
from transport.domain.ladder import (
    ContactFact,
    DuePupil,
    HouseholdMessage,
    LadderStep,
    PlannedStep,
    RecordedSteps,
    households,
    plan,
)
from transport.domain.risk import CheckResult, PupilFacts
from transport.domain.tasks import PhoneStep, wanted_tasks
from transport.gc_tuning import full_passes_held
from transport.vocabulary import Reason

KIND_OF_STEP = {
    "invite": "renewal_invite",
    "reminder": "renewal_reminder",
    "urgent": "renewal_urgent",
    "final": "renewal_final",
}


def kind_of(step: LadderStep) -> str:
    """A step's template: the four standard steps have their own; any other step uses the
    one for the nearest standard urgency."""
    if step.step in KIND_OF_STEP:
        return KIND_OF_STEP[step.step]
    if step.days_before > 56:
        return "renewal_invite"
    if step.days_before > 28:
        return "renewal_reminder"
    return "renewal_urgent" if step.days_before > 10 else "renewal_final"


@dataclass(frozen=True)
class LadderMessage:
    """One household's message for a step, as reported (its bodies go to the outbox)."""

    channel: str
    to_address: str
    kind: str
    step: str
    pupil_refs: tuple[str, ...]
    contact_id: int
    contact_name: str
    subject: str | None
    academic_year: int
    body_text: str | None = None  # kept only by a dry run, which shows what would go


@dataclass(frozen=True)
class LadderCounts:
    renewal_due: int
    steps_due: int
    by_step: tuple[tuple[str, int], ...]  # (step, households due it), in the ladder's order
    steps_recorded: int
    steps_skipped: int
    unreachable: int
    by_phone: int
    messages: int
    queued: int
    phone_tasks: int


@dataclass(frozen=True)
class TaskCounts:
    opened: int
    closed: int
    open: int


@dataclass(frozen=True)
class RenewalCounts:
    """What one run did, in figures (the job's record: jobs/records.py)."""

    check: SeverityTotals
    ladder: LadderCounts
    digest_queued: bool
    inform: InformCounts | None  # the nightly job only
    tasks: TaskCounts | None


@dataclass
class LadderReport:
    due: int = 0
    planned: list[PlannedStep] = field(default_factory=list)
    recorded: int = 0  # steps recorded now (not by an earlier or concurrent run)
    skipped: int = 0
    unreachable: list[str] = field(default_factory=list)
    by_phone: list[str] = field(default_factory=list)  # only the team's call can reach them
    messages: list[LadderMessage] = field(default_factory=list)
    queued: int = 0
    phone_tasks: list[tuple[str, int]] = field(default_factory=list)  # (pupil, year)
    dry_run: bool = False

    def counts(self) -> LadderCounts:
        by_step: dict[str, int] = defaultdict(int)
        for item in self.planned:
            by_step[item.step.step] += 1
        return LadderCounts(
            self.due,
            len(self.planned),
            tuple(by_step.items()),
            self.recorded,
            self.skipped,
            len(self.unreachable),
            len(self.by_phone),
            len(self.messages),
            self.queued,
            len(self.phone_tasks),
        )


@dataclass
class RenewalRun:
    """What one run did: the check it ran on, the ladder, the tasks, the digest."""

    outcome: CheckOutcome
    ladder: LadderReport
    tasks: TaskSync | None
    digest_queued: bool = False
    inform: InformReport | None = None  # transport details queued (the nightly job)

    @property
    def counts(self) -> RenewalCounts:
        found = self.outcome.counts()
        tasks = self.tasks
        return RenewalCounts(
            found.totals(),
            self.ladder.counts(),
            self.digest_queued,
            None if self.inform is None else self.inform.counts(),
            None
            if tasks is None
            else TaskCounts(tasks.opened, tasks.closed, tasks.opened + tasks.still_open),
        )


def renewal_due(result: CheckResult) -> list[tuple[str, date]]:
    """(pupil_ref, R) for every in-scope pupil with NO_APPLICATION."""
    return [
        (risk.pupil_ref, risk.uncovered_from)
        for risk in result.at_risk
        if Reason.NO_APPLICATION in risk.reasons and risk.uncovered_from is not None
    ]


def due_pupils(
    due: Sequence[tuple[str, date]],
    contacts: Mapping[str, Sequence[ContactFact]],
    recorded: RecordedSteps,
) -> list[DuePupil]:
    """What the ladder needs to know of each renewal-due pupil: R, the school year it
    falls in, the household's contacts and the steps already recorded for that year
    (done; and, apart, those recorded unreachable or cancelled)."""
    pupils = []
    for ref, r in due:
        key = (ref, academic_year_of(r))
        pupils.append(
            DuePupil(
                ref,
                key[1],
                r,
                tuple(contacts.get(ref, ())),
                frozenset(recorded.done.get(key, ())),
                frozenset(recorded.unreachable.get(key, ())),
                frozenset(recorded.cancelled.get(key, ())),
            )
        )
    return pupils


@dataclass
class CountyState:
    """The record as the ladder sees it, read once (for the simulator): every pupil, or
    only those ``read_county`` was asked to keep, with their contacts and steps."""

    calendars: dict[str, Calendar]
    school_calendar: dict[str, str]
    facts: dict[str, PupilFacts]
    contacts: dict[str, list[ContactFact]]
    done: dict[tuple[str, int], set[str]]
    phone: dict[tuple[str, int], PhoneStep]


# Given the calendars (all of them, and each school's), which pupils to keep.
Keep = Callable[[dict[str, Calendar], dict[str, str]], Callable[[PupilFacts], bool]]


def read_county(app: App, keep: Keep | None = None) -> CountyState:
    """The county, streamed from the database; with ``keep``, only the pupils it keeps
    (the simulator's: those who may be at risk in the season), and only their contacts
    and steps, so what is held grows with them, not with the county."""
    renewals = app.settings.renewals
    with app.ready().engine.connect() as conn:
        calendars, school_calendar = load_calendars(conn)
        kept = keep(calendars, school_calendar) if keep is not None else None
        facts = {f.pupil_ref: f for f in pupil_facts(conn) if kept is None or kept(f)}
        only = None if kept is None else facts.keys()
        return CountyState(
            calendars,
            school_calendar,
            facts,
            store.contact_facts(conn, sorted(facts)),
            store.all_done_steps(conn, only=only),
            phone_steps(conn, renewals.caseworker_steps, renewals.steps, only=only),
        )


def remind(app: App, on: date, *, dry_run: bool = False) -> RenewalRun:
    """The ladder and the tasks it opens, for a date (no snapshot, no digest)."""
    return run_renewals(app, on, save_snapshot=False, digest=False, dry_run=dry_run)


def run_renewals(
    app: App,
    on: date,
    *,
    save_snapshot: bool,
    digest: bool,
    dry_run: bool = False,
    inform: bool = False,
) -> RenewalRun:
    """The check, the ladder, the tasks, (``inform``) the transport details due and
    (``digest``) the team's digest for ``on``. The clock is read once: every record of
    the run carries the same time."""
    with full_passes_held():  # the whole county, in bulk: see transport/gc_tuning.py
        return _run(app, on, app.clock.now(), save_snapshot, digest, dry_run, inform)


def _run(
    app: App,
    on: date,
    now: datetime,
    save_snapshot: bool,
    digest: bool,
    dry_run: bool,
    inform: bool,
) -> RenewalRun:
    settings = app.settings
    outcome = run_check(app, as_of=on, save=save_snapshot and not dry_run, now=now)
    ladder = run_ladder(app, settings.renewals, outcome.result, today=on, now=now, dry_run=dry_run)
    if dry_run:
        return RenewalRun(outcome, ladder, None)
    if inform:
        details = run_inform(app, on, now=now)
        to_complete = details.tasks
    else:  # the ladder alone: the details' tasks are still wanted (not closed)
        details = None
        with app.engine.connect() as conn:
            to_complete = plan_inform(conn, on, settings.inform_days_before).tasks
    alerts = sorted({item.pupil_ref for item in ladder.planned if item.step.alert_team})
    with writer(app.engine).begin() as conn:
        wanted = wanted_tasks(
            outcome.result.at_risk,
            phone=phone_steps(
                conn, settings.renewals.caseworker_steps, settings.renewals.steps
            ),
            within_days=settings.renewals.task_within_days,
        ) + list(to_complete)
        tasks = sync_tasks(conn, wanted, today=on, now=now)
        queued = False
        if digest:
            data = digest_data(
                conn,
                outcome,
                council=settings.council,
                now=now,
                alerts=alerts,
                check=settings.check,
            )
            queued = bool(
                queue_digest(conn, data, council=settings.council, on=on, now=now, tz=app.tz)
            )
    return RenewalRun(outcome, ladder, tasks, queued, details)


def run_ladder(
    app: App,
    settings: RenewalSettings,
    result: CheckResult,
    *,
    today: date,
    now: datetime,
    dry_run: bool = False,
) -> LadderReport:
    engine = app.engine
    due = renewal_due(result)
    report = LadderReport(due=len(due), dry_run=dry_run)
    refs = [ref for ref, _ in due]
    with engine.connect() as conn:
        contacts = store.contact_facts(conn, refs)
        steps = store.done_steps(conn, [(ref, academic_year_of(r)) for ref, r in due])
    report.planned = plan(due_pupils(due, contacts, steps), settings.ladder, today)
    council = app.settings.council
    if dry_run:
        _note_followups(report, report.planned)
        with engine.connect() as conn:
            for message, new in household_messages(
                conn, settings, council, report.planned, today, assumed_of(result)
            ):
                report.messages.append(replace(message, body_text=new.body_text))
        return report
    with writer(engine).begin() as conn:
        recorded = store.record_steps(conn, report.planned, today, now)
        mine = [item for item in report.planned if (item.pupil_ref, item.academic_year) in recorded]
        report.recorded = len(mine)
        report.skipped = sum(len(item.skipped) for item in mine)
        _note_followups(report, mine)

        def queued(
            messages: Iterable[tuple[LadderMessage, outbox.NewMessage]],
        ) -> Iterator[outbox.NewMessage]:
            # Streamed into the outbox: the report keeps each message without its bodies.
            for message, new in messages:
                report.messages.append(message)
                yield new

        report.queued = outbox.enqueue(
            conn,
            queued(household_messages(conn, settings, council, mine, today, assumed_of(result))),
            now=now,
        )
    return report


def _note_followups(report: LadderReport, planned: Sequence[PlannedStep]) -> None:
    report.unreachable = [item.pupil_ref for item in planned if item.unreachable]
    report.by_phone = [item.pupil_ref for item in planned if item.phone]
    report.phone_tasks = [
        (item.pupil_ref, item.academic_year)
        for item in planned
        if item.step.caseworker_task or item.phone
    ]


def assumed_of(result: CheckResult) -> dict[str, tuple[bool, str | None]]:
    """pupil -> whether R is an assumed day (its calendar lacks the term), and its term."""
    return {
        risk.pupil_ref: (risk.uncovered_assumed, risk.uncovered_term)
        for risk in result.at_risk
        if risk.uncovered_assumed
    }


def household_messages(
    conn: Connection,
    settings: RenewalSettings,
    council: CouncilConfig,
    planned: Sequence[PlannedStep],
    today: date,
    assumed: Mapping[str, tuple[bool, str | None]] | None = None,
) -> Iterator[tuple[LadderMessage, outbox.NewMessage]]:
    """Each household's message for the planned steps, rendered: what the ladder queues
    (and what `outbox preview` shows). ``assumed``: the children whose R is only assumed
    (said "from the start of the autumn term", never as the date)."""
    messages = households(planned)
    children = store.children(
        conn, {ref for m in messages for ref in m.pupil_refs}, planned, today
    )
    for ref, (is_assumed, term) in (assumed or {}).items():
        if ref in children and is_assumed:
            children[ref] = {
                **children[ref],
                "needed_from_assumed": True,
                "needed_from_term": term or "autumn",
            }
    people = store.people(conn, {m.contact_id for m in messages})
    apply_before = timedelta(days=settings.apply_by_days_before)
    for message in messages:
        lines = [children[ref] for ref in message.pupil_refs]
        first = min(lines, key=lambda line: (line["needed_from"], not _assumed(line)))
        apply_by = date.fromisoformat(first["needed_from"]) - apply_before
        if _assumed(first):  # never a date worked out from an assumed one
            apply_by = today
        contact_name = people[message.contact_id]["name"]
        context = {
            "as_of": today.isoformat(),
            "council": council_context(council),
            "contact_name": contact_name,
            "children": lines,
            "apply_by": apply_by.isoformat() if apply_by > today else None,
        }
        kind = kind_of(message.step)
        person = people[message.contact_id]
        context = with_address(message.channel, context, person)
        rendered = render(kind, message.channel, context)
        address = address_for(message.channel, person) or ""
        new = outbox.NewMessage(
            dedupe_key=_dedupe_key(message, today),
            kind=kind,
            channel=message.channel,
            to_address=address,
            body_text=rendered.text,
            subject=rendered.subject,
            body_html=rendered.html,
            pupil_refs=message.pupil_refs,
            contact_id=message.contact_id,
            step=message.step.step,
            academic_year=message.academic_year,
            context=context,
        )
        reported = LadderMessage(
            channel=message.channel,
            to_address=address,
            kind=kind,
            step=message.step.step,
            pupil_refs=message.pupil_refs,
            contact_id=message.contact_id,
            contact_name=contact_name,
            subject=rendered.subject,
            academic_year=message.academic_year,
        )
        yield reported, new


def _assumed(line: Mapping[str, Any]) -> bool:
    return bool(line.get("needed_from_assumed"))


def _dedupe_key(message: HouseholdMessage, today: date) -> str:
    """One message per household, step, channel and children; a step going again after
    its messages were all cancelled is a new message (of that day)."""
    refs = "+".join(message.pupil_refs)
    again = f"|again:{today.isoformat()}" if message.again else ""
    key = (
        f"ladder:{message.academic_year}:{message.step.step}:{message.contact_id}:"
        f"{message.channel}:{refs}"
    )
    return key[: 200 - len(again)] + again
