"""Caseworker tasks in the record: open what the day calls for, close what it no longer
does, list them, and mark one done."""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection, Engine

from transport.audit import AuditContext
from transport.db.dialect import chunks, insert_ignoring
from transport.db.engine import writer
from transport.db.tables import Contact, Pupil, PupilContact, ReminderStep, Task, table_of
from transport.domain.tasks import KINDS, PhoneStep, TaskKey, WantedTask
from transport.errors import UsageError
from transport.vocabulary import ChannelStatus, StepOutcome, TaskStatus


@dataclass
class TaskSync:
    opened: int = 0
    closed: int = 0
    still_open: int = 0


def phone_steps(
    conn: Connection,
    caseworker_steps: Sequence[str],
    ladder_steps: Sequence[str] = (),
    *,
    only: Container[str] | None = None,
) -> dict[tuple[str, int], PhoneStep]:
    """(pupil, year) -> the latest recorded ladder step that asks the team to phone: a
    step of ``caseworker_steps`` that was not skipped, or any step recorded ``phone`` (no
    message could carry it). ``ladder_steps``: every step, earliest first (the caseworker
    steps' order when not given). ``only``: just these pupils' (the rows streamed)."""
    order = list(ladder_steps) or list(caseworker_steps)
    rank = {step: index for index, step in enumerate(order)}
    found: dict[tuple[str, int], PhoneStep] = {}
    asks = ReminderStep.step.in_(list(caseworker_steps)) & (
        ReminderStep.outcome != StepOutcome.SKIPPED
    )
    step = ReminderStep
    rows = conn.execute(
        select(step.pupil_ref, step.academic_year, step.step, step.outcome)
        .where(or_(asks, step.outcome == StepOutcome.PHONE))
        .execution_options(yield_per=20_000)
    )
    for ref, year, name, outcome in rows:
        if only is not None and ref not in only:
            continue
        current = found.get((ref, year))
        if current is None or rank.get(name, -1) > rank.get(current.step, -1):
            found[(ref, year)] = PhoneStep(name, outcome == StepOutcome.PHONE)
    return found


def sync_tasks(
    conn: Connection,
    wanted: list[WantedTask],
    *,
    today: date,
    now: datetime,
    kinds: Sequence[str] = KINDS,
) -> TaskSync:
    """Inside the caller's transaction: open each wanted task that is not open yet (unless
    the team already marked the same task done); close (as `closed`, by `auto`) each open
    task that is no longer wanted. Safe when two runs sync at once. ``kinds``: the kinds
    ``wanted`` is the whole list of (open tasks of other kinds are left as they are)."""
    report = TaskSync()
    task = table_of(Task)
    rows = conn.execute(
        select(
            task.c.id,
            task.c.kind,
            task.c.pupil_ref,
            task.c.academic_year,
            task.c.reason,
            task.c.status,
        ).where(
            task.c.status.in_((TaskStatus.OPEN, TaskStatus.DONE)),
            task.c.kind.in_(list(kinds)),  # not the tasks opened elsewhere (review_decision)
        )
    ).all()
    open_keys: dict[TaskKey, int] = {
        (r.kind, r.pupil_ref, r.academic_year): r.id for r in rows if r.status == TaskStatus.OPEN
    }
    done = {
        (r.kind, r.pupil_ref, r.academic_year, r.reason)
        for r in rows
        if r.status == TaskStatus.DONE
    }
    wanted_keys = {item.key for item in wanted}
    gone = [task_id for key, task_id in open_keys.items() if key not in wanted_keys]
    for start in range(0, len(gone), 1000):
        conn.execute(
            update(Task)
            .where(Task.id.in_(gone[start : start + 1000]), Task.status == TaskStatus.OPEN)
            .values(
                status=TaskStatus.CLOSED,
                closed_at=now,
                closed_by="auto",
                note="closed automatically: the cause went away",
            )
        )
    report.closed = len(gone)
    new = [
        {
            "kind": item.kind,
            "pupil_ref": item.pupil_ref,
            "academic_year": item.academic_year,
            "reason": item.reason,
            "due_on": item.due_on,
            "status": TaskStatus.OPEN,
            "opened_on": today,
            "opened_at": now,
        }
        for item in wanted
        if item.key not in open_keys and (*item.key, item.reason) not in done
    ]
    stmt = insert_ignoring(conn, task, ["kind", "pupil_ref", "academic_year", "opened_on"])
    for start in range(0, len(new), 1000):
        conn.execute(stmt, new[start : start + 1000])
    report.opened = len(new)
    report.still_open = len(wanted) - len(new)
    return report


