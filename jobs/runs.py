"""Our own record of every job run (the scheduler's memory is not to be trusted across
restarts): start, end, outcome, counts. A missed night is found here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update

from transport.bootstrap import App
from transport.db.engine import writer
from transport.db.tables import JobRun, table_of

log = logging.getLogger(__name__)

JobFunction = Callable[[App, date], dict[str, Any]]


def run_job(app: App, name: str, on: date, job: JobFunction) -> dict[str, Any]:
    """Run ``job`` for the date ``on`` and record it. A failure is recorded, then raised."""
    engine = app.ready().engine
    with writer(engine).begin() as conn:
        run_id = conn.execute(
            insert(table_of(JobRun))
            .values(job=name, run_on=on, started_at=app.clock.now(), outcome="running", counts={})
            .returning(table_of(JobRun).c.id)
        ).scalar_one()
    try:
        counts = job(app, on)
    except Exception as exc:
        with writer(engine).begin() as conn:
            conn.execute(
                update(JobRun)
                .where(JobRun.id == run_id)
                .values(
                    finished_at=app.clock.now(),
                    outcome="failed",
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                )
            )
        log.exception("job %s for %s failed (run %s)", name, on, run_id)
        raise
    with writer(engine).begin() as conn:
        conn.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(finished_at=app.clock.now(), outcome="ok", counts=counts)
        )
    log.info("job %s for %s done (run %s): %s", name, on, run_id, counts)
    return counts


def last_success(app: App, name: str) -> date | None:
    with app.ready().engine.connect() as conn:
        return conn.execute(
            select(JobRun.run_on)
            .where(JobRun.job == name, JobRun.outcome == "ok")
            .order_by(JobRun.run_on.desc())
            .limit(1)
        ).scalar()
