"""Decisions made here (`transport applications decide`) and what undoes them: the award
this service created for an approval that no longer stands is ended, and the team gets a
task when a council export contradicts a decision made here."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from transport.audit import AuditContext
from transport.db.dialect import insert_ignoring
from transport.db.tables import Award, Task, table_of
from transport.vocabulary import TaskKind, TaskStatus

AWARDS = table_of(Award)


def award_ref_of(application_ref: str) -> str:
    """The award this service creates when it approves an application."""
    return f"{application_ref}-A"


def end_award(
    conn: Connection, application_ref: str, *, today: date, audit: AuditContext, why: str
) -> str | None:
    """End the award this service created for the application: it runs until yesterday,
    or is removed if it had not started. Audited; returns what was done, or None."""
    ref = award_ref_of(application_ref)
    award = conn.execute(select(AWARDS).where(AWARDS.c.award_ref == ref)).first()
    if award is None:
        return None
    last_day = today - timedelta(days=1)
    if award.valid_from > last_day:
        conn.execute(delete(AWARDS).where(AWARDS.c.award_ref == ref))
        done = "removed"
    elif award.valid_until > last_day:
        conn.execute(update(AWARDS).where(AWARDS.c.award_ref == ref).values(valid_until=last_day))
        done = "ended"
    else:
        return None  # it had ended already
    detail = {
        "done": done,
        "valid_from": award.valid_from.isoformat(),
        "valid_until": [
            award.valid_until.isoformat(),
            None if done == "removed" else str(last_day),
        ],
        "why": why,
    }
    audit.record(conn, "end_award", AWARDS.name, (ref,), detail)
    return done


def open_review_task(
    conn: Connection,
    *,
    pupil_ref: str,
    academic_year: int,
    reason: str,
    today: date,
    now: datetime,
) -> None:
    """A task for the team: an export contradicts a decision made here."""
    task = table_of(Task)
    conn.execute(
        insert_ignoring(conn, task, ["kind", "pupil_ref", "academic_year", "opened_on"]),
        [
            {
                "kind": TaskKind.REVIEW_DECISION,
                "pupil_ref": pupil_ref,
                "academic_year": academic_year,
                "reason": reason[:300],
                "due_on": today,
                "status": TaskStatus.OPEN,
                "opened_on": today,
                "opened_at": now,
            }
        ],
    )
