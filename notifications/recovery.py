"""After a dispatcher stopped mid-run (killed, the machine restarted): its messages left
`sending` are put right, and every message whose outcome is unknown is looked up at the
provider where the provider can say (SMS by number and text; GOV.UK Notify by our
reference), never blindly re-sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.engine import Engine

from notifications import outbox
from notifications.ports import ChannelConfigError, DeliveryError
from notifications.senders import Senders
from transport.db.engine import writer

if TYPE_CHECKING:
    from notifications.dispatch import DispatchReport


def recover(
    engine: Engine,
    senders: Senders,
    *,
    stale_after: timedelta,
    now: datetime,
    report: DispatchReport,
) -> None:
    """After a crash: `sending` rows older than the lease go back to the queue when never
    attempted, else become `unknown`; an unknown SMS is looked up at the provider (sent if
    found, else safe to send again), and so is an unknown email sent through a provider
    that finds a message by our reference (GOV.UK Notify). An unknown email sent over
    SMTP cannot be looked up: it stays for the team (`transport outbox resolve`), and the
    digest lists it."""
    requeued, became_unknown = outbox.stale_sending(
        engine, older_than=now - stale_after, now=now
    )
    report.stale = requeued + len(became_unknown)
    try:
        _reconcile(engine, senders, now=now, report=report)
    finally:
        # Outcomes this run found unknown and could not settle: a person must (exit 1).
        report.unknown += outbox.still_unknown(engine, became_unknown)


def _reconcile(engine: Engine, senders: Senders, *, now: datetime, report: DispatchReport) -> None:
    """Look every unknown SMS (and email sent through a provider that can find it) up."""
    table = outbox.OUTBOX
    by_reference = {
        channel: finder
        for channel, sender in (
            ("email", senders.email),
            ("sms", senders.sms),
            ("letter", senders.letter),
        )
        if (finder := getattr(sender, "find_reference", None)) is not None
    }
    with engine.connect() as conn:
        unknown_sms = conn.execute(
            select(table)
            .where(table.c.status == "unknown", table.c.channel.in_({"sms", *by_reference}))
            .order_by(table.c.id)
        ).all()
    for row in unknown_sms:
        since = (row.attempted_at or row.claimed_at or row.created_at) - timedelta(minutes=5)
        try:
            if row.channel in by_reference:
                found = by_reference[row.channel](f"outbox-{row.id}")
            else:
                found = senders.sms.find(row.to_address, row.body_text, since)
        except ChannelConfigError as exc:
            report.channel_down(exc)  # no look-up can work in this run
            break
        except DeliveryError:
            continue  # the provider cannot say now: try again on the next run
        with writer(engine).begin() as conn:
            if found:
                outbox.move(
                    conn,
                    row.id,
                    "sent",
                    now=now,
                    provider_id=found,
                    sent_at=row.claimed_at,
                    error_message=None,
                )
                report.reconciled_sent += 1
            else:
                outbox.move(
                    conn,
                    row.id,
                    "failed_temporary",
                    now=now,
                    next_attempt_at=now,
                    error_message="not found at the provider: it never went",
                )
                report.reconciled_resend += 1
