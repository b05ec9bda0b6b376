"""Delivery status: ask the SMS provider about messages sent but not yet final."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from notifications import outbox
from notifications.dispatch import DispatchReport, channel_failed
from notifications.ports import DeliveryError, SmsSender
from transport.db.engine import writer

# Twilio delivery errors that say the number itself will not work.
NUMBER_FAILED = {"30004": "opted_out", "30005": "invalid", "30006": "invalid"}


@dataclass
class PollReport:
    checked: int = 0
    delivered: int = 0
    undelivered: int = 0
    pending: int = 0
    errors: int = 0
    fallbacks: int = 0
    by_error: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def poll(engine: Engine, sms: SmsSender, *, now: datetime, max_age_days: int = 7) -> PollReport:
    report = PollReport()
    table = outbox.OUTBOX
    with engine.connect() as conn:
        rows = conn.execute(
            select(table).where(
                table.c.channel == "sms",
                table.c.status == "sent",
                table.c.provider_id.is_not(None),
                table.c.sent_at >= now - timedelta(days=max_age_days),
            )
        ).all()
    for row in rows:
        report.checked += 1
        try:
            status = sms.status(row.provider_id)
        except DeliveryError:
            report.errors += 1
            continue
        if not status.final:
            report.pending += 1
            continue
        with writer(engine).begin() as conn:
            if not status.failed:
                outbox.move(conn, row.id, "delivered", now=now, delivered_at=now)
                report.delivered += 1
                continue
            code = status.error_code or status.status
            report.by_error[code] = report.by_error.get(code, 0) + 1
            moved = outbox.move(
                conn,
                row.id,
                "failed_permanent",
                now=now,
                error_code=status.error_code,
                error_message=f"{status.status} at the provider",
            )
            if moved:
                report.undelivered += 1
                dispatch_report = DispatchReport()
                channel_failed(conn, row, NUMBER_FAILED.get(code), now=now, report=dispatch_report)
                report.fallbacks += dispatch_report.fallbacks
    return report
