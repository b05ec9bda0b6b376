"""The scheduler's log at INFO says what the jobs do; the lease's renewal (every 40 s by
default) is logged at DEBUG. Real time, a real scheduler, a short lease."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator

import pytest
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from sqlalchemy.engine import Engine

from jobs.scheduler import LEASE_NAME, build_scheduler
from services.app import App, build
from transport.config import Config, DatabaseConfig
from transport.db.queries.leases import LeaseKeeper, state
from transport.domain.schedule import ScheduleSettings


@pytest.fixture
def app(engine: Engine, db_url: str) -> Iterator[App]:
    built = build(dataclasses.replace(Config(), database=DatabaseConfig(url=db_url)))
    yield built
    built.close()


def renew_for_a_while(app: App, engine: Engine) -> tuple[float, float]:
    """A scheduler whose lease (0.6 s) is renewed every 0.2 s, for a second: the lease's
    expiry before and after."""
    settings = ScheduleSettings(dispatch_minutes=60, poll_minutes=60, lease_seconds=0.6)
    keeper = LeaseKeeper(app.engine, LEASE_NAME, settings.lease_ttl, app.clock.now)
    assert keeper.acquire()
    first = state(engine, LEASE_NAME)
    scheduler = build_scheduler(app, settings, scheduler_cls=BackgroundScheduler, keeper=keeper)
    scheduler.start()
    try:
        time.sleep(1.0)
    finally:
        scheduler.shutdown(wait=True)
    last = state(engine, LEASE_NAME)
    assert first is not None and last is not None
    return first.expires_at.timestamp(), last.expires_at.timestamp()


def test_the_lease_renewal_is_not_in_the_log_at_info(
    app: App, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    first, last = renew_for_a_while(app, engine)
    assert last > first  # the premise: the lease was renewed, several times
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    # Once, at the start; nothing for each renewal.
    assert [line for line in lines if "lease" in line] == [
        'Added job "lease" to job store "default"'
    ]


def test_at_debug_each_renewal_is_logged(
    app: App, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    renew_for_a_while(app, engine)
    renewals = [r for r in caplog.records if "lease renewed until" in r.getMessage()]
    runs = [r for r in caplog.records if 'Running job "lease' in r.getMessage()]
    assert len(renewals) >= 2 and len(runs) >= 2
    assert {r.levelno for r in [*renewals, *runs]} == {logging.DEBUG}