@dataclass(frozen=True)
class TaskRow:
    """A task as the team sees it (the keys of `tasks list --format json`)."""

    id: int
    kind: str
    pupil_ref: str | None  # None for a task about a contact or a number (read_reply)
    pupil_name: str
    school_urn: str | None
    academic_year: int | None
    reason: str
    due_on: date | None
    status: str
    opened_on: date
    closed_by: str | None
    note: str | None
    # The household's numbers to phone (E.164): each linked, unblocked contact's mobile
    # (unless invalid) and landline.
    phone_numbers: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["phone_numbers"] = list(self.phone_numbers)
        data["due_on"] = self.due_on.isoformat() if self.due_on else None
        data["opened_on"] = self.opened_on.isoformat()
        return data


def list_tasks(
    conn: Connection,
    *,
    status: str | None = TaskStatus.OPEN,
    kind: str | None = None,
    pupil_ref: str | None = None,
    school_urn: str | None = None,
) -> list[TaskRow]:
    task = table_of(Task)
    stmt = (
        select(task, Pupil.first_name, Pupil.last_name, Pupil.school_urn)
        .outerjoin(Pupil, Pupil.pupil_ref == task.c.pupil_ref)
        .order_by(task.c.due_on, task.c.id)
    )
    if status:
        stmt = stmt.where(task.c.status == status)
    if kind:
        stmt = stmt.where(task.c.kind == kind)
    if pupil_ref:
        stmt = stmt.where(task.c.pupil_ref == pupil_ref)
    if school_urn:
        stmt = stmt.where(or_(Pupil.school_urn == school_urn, Pupil.next_school_urn == school_urn))
    rows = conn.execute(stmt).all()
    numbers = household_numbers(conn, {row.pupil_ref for row in rows})
    return [
        TaskRow(
            id=row.id,
            kind=row.kind,
            pupil_ref=row.pupil_ref,
            pupil_name=f"{row.first_name} {row.last_name}" if row.pupil_ref else "",
            school_urn=row.school_urn,
            academic_year=row.academic_year,
            reason=row.reason,
            due_on=row.due_on,
            status=row.status,
            opened_on=row.opened_on,
            closed_by=row.closed_by,
            note=row.note,
            phone_numbers=tuple(numbers.get(row.pupil_ref, ())),
        )
        for row in rows
    ]


def household_numbers(conn: Connection, refs: set[str]) -> dict[str, list[str]]:
    """pupil -> the numbers the team can phone the family on: every linked contact's
    landline and mobile (not an invalid one), never a blocked contact's (safeguarding)."""
    found: dict[str, list[str]] = {}
    for chunk in chunks(sorted(refs)):
        stmt = (
            select(PupilContact.pupil_ref, Contact.mobile, Contact.mobile_status, Contact.landline)
            .join(Contact, Contact.id == PupilContact.contact_id)
            .where(PupilContact.pupil_ref.in_(chunk), Contact.do_not_contact.is_(False))
            .order_by(PupilContact.pupil_ref, Contact.id)
        )
        for ref, mobile, status, landline in conn.execute(stmt):
            numbers = found.setdefault(ref, [])
            usable = [landline, mobile if status != ChannelStatus.INVALID else None]
            numbers.extend(n for n in usable if n and n not in numbers)
    return found


def mark_done(engine: Engine, task_id: int, *, by: str, note: str, now: datetime) -> None:
    with writer(engine).begin() as conn:
        done = conn.execute(
            update(Task)
            .where(Task.id == task_id, Task.status == TaskStatus.OPEN)
            .values(status=TaskStatus.DONE, closed_at=now, closed_by=by, note=note)
        ).rowcount
        if not done:
            raise UsageError(f"task {task_id} is not open")
        audit = AuditContext(actor=by, at=now)
        audit.record(conn, "done", "tasks", (task_id,), {"note": note})


def open_task_counts(conn: Connection) -> dict[str, int]:
    """Open tasks by kind, kinds in name order."""
    rows = conn.execute(
        select(Task.kind, func.count()).where(Task.status == TaskStatus.OPEN).group_by(Task.kind)
    ).all()
    return {kind: int(count) for kind, count in sorted(rows)}


def past_due(conn: Connection, today: date) -> tuple[int, date | None]:
    """How many open tasks are due before ``today``, and the oldest due date."""
    count, oldest = conn.execute(
        select(func.count(), func.min(Task.due_on)).where(
            Task.status == TaskStatus.OPEN, Task.due_on < today
        )
    ).one()
    return int(count), oldest
