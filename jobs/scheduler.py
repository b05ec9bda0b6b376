"""The scheduler: runs the jobs of :data:`jobs.JOBS` on time, in the council's timezone.

The only module that imports APScheduler (3.x). What we do not trust it with:

- Memory: jobs are defined here in code (memory job store, never shared between
  processes); our own ``job_runs`` table is the record, and on start :func:`catch_up` runs a
  missed nightly once.
- Exclusivity: one active scheduler per database, by a lease in the database
  (transport/db/queries/leases.py) renewed every third of its lifetime. A scheduler that finds the
  lease taken does not start; one that loses it stops.
- Clock changes: the nightly's CronTrigger has ``timezone=`` and refuses 01:00-01:59
  local (the hour that is skipped in March and repeated in October); the interval jobs
  count elapsed seconds, so they keep their spacing across a change.

Exit codes of :func:`run_scheduler`: 0 stopped by SIGTERM/SIGINT; 3 another scheduler
holds the lease; 4 the lease was taken over while running.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor  # type: ignore[import-untyped]
from apscheduler.jobstores.memory import MemoryJobStore  # type: ignore[import-untyped]
from apscheduler.schedulers.background import (  # type: ignore[import-untyped]
    BackgroundScheduler,
)
from apscheduler.schedulers.base import BaseScheduler  # type: ignore[import-untyped]
from apscheduler.schedulers.blocking import BlockingScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

from jobs import JOBS
from jobs.runs import run_job
from services.app import App
from transport.db.queries import job_runs
from transport.db.queries.leases import LeaseKeeper, state
from transport.domain.schedule import ScheduleSettings
from transport.errors import describe_failure

__all__ = [
    "EXIT_LEASE_HELD",
    "EXIT_LEASE_LOST",
    "EXIT_OK",
    "LEASE_NAME",
    "ScheduleSettings",
    "build_scheduler",
    "catch_up",
    "latest_nightly_date",
    "missed_nightly",
    "next_nightly_times",
    "nightly_trigger",
    "run_scheduler",
]

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
EXIT_OK = 0
EXIT_LEASE_HELD = 3
EXIT_LEASE_LOST = 4

# One nightly at a time in this process: the start-up catch-up and the scheduled run
# never overlap (a catch-up still running at the scheduled time delays that run).
_nightly_lock = threading.Lock()

# The lease's renewal runs every third of lease_seconds (40 s by default) on an executor
# of its own, whose logger this is: APScheduler logs each run of a job at INFO.
LEASE_EXECUTOR = "lease"


class _AtDebug(logging.Filter):
    """APScheduler's INFO lines about the lease's renewal ("Running job", "executed
    successfully"), every 40 s, are logged at DEBUG: the log at INFO keeps the jobs that
    do something. Warnings and errors (a renewal that failed or ran late) stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def _renewals_at_debug() -> None:
    logger = logging.getLogger(f"apscheduler.executors.{LEASE_EXECUTOR}")
    if not any(isinstance(f, _AtDebug) for f in logger.filters):
        logger.addFilter(_AtDebug())


def nightly_trigger(settings: ScheduleSettings) -> Any:
    at = settings.nightly_at
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=settings.tz)


def next_nightly_times(settings: ScheduleSettings, start: datetime, count: int) -> list[datetime]:
    """The nightly's next ``count`` fire times after ``start``, from the real trigger."""
    trigger = nightly_trigger(settings)
    times: list[datetime] = []
    previous: datetime | None = None
    now = start
    for _ in range(count):
        fire: datetime = trigger.get_next_fire_time(previous, now)
        times.append(fire)
        previous = now = fire
    return times


