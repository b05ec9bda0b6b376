"""`transport remind`: run the renewal ladder for a date.

From the risk check's renewal-due pupils (NO_APPLICATION, counted back from R), plan the
due step (pure: transport.domain.ladder), then in ONE transaction record each step and
queue one message per household. A step's record has a unique key (pupil, school year,
step): a second run, or two at once, inserts nothing and so queues nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from notifications import outbox
from notifications.households import council_context
from notifications.messages import render
from transport.config import Config
from transport.db.engine import writer
from transport.db.tables import Award, Contact, Pupil, PupilContact, ReminderStep, School, table_of
from transport.domain.calendar import academic_year_of, format_academic_year
from transport.domain.ladder import (
    ContactFact,
    DuePupil,
    HouseholdMessage,
    LadderStep,
    PlannedStep,
    households,
    plan,
)
from transport.domain.risk import CheckResult, Reason

KIND_OF_STEP = {
    "invite": "renewal_invite",
    "reminder": "renewal_reminder",
    "urgent": "renewal_urgent",
    "final": "renewal_final",
}
CHUNK = 1000


def ladder_from(config: Config) -> tuple[LadderStep, ...]:
    return tuple(
        LadderStep(s.step, s.days_before, tuple(s.channels), s.caseworker_task, s.alert_team)
        for s in config.reminders.ladder
    )


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


@dataclass
class LadderReport:
    due: int = 0
    planned: list[PlannedStep] = field(default_factory=list)
    recorded: int = 0  # steps recorded now (not by an earlier or concurrent run)
    skipped: int = 0
    unreachable: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    queued: int = 0
    phone_tasks: list[tuple[str, int]] = field(default_factory=list)  # (pupil, year)
    dry_run: bool = False

    def counts(self) -> dict[str, Any]:
        by_step: dict[str, int] = defaultdict(int)
        for item in self.planned:
            by_step[item.step.step] += 1
        return {
            "renewal_due": self.due,
            "steps_due": len(self.planned),
            "by_step": dict(by_step),
            "steps_recorded": self.recorded,
            "steps_skipped": self.skipped,
            "unreachable": len(self.unreachable),
            "messages": len(self.messages),
            "queued": self.queued,
            "phone_tasks": len(self.phone_tasks),
        }


def renewal_due(result: CheckResult) -> list[tuple[str, date]]:
    """(pupil_ref, R) for every in-scope pupil with NO_APPLICATION."""
    return [
        (risk.pupil_ref, risk.uncovered_from)
        for risk in result.at_risk
        if Reason.NO_APPLICATION in risk.reasons and risk.uncovered_from is not None
    ]


def run_ladder(
    engine: Engine,
    config: Config,
    result: CheckResult,
    *,
    today: date,
    now: datetime,
    dry_run: bool = False,
) -> LadderReport:
    ladder = ladder_from(config)
    due = renewal_due(result)
    report = LadderReport(due=len(due), dry_run=dry_run)
    refs = [ref for ref, _ in due]
    with engine.connect() as conn:
        contacts = contact_facts(conn, refs)
        done = _done_steps(conn, [(ref, academic_year_of(r)) for ref, r in due])
    pupils = [
        DuePupil(
            ref,
            academic_year_of(r),
            r,
            tuple(contacts.get(ref, ())),
            frozenset(done.get((ref, academic_year_of(r)), ())),
        )
        for ref, r in due
    ]
    report.planned = plan(pupils, ladder, today)
    if dry_run:
        _note_followups(report, report.planned)
        with engine.connect() as conn:
            report.messages = list(_messages(conn, config, report.planned, today))
        return report
    with writer(engine).begin() as conn:
        recorded = _record_steps(conn, report.planned, today, now)
        mine = [item for item in report.planned if (item.pupil_ref, item.academic_year) in recorded]
        report.recorded = len(mine)
        report.skipped = sum(len(item.skipped) for item in mine)
        _note_followups(report, mine)

        def queued(messages: Iterable[dict[str, Any]]) -> Iterator[outbox.NewMessage]:
            # Streamed into the outbox: the report keeps each message without its bodies.
            for message in messages:
                report.messages.append({k: v for k, v in message.items() if k not in _BODIES})
                yield _new(message)

        report.queued = outbox.enqueue(conn, queued(_messages(conn, config, mine, today)), now=now)
    return report


_BODIES = frozenset({"body_text", "body_html", "context"})


def _new(message: dict[str, Any]) -> outbox.NewMessage:
    return outbox.NewMessage(**{k: v for k, v in message.items() if k != "contact_name"})


def _note_followups(report: LadderReport, planned: Sequence[PlannedStep]) -> None:
    report.unreachable = [item.pupil_ref for item in planned if item.unreachable]
    report.phone_tasks = [
        (item.pupil_ref, item.academic_year) for item in planned if item.step.caseworker_task
    ]


def _messages(
    conn: Connection,
    config: Config,
    planned: Sequence[PlannedStep],
    today: date,
) -> Iterator[dict[str, Any]]:
    """Each household's message for the planned steps, rendered."""
    messages = households(planned)
    children = _children(conn, {ref for m in messages for ref in m.pupil_refs}, planned)
    people = _people(conn, {m.contact_id for m in messages})
    apply_before = timedelta(days=config.reminders.apply_by_days_before)
    for message in messages:
        lines = [children[ref] for ref in message.pupil_refs]
        first_needed = min(date.fromisoformat(line["needed_from"]) for line in lines)
        apply_by = first_needed - apply_before
        contact_name = people[message.contact_id]["name"]
        context = {
            "council": council_context(config.council),
            "contact_name": contact_name,
            "children": lines,
            "apply_by": apply_by.isoformat() if apply_by > today else None,
        }
        kind = kind_of(message.step)
        rendered = render(kind, message.channel, context)
        address = people[message.contact_id]["email" if message.channel == "email" else "mobile"]
        yield {
            "dedupe_key": _dedupe_key(message),
            "kind": kind,
            "channel": message.channel,
            "to_address": address,
            "body_text": rendered.text,
            "subject": rendered.subject,
            "body_html": rendered.html,
            "pupil_refs": message.pupil_refs,
            "contact_id": message.contact_id,
            "step": message.step.step,
            "academic_year": message.academic_year,
            "context": context,
            "contact_name": contact_name,
        }


