"""The sending jobs: dispatch what is due, and poll SMS delivery statuses."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from notifications.dispatch import DispatchSettings, dispatch
from notifications.senders import Senders, build_senders
from notifications.sending_rules import Backoff, RateLimiter, parse_quiet_hours
from notifications.status import poll
from transport.bootstrap import App


def senders(app: App) -> Senders:
    return build_senders(app.config, email=app.email, sms=app.sms)


def dispatch_settings(app: App) -> DispatchSettings:
    sending = app.config.sending
    return DispatchSettings(
        quiet=parse_quiet_hours(
            sending.quiet_hours,
            no_sundays=sending.no_sms_on_sundays,
            tz=ZoneInfo(app.config.council.timezone),
        ),
        backoff=Backoff(
            sending.retry_base_seconds, sending.retry_cap_seconds, sending.max_attempts
        ),
        batch_size=sending.batch_size,
        stale_after=timedelta(seconds=sending.stale_after_seconds),
        workers=sending.workers,
    )


def dispatch_job(app: App, on: date, *, limit: int | None = None) -> dict[str, Any]:
    sending = app.config.sending
    limiter = RateLimiter(
        {"email": sending.email_per_second, "sms": sending.sms_per_second},
        monotonic=time.monotonic,
        sleep=time.sleep,
    )
    report = dispatch(
        app.ready().engine,
        senders(app),
        dispatch_settings(app),
        now=app.clock.now,
        limiter=limiter,
        limit=limit,
    )
    return report.as_dict()


def poll_job(app: App, on: date) -> dict[str, Any]:
    report = poll(app.ready().engine, senders(app).sms, now=app.clock.now())
    return dict(vars(report))
