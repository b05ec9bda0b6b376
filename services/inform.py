"""Tell families their transport details: `transport inform` and the nightly job.

For each arrangement the family has not been told, due on the date (see
transport/domain/inform.py), one ``transport_details`` message per household and channel,
naming each child's school, first day, operator, route and pick-up time; a
``complete_arrangement`` task for each one that cannot be sent yet. Just before sending,
the dispatcher checks each message against the record again (notifications/recheck.py);
when it has gone, the arrangement records the day (``family_informed_on``) and the message
(``informed_by``), and the check's FAMILY_NOT_INFORMED clears.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from notifications import outbox
from notifications.households import address_for, council_context, with_address
from notifications.messages import render
from services.app import App
from transport.config import CouncilConfig
from transport.db.engine import writer
from transport.db.queries import inform as store
from transport.db.queries.renewals import people
from transport.db.queries.tasks import TaskSync, sync_tasks
from transport.domain.inform import (
    DetailsFact,
    InformPlan,
    details_key,
    plan_details,
    planned_step,
)
from transport.domain.ladder import households
from transport.domain.tasks import COMPLETE_ARRANGEMENT, WantedTask

KIND = "transport_details"


@dataclass(frozen=True)
class DetailsMessage:
    """One household's transport details message, as reported (its body goes to the
    outbox; a dry run keeps it to show)."""

    channel: str
    to_address: str
    pupil_refs: tuple[str, ...]
    contact_id: int
    academic_year: int
    body_text: str | None = None


@dataclass(frozen=True)
class InformCounts:
    due: int  # arrangements due to be sent
    messages: int
    queued: int
    complete_arrangement: int  # tasks wanted: details that cannot go yet
    unreached: int


@dataclass
class InformReport:
    due: int = 0  # arrangements due to be sent
    messages: list[DetailsMessage] = field(default_factory=list)
    queued: int = 0
    tasks: list[WantedTask] = field(default_factory=list)  # complete_arrangement
    unreached: list[str] = field(default_factory=list)  # due, but no message can reach them
    synced: TaskSync | None = None
    dry_run: bool = False

    def counts(self) -> InformCounts:
        return InformCounts(
            self.due, len(self.messages), self.queued, len(self.tasks), len(self.unreached)
        )


def plan_inform(conn: Connection, on: date, days_before: int) -> InformPlan:
    return plan_details(store.details_facts(conn, on), on, days_before)


def inform(app: App, on: date, *, dry_run: bool = False) -> InformReport:
    """`transport inform`: queue the details due on ``on``; open (and close) the
    complete_arrangement tasks. ``dry_run``: say what would go, write nothing."""
    report = run_inform(app, on, now=app.clock.now(), dry_run=dry_run)
    if not dry_run:
        with writer(app.engine).begin() as conn:
            report.synced = sync_tasks(
                conn, report.tasks, today=on, now=app.clock.now(), kinds=(COMPLETE_ARRANGEMENT,)
            )
    return report


def run_inform(app: App, on: date, *, now: datetime, dry_run: bool = False) -> InformReport:
    """Queue the details messages due on ``on`` (the caller syncs the tasks)."""
    settings = app.settings
    with app.ready().engine.connect() as conn:
        plan = plan_inform(conn, on, settings.inform_days_before)
    report = InformReport(due=len(plan.sends), tasks=plan.tasks, dry_run=dry_run)
    report.unreached = [step.pupil_ref for step in plan.steps if not step.sends]
    if dry_run:
        with app.engine.connect() as conn:
            for message, new in details_messages(conn, plan.sends, settings.council, on):
                report.messages.append(_with_body(message, new.body_text))
        return report
    with writer(app.engine).begin() as conn:

        def queued(found: Iterator[tuple[DetailsMessage, outbox.NewMessage]]) -> Iterator[Any]:
            for message, new in found:
                report.messages.append(message)
                yield new

        report.queued = outbox.enqueue(
            conn, queued(details_messages(conn, plan.sends, settings.council, on)), now=now
        )
    return report


def details_messages(
    conn: Connection, facts: Sequence[DetailsFact], council: CouncilConfig, today: date
) -> Iterator[tuple[DetailsMessage, outbox.NewMessage]]:
    """One message per household, channel and school year, naming each child: what
    `transport inform` queues and `outbox preview --kind transport_details` shows."""
    lines = store.details_lines(conn, facts)
    messages = households([planned_step(fact) for fact in facts])
    persons = people(conn, {message.contact_id for message in messages})
    for message in messages:
        children = [lines[ref] for ref in message.pupil_refs]
        person = persons[message.contact_id]
        context = with_address(
            message.channel,
            {
                "as_of": today.isoformat(),
                "council": council_context(council),
                "contact_name": person["name"],
                "children": children,
                "apply_by": None,
            },
            person,
        )
        rendered = render(KIND, message.channel, context)
        address = address_for(message.channel, person) or ""
        key = details_key(message.academic_year, message.contact_id, message.channel, children)
        yield (
            DetailsMessage(
                message.channel,
                address,
                message.pupil_refs,
                message.contact_id,
                message.academic_year,
            ),
            outbox.NewMessage(
                dedupe_key=key,
                kind=KIND,
                channel=message.channel,
                to_address=address,
                body_text=rendered.text,
                subject=rendered.subject,
                body_html=rendered.html,
                pupil_refs=message.pupil_refs,
                contact_id=message.contact_id,
                academic_year=message.academic_year,
                context=context,
            ),
        )


def _with_body(message: DetailsMessage, body: str) -> DetailsMessage:
    return DetailsMessage(
        message.channel,
        message.to_address,
        message.pupil_refs,
        message.contact_id,
        message.academic_year,
        body,
    )