def _dedupe_key(message: HouseholdMessage) -> str:
    refs = "+".join(message.pupil_refs)
    return (
        f"ladder:{message.academic_year}:{message.step.step}:{message.contact_id}:"
        f"{message.channel}:{refs}"
    )[:200]


def _record_steps(
    conn: Connection, planned: Sequence[PlannedStep], today: date, now: datetime
) -> set[tuple[str, int]]:
    """Insert the due steps (and skipped ones); return the (pupil, year) whose due step was
    inserted by this transaction. A conflict means another run recorded it first."""
    table = table_of(ReminderStep)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    due_rows: list[dict[str, Any]] = []
    skipped_rows: list[dict[str, Any]] = []
    for item in planned:
        base = {
            "pupil_ref": item.pupil_ref,
            "academic_year": item.academic_year,
            "on_date": today,
            "uncovered_from": item.uncovered_from,
            "created_at": now,
        }
        outcome = "unreachable" if item.unreachable else "sent"
        due_rows.append({**base, "step": item.step.step, "outcome": outcome})
        skipped_rows.extend({**base, "step": s, "outcome": "skipped"} for s in item.skipped)
    inserted: set[tuple[str, int]] = set()
    conflict = dict(index_elements=["pupil_ref", "academic_year", "step"])
    for start in range(0, len(due_rows), CHUNK):
        stmt = dialect.insert(table).on_conflict_do_nothing(**conflict)
        returned = conn.execute(
            stmt.returning(table.c.pupil_ref, table.c.academic_year),
            due_rows[start : start + CHUNK],
        )
        inserted.update((ref, year) for ref, year in returned)
    for start in range(0, len(skipped_rows), CHUNK):
        stmt = dialect.insert(table).on_conflict_do_nothing(**conflict)
        conn.execute(stmt, skipped_rows[start : start + CHUNK])
    return inserted


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def contact_facts(conn: Connection, refs: Sequence[str]) -> dict[str, list[ContactFact]]:
    found: dict[str, list[ContactFact]] = defaultdict(list)
    for chunk in _chunks(sorted(refs)):
        stmt = (
            select(PupilContact.pupil_ref, Contact)
            .join(Contact, Contact.id == PupilContact.contact_id)
            .where(PupilContact.pupil_ref.in_(chunk))
            .order_by(PupilContact.pupil_ref, Contact.id)
        )
        for row in conn.execute(stmt):
            found[row.pupil_ref].append(
                ContactFact(
                    row.id,
                    row.preferred_channel,
                    bool(row.email) and row.email_status == "ok",
                    bool(row.mobile) and row.mobile_status == "ok",
                )
            )
    return found


