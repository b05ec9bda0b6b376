"""Caseworker tasks in the record: open what the day calls for, close what it no longer
does, and let the team list them and mark them done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from transport.db.engine import writer
from transport.db.tables import AuditEvent, Pupil, Task, table_of
from transport.domain.tasks import PHONE_FAMILY, TaskKey, WantedTask
from transport.errors import UsageError
from transport.imports.upsert import AuditContext


@dataclass
class TaskSync:
    opened: int = 0
    closed: int = 0
    still_open: int = 0


def open_phone_tasks(conn: Connection) -> list[tuple[str, int]]:
    rows = conn.execute(
        select(Task.pupil_ref, Task.academic_year).where(
            Task.status == "open", Task.kind == PHONE_FAMILY
        )
    )
    return [(ref, year) for ref, year in rows]


def sync_tasks(
    conn: Connection, wanted: list[WantedTask], *, today: date, now: datetime
) -> TaskSync:
    """Inside the caller's transaction: open each wanted task that is not open yet; close
    (as `closed`, by `auto`) each open task that is no longer wanted."""
    report = TaskSync()
    open_rows = conn.execute(
        select(Task.id, Task.kind, Task.pupil_ref, Task.academic_year).where(Task.status == "open")
    ).all()
    open_keys: dict[TaskKey, int] = {
        (row.kind, row.pupil_ref, row.academic_year): row.id for row in open_rows
    }
    wanted_keys = {task.key for task in wanted}
    gone = [task_id for key, task_id in open_keys.items() if key not in wanted_keys]
    for start in range(0, len(gone), 1000):
        conn.execute(
            update(Task)
            .where(Task.id.in_(gone[start : start + 1000]), Task.status == "open")
            .values(
                status="closed",
                closed_at=now,
                closed_by="auto",
                note="closed automatically: the cause went away",
            )
        )
    report.closed = len(gone)
    new = [
        {
            "kind": task.kind,
            "pupil_ref": task.pupil_ref,
            "academic_year": task.academic_year,
            "reason": task.reason,
            "due_on": task.due_on,
            "status": "open",
            "opened_on": today,
            "opened_at": now,
        }
        for task in wanted
        if task.key not in open_keys
    ]
    for start in range(0, len(new), 1000):
        conn.execute(insert(table_of(Task)), new[start : start + 1000])
    report.opened = len(new)
    report.still_open = len(wanted) - len(new)
    return report


def list_tasks(
    conn: Connection, *, status: str | None = "open", kind: str | None = None
) -> list[dict[str, Any]]:
    task = table_of(Task)
    stmt = (
        select(task, Pupil.first_name, Pupil.last_name, Pupil.school_urn)
        .join(Pupil, Pupil.pupil_ref == task.c.pupil_ref)
        .order_by(task.c.due_on, task.c.id)
    )
    if status:
        stmt = stmt.where(task.c.status == status)
    if kind:
        stmt = stmt.where(task.c.kind == kind)
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "pupil_ref": row.pupil_ref,
            "pupil_name": f"{row.first_name} {row.last_name}",
            "school_urn": row.school_urn,
            "academic_year": row.academic_year,
            "reason": row.reason,
            "due_on": row.due_on.isoformat() if row.due_on else None,
            "status": row.status,
            "opened_on": row.opened_on.isoformat(),
            "closed_by": row.closed_by,
            "note": row.note,
        }
        for row in conn.execute(stmt)
    ]


def mark_done(engine: Engine, task_id: int, *, by: str, note: str, now: datetime) -> None:
    with writer(engine).begin() as conn:
        done = conn.execute(
            update(Task)
            .where(Task.id == task_id, Task.status == "open")
            .values(status="done", closed_at=now, closed_by=by, note=note)
        ).rowcount
        if not done:
            raise UsageError(f"task {task_id} is not open")
        audit = AuditContext(actor=by, at=now)
        conn.execute(
            insert(table_of(AuditEvent)),
            [audit.event("done", "tasks", (task_id,), {"note": note})],
        )
