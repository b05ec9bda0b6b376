"""What providers tell us back (`transport serve`, web/): a message's delivery status, and
the texts families send us. Each use case is safe to run twice with the same callback:
the second changes nothing.

- A status moves the message as `outbox poll` would (notifications.delivery_status).
- A text that is exactly STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) marks the
  number opted out on every contact holding it (audited), and the texts still queued to
  it go by the next usable channel instead; START (YES, UNSTOP) makes it usable again;
  HELP changes nothing. Any other text is a reply: kept in its own table (never logged),
  and the contact's (or the unknown number's) one read_reply task opened or updated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from notifications import outbox
from notifications.delivery_status import PollReport, apply_status
from notifications.dispatch import DispatchReport, channel_failed
from notifications.ports import SmsStatus
from services.app import App
from services.replies import e164_or_as_given
from transport.audit import AuditContext
from transport.db.engine import writer
from transport.db.queries import replies
from transport.domain.replies import classify_text
from transport.vocabulary import ChannelStatus, InboundKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusOutcome:
    """What a status callback did: ``unknown`` (not one of our messages: ignored),
    ``delivered``, ``failed``, ``retrying``, ``pending`` or ``unchanged`` (told before)."""

    outcome: str
    message_id: int | None = None


@dataclass(frozen=True)
class TextOutcome:
    """What a text received did: ``duplicate`` (recorded before: nothing changed), or its
    kind (``opt_out``, ``opt_in``, ``help``, ``reply``) and the contacts it changed."""

    outcome: str
    contacts_changed: int = 0
    fallbacks: int = 0


def twilio_status(app: App, *, sid: str, status: str, error_code: str | None) -> StatusOutcome:
    """Twilio's status callback (MessageSid, MessageStatus, ErrorCode)."""
    return _status(app, sid, "sms", SmsStatus(status, error_code or None))


def notify_status(
    app: App, *, notification_id: str, status: str, notification_type: str
) -> StatusOutcome:
    """GOV.UK Notify's delivery receipt (id, status, notification_type)."""
    from notifications.notify_senders import NotifyStatus

    return _status(
        app, notification_id, notification_type, NotifyStatus(status, None, notification_type)
    )


def _status(app: App, provider_id: str, channel: str, status: SmsStatus) -> StatusOutcome:
    engine = app.ready().engine
    backoff = app.dispatch_settings().backoff
    with writer(engine).begin() as conn:
        row = outbox.by_provider_id(conn, provider_id)
        if row is None or row.channel != channel:
            log.info("status callback about a message we do not know (%s): ignored", provider_id)
            return StatusOutcome("unknown")
        done = apply_status(
            conn,
            row,
            status,
            now=app.clock.now(),
            backoff=backoff,
            report=PollReport(),
            tz=ZoneInfo(app.settings.council.timezone),
        )
    log.info("status callback: message %s %s (%s)", row.id, done, status.status)
    return StatusOutcome(done, row.id)


def text_received(
    app: App, *, provider: str, provider_id: str, from_number: str, text: str
) -> TextOutcome:
    """A text a family sent to our number (Twilio's inbound webhook, Notify's received
    text callback)."""
    engine = app.ready().engine
    now = app.clock.now()
    number = e164_or_as_given(from_number)
    kind = classify_text(text)
    with writer(engine).begin() as conn:
        holders = replies.holders_of(conn, number)
        contact_id = holders[0].id if holders else None
        recorded = replies.record_inbound(
            conn,
            provider=provider,
            provider_id=provider_id,
            received_at=now,
            from_number=number,
            contact_id=contact_id,
            kind=kind,
            body=text if kind is InboundKind.REPLY else None,
        )
        if recorded is None:
            log.info("text %s from %s was received before: nothing changed", provider_id, provider)
            return TextOutcome("duplicate")
        ids = [holder.id for holder in holders]
        audit = AuditContext(actor=f"{provider} text", at=now)
        changed: list[int] = []
        fallbacks = 0
        if kind is InboundKind.OPT_OUT:
            changed = replies.set_mobile_status(
                conn, ids, ChannelStatus.OPTED_OUT, was=[ChannelStatus.OK], now=now
            )
            fallbacks = _queued_texts_go_another_way(conn, changed, now=now)
        elif kind is InboundKind.OPT_IN:
            changed = replies.set_mobile_status(
                conn, ids, ChannelStatus.OK, was=[ChannelStatus.OPTED_OUT], now=now
            )
        elif kind is InboundKind.REPLY:
            _reply_task(app, conn, contact_id, number, now=now)
        for changed_id in changed:
            audit.record(
                conn,
                kind.value,
                "contacts",
                (changed_id,),
                {"provider": provider, "text": recorded},
            )
    log.info("text %s from %s: %s, %d contacts changed", recorded, provider, kind, len(changed))
    return TextOutcome(kind.value, len(changed), fallbacks)


def _reply_task(
    app: App, conn: Connection, contact_id: int | None, number: str, *, now: datetime
) -> None:
    """Open the read_reply task of the contact (or of the unknown number), or say on the
    open one how many texts wait and when the latest came."""
    about = f"contact:{contact_id}" if contact_id else f"number:{number}"
    count = replies.replies_since_open(conn, about, contact_id=contact_id, number=number)
    who = f"contact {contact_id}" if contact_id else f"{number} (no contact has this number)"
    read = f"--contact {contact_id}" if contact_id else f"--number {number}"
    tz = ZoneInfo(app.settings.council.timezone)
    reason = (
        f"{count} text{'s' if count > 1 else ''} from {who}, the latest "
        f"{now.astimezone(tz):%d %b %H:%M}: read with `transport replies list {read}`"
    )
    replies.open_reply_task(
        conn,
        about=about,
        contact_id=contact_id,
        reason=reason,
        today=app.clock.date_of(now),
        now=now,
    )


def _queued_texts_go_another_way(conn: Connection, contact_ids: list[int], *, now: datetime) -> int:
    """Texts still waiting to go to a number that just opted out: cancelled (never
    sent), and the same notice queued by the contact's next usable channel."""
    report = DispatchReport()
    for row in outbox.due_texts_of(conn, contact_ids):
        if outbox.move(
            conn,
            row.id,
            "cancelled",
            now=now,
            error_code="STOP",
            error_message="the number opted out (STOP) before it went",
        ):
            channel_failed(conn, row, None, now=now, report=report)
    return report.fallbacks