def _done_steps(
    conn: Connection, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], set[str]]:
    done: dict[tuple[str, int], set[str]] = defaultdict(set)
    wanted = set(keys)
    for chunk in _chunks(sorted({ref for ref, _ in keys})):
        stmt = select(ReminderStep.pupil_ref, ReminderStep.academic_year, ReminderStep.step)
        for ref, year, step in conn.execute(stmt.where(ReminderStep.pupil_ref.in_(chunk))):
            if (ref, year) in wanted:
                done[(ref, year)].add(step)
    return done


def _people(conn: Connection, ids: set[int]) -> dict[int, dict[str, Any]]:
    people: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(ids)):
        stmt = select(Contact.id, Contact.name, Contact.email, Contact.mobile)
        for row in conn.execute(stmt.where(Contact.id.in_(chunk))):
            people[row.id] = {"name": row.name, "email": row.email, "mobile": row.mobile}
    return people


def _children(
    conn: Connection, refs: set[str], planned: Sequence[PlannedStep]
) -> dict[str, dict[str, Any]]:
    """Each child's line: first name, the school they need transport to from R, the last
    day of their current award before R, and R."""
    uncovered = {item.pupil_ref: item.uncovered_from for item in planned}
    lines: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(refs)):
        pupils = conn.execute(
            select(
                Pupil.pupil_ref, Pupil.first_name, Pupil.school_urn, Pupil.next_school_urn
            ).where(Pupil.pupil_ref.in_(chunk))
        ).all()
        ends = dict(
            conn.execute(
                select(Award.pupil_ref, func.max(Award.valid_until))
                .where(Award.pupil_ref.in_(chunk))
                .group_by(Award.pupil_ref)
            ).all()
        )
        urns = {p.school_urn for p in pupils} | {
            p.next_school_urn for p in pupils if p.next_school_urn
        }
        names = dict(
            conn.execute(select(School.urn, School.name).where(School.urn.in_(urns))).all()
        )
        for pupil in pupils:
            r = uncovered[pupil.pupil_ref]
            ended = ends.get(pupil.pupil_ref)
            ends_on = ended if ended is not None and ended < r else r - timedelta(days=1)
            school = pupil.school_urn
            if pupil.next_school_urn and academic_year_of(r) > academic_year_of(ends_on):
                school = pupil.next_school_urn
            lines[pupil.pupil_ref] = {
                "pupil_ref": pupil.pupil_ref,
                "first_name": pupil.first_name,
                "school_name": names.get(school, ""),
                "ends_on": ends_on.isoformat(),
                "needed_from": r.isoformat(),
                "academic_year": format_academic_year(academic_year_of(r)),
                "starts_on": r.isoformat(),
                "operator": None,
                "route_ref": None,
                "pickup_time": None,
            }
    return lines
