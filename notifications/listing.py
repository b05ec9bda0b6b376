"""The team's view of the outbox (the `outbox list` JSON keys are a contract), and the
manual settling of a message whose outcome is unknown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.engine import Connection, Engine

from notifications import outbox
from transport.audit import AuditContext
from transport.db.engine import writer
from transport.errors import UsageError


def list_messages(
    conn: Connection,
    *,
    status: str | None = None,
    pupil_ref: str | None = None,
    contact_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
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
    return [
        {
            "id": row.id,
            "channel": row.channel,
            "to": row.to_address,
            "kind": row.kind,
            "step": row.step,
            "pupil_refs": list(row.pupil_refs),
            "status": row.status,
            "created_at": row.created_at.isoformat(),
            "contact_id": row.contact_id,
            "subject": row.subject,
            "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at.isoformat(),
            "provider_id": row.provider_id,
            "error_code": row.error_code,
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None,
            "fallback_of": row.fallback_of,
            "dedupe_key": row.dedupe_key,
        }
        for row in conn.execute(stmt)
    ]


def resolve_unknown(engine: Engine, message_id: int, *, sent: bool, by: str, now: datetime) -> str:
    with writer(engine).begin() as conn:
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
