"""Run a job for a date and record it in job_runs (start, end, outcome, counts)."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from services.app import App
from transport.db.queries import job_runs
from transport.db.queries.job_runs import JobRunRow
from transport.errors import failure_record

log = logging.getLogger(__name__)


class JobReport(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


JobFunction = Callable[[App, date], JobReport | Mapping[str, Any]]


HOST = socket.gethostname()[:60]
# A run marked running on another machine is taken as dead after this long.
FOREIGN_RUN_DEAD_AFTER = timedelta(hours=24)


def run_job(app: App, name: str, on: date, job: JobFunction) -> dict[str, Any]:
    """Run ``job`` for the date ``on`` and record it. A failure is recorded, then raised.
    Returns the counts recorded (the report as plain JSON values). First, runs whose
    process died are marked abandoned, so that none stays "running" for ever."""
    engine = app.ready().engine
    started = app.clock.now()
    abandon_dead_runs(app, now=started)
    run_id = job_runs.start(engine, name, on, now=started, holder=f"{HOST}:{os.getpid()}")
    try:
        report = job(app, on)
    except Exception as exc:
        # In words, never the exception's text: a database error's may quote a row.
        sentence = failure_record(exc, url=app.database)
        try:
            job_runs.fail(engine, run_id, now=app.clock.now(), error=sentence)
        except Exception:  # the database itself may be what failed
            log.error("job %s run %s: its failure could not be recorded", name, run_id)
        log.error("job %s for %s failed (run %s): %s", name, on, run_id, sentence)
        log.debug("job %s run %s failure", name, run_id, exc_info=True)
        raise
    counts = dict(report) if isinstance(report, Mapping) else report.as_dict()
    job_runs.finish(engine, run_id, now=app.clock.now(), counts=counts)
    log.info("job %s for %s done (run %s)", name, on, run_id)
    log.debug("job %s run %s counts: %s", name, run_id, counts)
    return counts


def abandon_dead_runs(app: App, *, now: datetime) -> int:
    """Mark as abandoned every run left `running` by a process that is gone: on this
    machine, a process id that no longer runs; elsewhere, a run older than a day."""
    dead = []
    for run_id, holder, started_at in job_runs.running(app.engine):
        host, _, pid = (holder or "").rpartition(":")
        if host == HOST and pid.isdigit():
            if not _alive(int(pid)):
                dead.append(run_id)
        elif now - started_at > FOREIGN_RUN_DEAD_AFTER:
            dead.append(run_id)
    if dead:
        log.warning("marking %d job run(s) abandoned: their process died", len(dead))
    return job_runs.abandon(
        app.engine, dead, now=now, why="abandoned: the process running it stopped"
    )


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def recent_runs(app: App, *, job: str | None = None, limit: int = 30) -> list[JobRunRow]:
    """The latest runs, newest first, after marking the dead ones abandoned."""
    abandon_dead_runs(app, now=app.clock.now())
    return job_runs.recent(app.engine, job=job, limit=limit)
