"""The nightly job: the day's risk snapshot, the renewal ladder, the caseworker tasks and
the team's digest, for one date. Every step can be re-run for the same date: nothing is
recorded or sent twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from notifications.digest import digest_data, queue_digest
from notifications.reminders import LadderReport, ladder_from, run_ladder
from transport.bootstrap import App
from transport.bulk import full_passes_held
from transport.checking import CheckOutcome, run_check
from transport.db.engine import writer
from transport.domain.ladder import ordered
from transport.domain.risk import Thresholds
from transport.domain.tasks import wanted_tasks
from transport.tasks import TaskSync, phone_steps, sync_tasks


def thresholds(app: App) -> Thresholds:
    risk = app.config.risk
    return Thresholds(risk.critical_days, risk.high_days, risk.medium_days)


def nightly(app: App, on: date) -> dict[str, Any]:
    """Snapshot, ladder, tasks, digest."""
    return _run(app, on, save_snapshot=True, digest=True).counts


@dataclass
class ReminderRun:
    outcome: CheckOutcome
    ladder: LadderReport
    tasks: TaskSync | None
    digest_queued: bool = False

    @property
    def counts(self) -> dict[str, Any]:
        result = self.outcome.result
        counts: dict[str, Any] = {
            "check": {
                "in_scope": result.in_scope,
                "at_risk": len(result.at_risk),
                **result.severity_counts(),
            },
            "ladder": self.ladder.counts(),
            "digest_queued": self.digest_queued,
        }
        if self.tasks is not None:
            counts["tasks"] = {
                "opened": self.tasks.opened,
                "closed": self.tasks.closed,
                "open": self.tasks.opened + self.tasks.still_open,
            }
        return counts


def remind(app: App, on: date, *, dry_run: bool = False) -> ReminderRun:
    """The ladder and the tasks it opens, for a date (no snapshot, no digest)."""
    return _run(app, on, save_snapshot=False, digest=False, dry_run=dry_run)


def _run(
    app: App, on: date, *, save_snapshot: bool, digest: bool, dry_run: bool = False
) -> ReminderRun:
    with full_passes_held():  # the whole county, in bulk: see transport/bulk.py
        return _run_in_bulk(app, on, save_snapshot=save_snapshot, digest=digest, dry_run=dry_run)


def _run_in_bulk(
    app: App, on: date, *, save_snapshot: bool, digest: bool, dry_run: bool
) -> ReminderRun:
    config, engine = app.config, app.ready().engine
    outcome = run_check(
        engine,
        as_of=on,
        horizon_days=config.risk.horizon_days,
        thresholds=thresholds(app),
        now=app.clock.now(),
        save=save_snapshot and not dry_run,
    )
    ladder = run_ladder(
        engine, config, outcome.result, today=on, now=app.clock.now(), dry_run=dry_run
    )
    if dry_run:
        return ReminderRun(outcome, ladder, None)
    alerts = sorted({item.pupil_ref for item in ladder.planned if item.step.alert_team})
    with writer(engine).begin() as conn:
        caseworker = [s.step for s in ordered(ladder_from(config)) if s.caseworker_task]
        wanted = wanted_tasks(
            outcome.result.at_risk,
            phone=phone_steps(conn, caseworker),
            within_days=config.reminders.task_within_days,
        )
        tasks = sync_tasks(conn, wanted, today=on, now=app.clock.now())
        queued = False
        if digest:
            data = digest_data(conn, outcome, config=config, now=app.clock.now(), alerts=alerts)
            queued = bool(queue_digest(conn, data, config=config, on=on, now=app.clock.now()))
    return ReminderRun(outcome, ladder, tasks, queued)
