"""Our own record of every job run (the scheduler's memory is not to be trusted across
restarts): start, end, outcome, counts. A missed night is found here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from transport.db.engine import writer
from transport.db.tables import JobRun, table_of
from transport.vocabulary import JobOutcome


def start(engine: Engine, name: str, on: date, *, now: datetime, holder: str) -> int:
    with writer(engine).begin() as conn:
        run_id: int = conn.execute(
            insert(table_of(JobRun))
            .values(
                job=name,
                run_on=on,
                started_at=now,
                outcome=JobOutcome.RUNNING,
                counts={},
                holder=holder,
            )
            .returning(table_of(JobRun).c.id)
        ).scalar_one()
    return run_id


def finish(engine: Engine, run_id: int, *, now: datetime, counts: dict[str, Any]) -> None:
    with writer(engine).begin() as conn:
        conn.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(finished_at=now, outcome=JobOutcome.OK, counts=counts)
        )


def fail(engine: Engine, run_id: int, *, now: datetime, error: str) -> None:
    with writer(engine).begin() as conn:
        conn.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(finished_at=now, outcome=JobOutcome.FAILED, error=error[:2000])
        )


def last_success(engine: Engine, name: str, *, on_or_before: date | None = None) -> date | None:
    """The latest date ``name`` succeeded for (on or before a date, when given: a nightly
    run by hand for a future date must not hide a missed night)."""
    stmt = select(JobRun.run_on).where(JobRun.job == name, JobRun.outcome == JobOutcome.OK)
    if on_or_before is not None:
        stmt = stmt.where(JobRun.run_on <= on_or_before)
    with engine.connect() as conn:
        found: date | None = conn.execute(stmt.order_by(JobRun.run_on.desc()).limit(1)).scalar()
    return found


def running(engine: Engine) -> list[tuple[int, str | None, datetime]]:
    """(id, holder, started_at) of every run still marked running."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(JobRun.id, JobRun.holder, JobRun.started_at).where(
                JobRun.outcome == JobOutcome.RUNNING
            )
        ).all()
    return [(row.id, row.holder, row.started_at) for row in rows]


def abandon(engine: Engine, run_ids: list[int], *, now: datetime, why: str) -> int:
    """Mark runs whose process died as abandoned (only if still running)."""
    if not run_ids:
        return 0
    with writer(engine).begin() as conn:
        result = conn.execute(
            update(JobRun)
            .where(JobRun.id.in_(run_ids), JobRun.outcome == JobOutcome.RUNNING)
            .values(finished_at=now, outcome=JobOutcome.ABANDONED, error=why[:2000])
        )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class JobRunRow:
    id: int
    job: str
    run_on: date
    status: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, Any]
    error: str | None

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 3)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "job": self.job,
            "run_on": self.run_on.isoformat(),
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_seconds": self.duration_seconds,
            "counts": self.counts,
            "error": self.error,
        }


def recent(engine: Engine, *, job: str | None = None, limit: int = 50) -> list[JobRunRow]:
    """The latest runs, newest first."""
    stmt = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job is not None:
        stmt = stmt.where(JobRun.job == job)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        JobRunRow(
            row.id,
            row.job,
            row.run_on,
            row.outcome,
            row.started_at,
            row.finished_at,
            dict(row.counts or {}),
            row.error,
        )
        for row in rows
    ]
