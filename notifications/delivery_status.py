"""Delivery status: ask the providers about messages sent but not yet final, and apply
what a provider says (polled here, or posted to us by a status callback: one function,
``apply_status``, for both).

What a status means is the adapter's to say (``SmsStatus`` and its subclasses):
delivered -> `delivered`; failed -> `failed_permanent`, the contact's channel marked when
the failure says so, and the notice sent by the next usable channel; to be retried
(Notify's temporary and technical failures) -> `failed_temporary`, sent again after the
backoff, or `failed_permanent` with the fallback once the attempts are spent; not final
-> nothing changes. A message moves once: the same status told twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from notifications import outbox
from notifications.dispatch import DispatchReport, channel_failed
from notifications.ports import DeliveryError, SmsStatus, StatusReader
from notifications.sending_rules import Backoff
from transport.db.engine import writer
from transport.db.queries import letters
from transport.db.queries.inform import mark_informed

DETAILS = "transport_details"

# Notify keeps a message's status for 7 days; Twilio longer, but a week is enough to wait.
MAX_AGE_DAYS = 7


@dataclass
class PollReport:
    checked: int = 0
    delivered: int = 0
    posted: int = 0  # letters printed and posted by the provider
    undelivered: int = 0
    retrying: int = 0
    pending: int = 0
    errors: int = 0
    fallbacks: int = 0
    by_error: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def poll(
    engine: Engine,
    sms: StatusReader | None,
    *,
    now: datetime,
    email: StatusReader | None = None,
    letter: StatusReader | None = None,
    backoff: Backoff | None = None,
    tz: tzinfo = UTC,
    wait: Callable[[str], None] | None = None,
    max_age_days: int = MAX_AGE_DAYS,
) -> PollReport:
    """Look up every message sent by a channel whose provider reports statuses (``sms``,
    and ``email`` and ``letter`` when they go through GOV.UK Notify) and not yet final,
    and apply what the provider says. ``wait(channel)`` is called before each look-up
    (the rate limit: Notify counts look-ups against the same 3,000 a minute as sends)."""
    report = PollReport()
    pairs = (("sms", sms), ("email", email), ("letter", letter))
    readers = {channel: reader for channel, reader in pairs if reader}
    if not readers:
        return report
    table = outbox.OUTBOX
    with engine.connect() as conn:
        rows = conn.execute(
            select(table)
            .where(
                table.c.channel.in_(list(readers)),
                table.c.status == "sent",
                table.c.provider_id.is_not(None),
                table.c.posted_on.is_(None),  # a letter posted: nothing more to learn
                table.c.sent_at >= now - timedelta(days=max_age_days),
            )
            .order_by(table.c.id)
        ).all()
    for row in rows:
        report.checked += 1
        if wait is not None:
            wait(row.channel)
        try:
            status = readers[row.channel].status(row.provider_id)
        except DeliveryError:
            report.errors += 1
            continue
        with writer(engine).begin() as conn:
            apply_status(conn, row, status, now=now, backoff=backoff, report=report, tz=tz)
    return report


def apply_status(
    conn: Connection,
    row: Any,
    status: SmsStatus,
    *,
    now: datetime,
    backoff: Backoff | None,
    report: PollReport,
    tz: tzinfo = UTC,
) -> str:
    """Apply a provider's status to the message ``row`` (in the caller's transaction).
    Returns what became of it: ``delivered``, ``posted`` (a letter), ``failed``,
    ``retrying``, ``pending`` or ``unchanged`` (it had moved already: a status told
    twice). ``tz``: the council's, for the day a letter was posted."""
    if status.delivered:
        moved = outbox.move(conn, row.id, "delivered", now=now, delivered_at=now)
        report.delivered += moved
        return "delivered" if moved else "unchanged"
    if status.posted:  # a letter the provider printed and posted: it stays `sent`
        day = now.astimezone(tz).date()
        if not letters.mark_posted(conn, [row.id], on=day, now=now):
            return "unchanged"
        report.posted += 1
        if row.kind == DETAILS:  # the family is told the day it went in the post
            told = (row.context or {}).get("children") or []
            mark_informed(conn, row.id, row.academic_year, told, on=day)
        return "posted"
    if not (status.failed or status.retry):
        report.pending += 1
        return "pending"
    code = status.error_code or status.status
    report.by_error[code] = report.by_error.get(code, 0) + 1
    error = {"error_code": code[:40], "error_message": f"{status.status} at the provider"}
    if status.retry and backoff is not None and not backoff.exhausted(row.attempts):
        moved = outbox.send_again(
            conn, row.id, now=now, at=now + backoff.delay(row.attempts), **error
        )
        report.retrying += moved
        return "retrying" if moved else "unchanged"
    if not outbox.move(conn, row.id, "failed_permanent", now=now, **error):
        return "unchanged"
    report.undelivered += 1
    dispatch_report = DispatchReport()
    channel_failed(conn, row, status.channel_status, now=now, report=dispatch_report)
    report.fallbacks += dispatch_report.fallbacks
    return "failed"