def build_scheduler(
    app: App,
    settings: ScheduleSettings,
    *,
    scheduler_cls: type[BaseScheduler] = BlockingScheduler,
    keeper: LeaseKeeper | None = None,
    on_lease_lost: Callable[[], None] | None = None,
) -> BaseScheduler:
    """A scheduler with the nightly, dispatch and poll_status jobs (and, given a ``keeper``
    holding the lease, the job that renews it), not started.

    With a keeper, the jobs run only while the lease is confirmed; when a renewal finds
    another holder, ``on_lease_lost`` is called (default: shut the scheduler down).
    """
    tz = settings.tz
    scheduler = scheduler_cls(
        timezone=tz,
        jobstores={"default": MemoryJobStore()},
        # A thread per job: renewing the lease never waits behind a long nightly.
        executors={
            "default": ThreadPoolExecutor(max_workers=4),
            LEASE_EXECUTOR: ThreadPoolExecutor(max_workers=1),
        },
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    lost = on_lease_lost or (lambda: scheduler.shutdown(wait=False))
    runner = _Runner(app, keeper, lost)
    # A night's run may start up to an hour late (a busy or paused process) but no later:
    # beyond that, the next start's catch-up is the remedy.
    scheduler.add_job(
        runner.run,
        nightly_trigger(settings),
        args=["nightly"],
        id="nightly",
        name="nightly",
        misfire_grace_time=3600,
    )
    for name, minutes in (
        ("dispatch", settings.dispatch_minutes),
        ("poll_status", settings.poll_minutes),
    ):
        # Elapsed time, counted in UTC: a clock change moves no interval.
        scheduler.add_job(
            runner.run,
            IntervalTrigger(minutes=minutes, timezone=UTC),
            args=[name],
            id=name,
            name=name,
            misfire_grace_time=max(1, int(minutes * 60)),
        )
    if keeper is not None:
        every = settings.lease_seconds / 3
        _renewals_at_debug()
        scheduler.add_job(
            runner.renew_lease,
            IntervalTrigger(seconds=every, timezone=UTC),
            id="lease",
            name="lease",
            executor=LEASE_EXECUTOR,
            misfire_grace_time=max(1, int(every)),
        )
    return scheduler


def latest_nightly_date(settings: ScheduleSettings, now: datetime) -> date:
    """The local date of the most recent scheduled nightly at or before ``now``."""
    fires = next_nightly_times(settings, now - timedelta(days=2), 3)
    latest = max(fire for fire in fires if fire <= now)
    return latest.astimezone(settings.tz).date()


def missed_nightly(settings: ScheduleSettings, last_success: date | None, now: datetime) -> bool:
    """Whether the nightly missed a run: it never succeeded, or not since the latest
    scheduled time that has passed."""
    return last_success is None or last_success < latest_nightly_date(settings, now)


def catch_up(app: App, settings: ScheduleSettings, now: datetime) -> list[date]:
    """On start: if a nightly was missed, run it once, for today (the ladder's own catch-up
    sends only the current step, so one run covers any number of missed nights).
    Returns the dates it ran for. A failed run is recorded in job_runs and raised."""
    today = now.astimezone(settings.tz).date()
    last = job_runs.last_success(app.ready().engine, "nightly", on_or_before=today)
    if not missed_nightly(settings, last, now):
        log.info("no nightly missed (last success for %s)", last)
        return []
    log.warning(
        "the nightly last succeeded for %s; catching up with one run for %s",
        last or "no date ever",
        today,
    )
    with _nightly_lock:
        run_job(app, "nightly", today, JOBS["nightly"])
    return [today]


def run_scheduler(app: App, settings: ScheduleSettings | None = None) -> int:
    """Run the scheduler in the foreground until SIGTERM/SIGINT. Returns the exit code."""
    settings = settings or app.schedule()
    keeper = LeaseKeeper(app.ready().engine, LEASE_NAME, settings.lease_ttl, app.clock.now)
    stop = threading.Event()
    outcome = {"code": EXIT_OK}
    signals: list[int] = []
    previous = _install_signal_handlers(stop, signals)
    try:
        if not keeper.acquire():
            held = state(keeper.engine, LEASE_NAME)
            by = (
                f"{held.holder} (lease until {held.expires_at:%Y-%m-%d %H:%M:%S} UTC)"
                if held
                else "?"
            )
            log.error(
                "another scheduler is active against this database: %s; not starting. "
                "If it has died, its lease expires within %s s.",
                by,
                int(settings.lease_seconds),
            )
            return EXIT_LEASE_HELD
        try:

            def lease_lost() -> None:
                outcome["code"] = EXIT_LEASE_LOST
                stop.set()

            scheduler = build_scheduler(
                app,
                settings,
                scheduler_cls=BackgroundScheduler,
                keeper=keeper,
                on_lease_lost=lease_lost,
            )
            scheduler.start()
            log.info(
                "scheduler %s started: nightly at %s %s, dispatch every %s min, "
                "status polling every %s min",
                keeper.holder,
                settings.nightly_time,
                settings.timezone,
                settings.dispatch_minutes,
                settings.poll_minutes,
            )
            try:
                if not stop.is_set():
                    try:
                        catch_up(app, settings, app.clock.now())
                    except Exception:  # recorded and logged in words by run_job
                        log.error("the catch-up nightly failed; the schedule carries on")
                while not stop.wait(1.0):
                    pass
                if signals:
                    name = signal.Signals(signals[0]).name
                    log.info("%s received; stopping once running jobs finish", name)
                else:
                    log.error("another scheduler took over the lease; stopping")
            finally:
                # Nothing new starts; jobs under way finish (shutdown waits for them).
                scheduler.remove_all_jobs()
                scheduler.shutdown(wait=True)
        finally:
            try:
                keeper.release()
            except Exception as exc:
                log.error(
                    "could not release the lease (%s); it expires by itself",
                    describe_failure(exc)[0],
                )
    finally:
        _restore_signal_handlers(previous)
    log.info("scheduler %s stopped", keeper.holder)
    return outcome["code"]


class _Runner:
    """The callables the scheduler runs. A failing job is logged (run_job records it in
    job_runs) and never stops the scheduler."""

    def __init__(
        self, app: App, keeper: LeaseKeeper | None, on_lease_lost: Callable[[], None]
    ) -> None:
        self.app = app
        self.keeper = keeper
        self.on_lease_lost = on_lease_lost

    def run(self, name: str) -> None:
        if self.keeper is not None and not self.keeper.held():
            log.warning("%s skipped: this scheduler's lease is not confirmed", name)
            return
        try:
            if name == "nightly":
                with _nightly_lock:
                    self._run(name)
            else:
                self._run(name)
        except Exception:  # recorded and logged in words by run_job
            log.error("scheduled job %s failed; the scheduler carries on", name)

    def _run(self, name: str) -> None:
        run_job(self.app, name, self.app.clock.today(), JOBS[name])

    def renew_lease(self) -> None:
        assert self.keeper is not None
        try:
            kept = self.keeper.renew()
        except Exception as exc:
            # The database may be back before the lease runs out; jobs pause meanwhile.
            log.error(
                "could not renew the scheduler lease (%s); retrying", describe_failure(exc)[0]
            )
            return
        if kept:
            log.debug("scheduler lease renewed until %s", self.keeper.expires_at)
            return
        held = state(self.keeper.engine, self.keeper.name)
        log.error(
            "the scheduler lease is now held by %s; this scheduler stops",
            held.holder if held else "nobody",
        )
        self.on_lease_lost()


def _install_signal_handlers(stop: threading.Event, signals: list[int]) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        log.warning("not on the main thread: SIGTERM and SIGINT are not handled")
        return {}

    def handle(signum: int, _frame: FrameType | None) -> None:
        # Only note it: the main thread stops the scheduler outside the handler.
        signals.append(signum)
        stop.set()

    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, handle)
    return previous


def _restore_signal_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
