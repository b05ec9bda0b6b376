"""Send what is due, and ask the SMS provider what became of what was sent.

A channel whose configuration is refused (credentials, the sender number, TLS) stops for
the run with its messages still queued (see notifications/dispatch.py); it is recorded
as down, with the time it was first found so, until a later run sends by it again. The
digest and `transport outbox send` say so."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from notifications.delivery_status import PollReport, poll
from notifications.dispatch import DispatchReport, dispatch
from services.app import App
from transport.db.engine import writer
from transport.db.queries import channels
from transport.db.queries.channels import ChannelDown, digests_waiting

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendRun:
    """A send, with what became of each channel's messages in this run."""

    report: DispatchReport
    by_channel: dict[str, dict[tuple[str, str], int]]  # channel -> (status, code) -> count


def send_due(app: App, *, limit: int | None = None) -> DispatchReport:
    return send_run(app, limit=limit).report


def due_now(app: App) -> int:
    """Messages due to go now, by every channel (quiet hours aside): for a progress bar."""
    from notifications.outbox import due_count

    engine, now = app.ready().engine, app.clock.now()
    return sum(due_count(engine, now=now, channel=channel) for channel in ("email", "sms"))


def send_run(
    app: App, *, limit: int | None = None, progress: Callable[[int], None] | None = None
) -> SendRun:
    """Quiet hours, rate limits, retries and fallbacks applied (see notifications.dispatch)."""
    engine = app.ready().engine
    started = app.clock.now()
    report = dispatch(
        engine,
        app.senders(),
        app.dispatch_settings(),
        now=app.clock.now,  # the dispatcher reads the time per wave: a send takes time
        limiter=app.rate_limiter(),
        limit=limit,
        progress=progress,
    )
    with writer(engine).begin() as conn:
        for channel, reason in report.channels_down.items():
            channels.mark_down(conn, channel, reason, now=started)
            log.error("channel %s is down: %s", channel, reason)
        channels.mark_up(conn, channels.sent_since(conn, started) - set(report.channels_down))
        by_channel = channels.outcomes_of(conn, report.claims)
    log.info(
        "sent %d, retrying %d, failed %d, unknown %d",
        report.sent,
        report.retrying,
        report.failed,
        report.unknown,
    )
    return SendRun(report, by_channel)


def held_digests(app: App, channels: Iterable[str]) -> list[str]:
    """The dates of the team's digests still waiting to go by these channels."""
    with app.engine.connect() as conn:
        return digests_waiting(conn, list(channels))


def channels_down(app: App) -> list[ChannelDown]:
    with app.ready().engine.connect() as conn:
        return channels.down(conn)


def poll_delivery(app: App) -> PollReport:
    """Fetch the delivery status of the messages not yet final, from every provider that
    reports one (Twilio for SMS; GOV.UK Notify for email and SMS), by provider id."""
    import time

    from notifications.sending_rules import RateLimiter
    from transport.config import notify_channels
    from transport.config_web import NOTIFY_POLL_PER_SECOND

    senders = app.senders()
    # Notify counts look-ups against the same 3,000 requests a minute as sends.
    rates = {channel: NOTIFY_POLL_PER_SECOND for channel in notify_channels(app.config)}
    limiter = RateLimiter(rates, monotonic=time.monotonic, sleep=time.sleep)
    try:
        return poll(
            app.ready().engine,
            senders.status_reader("sms"),
            email=senders.status_reader("email"),
            letter=senders.status_reader("letter"),
            now=app.clock.now(),
            backoff=app.dispatch_settings().backoff,
            wait=limiter.wait,
            tz=ZoneInfo(app.settings.council.timezone),
        )
    finally:
        senders.close()
