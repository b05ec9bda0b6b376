"""The team's view of the outbox (the `outbox list` JSON keys are a contract), the manual
settling of a message whose outcome is unknown, and a message previewed for a pupil."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.exc import NoResultFound

from notifications import outbox
from notifications.households import child_line, message_context, recipients
from notifications.messages import render
from services.app import App
from transport.audit import AuditContext
from transport.db.engine import writer
from transport.errors import NothingToSend, UsageError


@dataclass(frozen=True)
class MessageRow:
    """A message as the team sees it (`outbox list`)."""

    id: int
    channel: str
    to: str
    kind: str
    step: str | None
    pupil_refs: tuple[str, ...]
    status: str
    created_at: datetime
    contact_id: int | None
    subject: str | None
    attempts: int
    next_attempt_at: datetime
    provider_id: str | None
    error_code: str | None
    error: str | None  # the last error in words: the provider's, the server's, the network's
    sent_at: datetime | None
    delivered_at: datetime | None
    fallback_of: int | None
    dedupe_key: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["pupil_refs"] = list(self.pupil_refs)
        for key in ("created_at", "next_attempt_at", "sent_at", "delivered_at"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data


def list_messages(
    app: App,
    *,
    status: str | None = None,
    pupil_ref: str | None = None,
    contact_id: int | None = None,
    limit: int | None = None,
) -> list[MessageRow]:
    table = outbox.OUTBOX
    stmt = select(table).order_by(table.c.created_at.desc(), table.c.id.desc())
    if status:
        stmt = stmt.where(table.c.status == status)
    if contact_id is not None:
        stmt = stmt.where(table.c.contact_id == contact_id)
    if pupil_ref:
        stmt = stmt.where(cast(table.c.pupil_refs, String).like(f'%"{pupil_ref}"%'))
    if limit:
        stmt = stmt.limit(limit)
    with app.ready().engine.connect() as conn:
        return [
            MessageRow(
                id=row.id,
                channel=row.channel,
                to=row.to_address,
                kind=row.kind,
                step=row.step,
                pupil_refs=tuple(row.pupil_refs or ()),
                status=row.status,
                created_at=row.created_at,
                contact_id=row.contact_id,
                subject=row.subject,
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at,
                provider_id=row.provider_id,
                error_code=row.error_code,
                error=row.error_message,
                sent_at=row.sent_at,
                delivered_at=row.delivered_at,
                fallback_of=row.fallback_of,
                dedupe_key=row.dedupe_key,
            )
            for row in conn.execute(stmt)
        ]


def resolve_unknown(app: App, message_id: int, *, sent: bool, by: str) -> str:
    """The team settles a message whose outcome is unknown: it went, or send it again."""
    now = app.clock.now()
    with writer(app.ready().engine).begin() as conn:
        if sent:
            moved = outbox.move(
                conn,
                message_id,
                "sent",
                now=now,
                sent_at=now,
                error_message="confirmed sent by the team",
            )
            status = "sent"
        else:
            moved = outbox.move(
                conn,
                message_id,
                "failed_temporary",
                now=now,
                next_attempt_at=now,
                error_message="to be sent again",
            )
            status = "queued to be sent again"
        if not moved:
            raise UsageError(f"message {message_id} is not in status unknown")
        audit = AuditContext(actor=by, at=now)
        audit.record(conn, "resolve", "outbox", (message_id,), {"sent": sent})
    return status


@dataclass(frozen=True)
class Preview:
    """A message rendered for one of a pupil's contacts; nothing is stored or sent."""

    channel: str
    address: str
    usable: bool
    contact_id: int
    subject: str | None
    text: str


def preview(
    app: App, pupil_ref: str, *, kind: str, channels: Sequence[str], as_of: date
) -> list[Preview]:
    """What ``kind`` would say to each of the pupil's contacts, by each channel they have."""
    with app.ready().engine.connect() as conn:
        people = recipients(conn, pupil_ref)
        try:
            child = child_line(conn, pupil_ref, as_of=as_of)
        except NoResultFound:
            raise UsageError(f"no pupil {pupil_ref!r}") from None
    if not people:
        raise NothingToSend(f"pupil {pupil_ref} has no contact to write to (UNREACHABLE)")
    found: list[Preview] = []
    for person in people:
        context = message_context(app.settings.council, person, [child])
        for channel in channels:
            address = person.address(channel)
            if not address:
                continue
            rendered = render(kind, channel, context)
            found.append(
                Preview(
                    channel,
                    address,
                    person.usable(channel),
                    person.contact_id,
                    rendered.subject,
                    rendered.text,
                )
            )
    return found
