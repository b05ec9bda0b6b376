"""Run a job for a date and record it in job_runs (start, end, outcome, counts)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Protocol

from services.app import App
from transport.db.queries import job_runs

log = logging.getLogger(__name__)


class JobReport(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


JobFunction = Callable[[App, date], JobReport | Mapping[str, Any]]


def run_job(app: App, name: str, on: date, job: JobFunction) -> dict[str, Any]:
    """Run ``job`` for the date ``on`` and record it. A failure is recorded, then raised.
    Returns the counts recorded (the report as plain JSON values)."""
    engine = app.ready().engine
    run_id = job_runs.start(engine, name, on, now=app.clock.now())
    try:
        report = job(app, on)
    except Exception as exc:
        job_runs.fail(engine, run_id, now=app.clock.now(), error=f"{type(exc).__name__}: {exc}")
        log.exception("job %s for %s failed (run %s)", name, on, run_id)
        raise
    counts = dict(report) if isinstance(report, Mapping) else report.as_dict()
    job_runs.finish(engine, run_id, now=app.clock.now(), counts=counts)
    log.info("job %s for %s done (run %s): %s", name, on, run_id, counts)
    return counts
