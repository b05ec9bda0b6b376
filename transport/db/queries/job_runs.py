"""Our own record of every job run (the scheduler's memory is not to be trusted across
restarts): start, end, outcome, counts. A missed night is found here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from transport.db.engine import writer
from transport.db.tables import JobRun, table_of
from transport.vocabulary import JobOutcome


def start(engine: Engine, name: str, on: date, *, now: datetime) -> int:
    with writer(engine).begin() as conn:
        run_id: int = conn.execute(
            insert(table_of(JobRun))
            .values(job=name, run_on=on, started_at=now, outcome=JobOutcome.RUNNING, counts={})
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
