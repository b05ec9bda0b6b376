"""The outbox: enqueue messages idempotently, claim due ones safely, move status forward.

Claiming is one short `UPDATE ... WHERE id IN (SELECT ... LIMIT n [FOR UPDATE SKIP
LOCKED]) RETURNING`: on PostgreSQL two dispatchers skip each other's rows; on SQLite the
writer's BEGIN IMMEDIATE serialises them. The transaction ends before any provider call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.engine import Connection, Engine, Row

from transport.db.dialect import insert_ignoring
from transport.db.engine import writer
from transport.db.queries.renewals import mark_steps_cancelled
from transport.db.tables import Contact, OutboxMessage, table_of
from transport.vocabulary import OutboxStatus

STATUSES: tuple[str, ...] = tuple(OutboxStatus)
DUE = (OutboxStatus.QUEUED, OutboxStatus.FAILED_TEMPORARY)
# Forward only: what each status may become.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "sending": ("queued", "failed_temporary"),
    "sent": ("sending", "unknown"),
    "failed_temporary": ("sending", "unknown"),
    "failed_permanent": ("sending", "unknown", "sent"),
    "unknown": ("sending",),
    "delivered": ("sent",),
    "cancelled": ("queued", "failed_temporary"),
}

OUTBOX = table_of(OutboxMessage)
CONTACTS = table_of(Contact)
# The message's contact is blocked (safeguarding): it must never go.
TO_BLOCKED = exists().where(
    CONTACTS.c.id == OUTBOX.c.contact_id, CONTACTS.c.do_not_contact.is_(True)
)
T = TypeVar("T")


@dataclass(frozen=True)
class NewMessage:
    dedupe_key: str
    kind: str
    channel: str
    to_address: str
    body_text: str
    pupil_refs: tuple[str, ...] = ()
    contact_id: int | None = None
    step: str | None = None
    academic_year: int | None = None
    subject: str | None = None
    body_html: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    fallback_of: int | None = None


def enqueue(conn: Connection, messages: Iterable[NewMessage], *, now: datetime) -> int:
    """Insert messages; one whose dedupe key exists already is skipped. Returns how many
    were new. Runs inside the caller's transaction (with the decision that caused them).
    ``messages`` is consumed a thousand at a time, so a generator need not be held whole."""
    stmt = insert_ignoring(conn, OUTBOX, ["dedupe_key"])
    added = 0
    for chunk in batched(messages, 1000):
        rows = [
            {
                "dedupe_key": m.dedupe_key,
                "kind": m.kind,
                "step": m.step,
                "channel": m.channel,
                "contact_id": m.contact_id,
                "to_address": m.to_address,
                "pupil_refs": list(m.pupil_refs),
                "academic_year": m.academic_year,
                "subject": m.subject,
                "body_text": m.body_text,
                "body_html": m.body_html,
                "context": m.context,
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": now,
                "fallback_of": m.fallback_of,
                "created_at": now,
                "updated_at": now,
            }
            for m in chunk
        ]
        result = conn.execute(stmt.returning(OUTBOX.c.id), rows)
        added += len(result.all())
    return added


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def claim(
    engine: Engine, *, now: datetime, channels: Sequence[str], limit: int
) -> tuple[str, list[Row[Any]]]:
    """Mark up to ``limit`` due messages as sending and return them, in a transaction of
    their own. Each claim has a token, so a row is only ever settled by its claimer."""
    if not channels or limit <= 0:
        return "", []
    token = uuid.uuid4().hex
    due = (
        select(OUTBOX.c.id)
        .where(
            OUTBOX.c.status.in_(DUE),
            OUTBOX.c.next_attempt_at <= now,
            OUTBOX.c.channel.in_(list(channels)),
            ~TO_BLOCKED,
        )
        .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(due.scalar_subquery()), OUTBOX.c.status.in_(DUE))
        .values(
            status="sending",
            claimed_at=now,
            claim_token=token,
            attempted_at=None,
            attempts=OUTBOX.c.attempts + 1,
            updated_at=now,
        )
        .returning(*OUTBOX.c)
    )
    with writer(engine).begin() as conn:
        rows = list(conn.execute(stmt).all())
    rows.sort(key=lambda row: row.id)
    return token, rows


def move(
    conn: Connection,
    message_id: int,
    status: str,
    *,
    now: datetime,
    token: str | None = None,
    **values: Any,
) -> bool:
    """Move one message forward to ``status``; False when it was not in a status that may
    move there (or, with ``token``, not ours): the move is then refused, not forced."""
    allowed = ALLOWED_FROM[status]
    conditions = [OUTBOX.c.id == message_id, OUTBOX.c.status.in_(allowed)]
    if token is not None:
        conditions.append(OUTBOX.c.claim_token == token)
    stmt = update(OUTBOX).where(and_(*conditions)).values(status=status, updated_at=now, **values)
    return bool(conn.execute(stmt).rowcount)


def send_again(
    conn: Connection, message_id: int, *, now: datetime, at: datetime, **values: Any
) -> bool:
    """The provider took a `sent` message, then reported that it failed in a way worth
    retrying (GOV.UK Notify's temporary and technical failures): due again ``at``, its
    attempts counted on. The one way back from `sent`, for a provider's word alone."""
    stmt = (
        update(OUTBOX)
        .where(OUTBOX.c.id == message_id, OUTBOX.c.status == OutboxStatus.SENT)
        .values(
            status=OutboxStatus.FAILED_TEMPORARY,
            next_attempt_at=at,
            claim_token=None,
            updated_at=now,
            **values,
        )
    )
    return bool(conn.execute(stmt).rowcount)


def requeue(conn: Connection, message_id: int, *, now: datetime) -> bool:
    """A person's decision to send a failed message again: due now, attempts counted
    afresh. The last error stays on the row until the next attempt replaces it."""
    stmt = (
        update(OUTBOX)
        .where(
            OUTBOX.c.id == message_id,
            OUTBOX.c.status.in_((OutboxStatus.FAILED_PERMANENT, OutboxStatus.FAILED_TEMPORARY)),
        )
        .values(
            status=OutboxStatus.FAILED_TEMPORARY,
            attempts=0,
            next_attempt_at=now,
            claim_token=None,
            updated_at=now,
        )
    )
    return bool(conn.execute(stmt).rowcount)


def mark_sent(conn: Connection, delivered: Sequence[tuple[int, str, str]], *, now: datetime) -> int:
    """Move claimed messages to `sent`, as (id, claim token, provider id), in one
    statement run for each; returns how many moved."""
    if not delivered:
        return 0
    stmt = (
        update(OUTBOX)
        .where(
            OUTBOX.c.id == bindparam("b_id"),
            # Not IN (...): an expanding list cannot run once per parameter set.
            or_(*(OUTBOX.c.status == status for status in sorted(ALLOWED_FROM["sent"]))),
            OUTBOX.c.claim_token == bindparam("b_token"),
        )
        .values(
            status="sent",
            updated_at=now,
            provider_id=bindparam("b_provider"),
            sent_at=now,
            error_code=None,
            error_message=None,
        )
    )
    params = [{"b_id": i, "b_token": t, "b_provider": p} for i, t, p in delivered]
    return int(conn.execute(stmt, params).rowcount)


def cancel_blocked(
    conn: Connection, message_ids: Sequence[int], token: str, *, now: datetime
) -> int:
    """Claimed messages whose contact was blocked since the claim: cancelled, never sent
    (checked in the transaction that marks them attempted, just before the send). A
    ladder step left with no message is recorded cancelled (it goes again, elsewhere)."""
    if not message_ids:
        return 0
    result = conn.execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.id.in_(list(message_ids)),
            OUTBOX.c.status == OutboxStatus.SENDING,
            OUTBOX.c.claim_token == token,
            TO_BLOCKED,
        )
        .values(
            status=OutboxStatus.CANCELLED,
            attempts=OUTBOX.c.attempts - 1,
            claim_token=None,
            updated_at=now,
            error_message="contact blocked",
        )
        .returning(OUTBOX.c.id)
    )
    cancelled = list(result.scalars())
    mark_steps_cancelled(conn, cancelled)
    return len(cancelled)


def mark_attempts(
    conn: Connection, message_ids: Sequence[int], token: str, *, now: datetime
) -> set[int]:
    """Record that these claimed messages' provider calls are about to start (commit
    before making them); returns the ids still ours (a claim taken for dead is not)."""
    result = conn.execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.id.in_(list(message_ids)),
            OUTBOX.c.status == "sending",
            OUTBOX.c.claim_token == token,
        )
        .values(attempted_at=now, updated_at=now)
        .returning(OUTBOX.c.id)
    )
    return set(result.scalars())


def hold(conn: Connection, message_ids: Sequence[int], *, now: datetime) -> int:
    """Messages a relay refused while it refused everyone (a channel down): due again at
    once, that attempt not counted, so the first run after the relay works sends them
    without waiting for a backoff, however long it was down. Returns how many."""
    if not message_ids:
        return 0
    result = conn.execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.id.in_(list(message_ids)),
            OUTBOX.c.status == OutboxStatus.FAILED_TEMPORARY,
        )
        .values(next_attempt_at=now, attempts=OUTBOX.c.attempts - 1, updated_at=now)
    )
    return int(result.rowcount or 0)


def stale_sending(engine: Engine, *, older_than: datetime, now: datetime) -> tuple[int, list[int]]:
    """Messages left in `sending` by a dispatcher that died: one never attempted goes back
    to the queue; one attempted becomes `unknown` (it may have gone) and is reconciled,
    never blindly re-sent. Returns (how many queued again, the ids now unknown)."""
    stale = [OUTBOX.c.status == "sending", OUTBOX.c.claimed_at < older_than]
    with writer(engine).begin() as conn:
        requeued = conn.execute(
            update(OUTBOX)
            .where(*stale, OUTBOX.c.attempted_at.is_(None))
            .values(
                status="failed_temporary",
                next_attempt_at=now,
                updated_at=now,
                error_message="the dispatcher stopped before sending it",
            )
        ).rowcount
        unknown = conn.execute(
            update(OUTBOX)
            .where(*stale, OUTBOX.c.attempted_at.is_not(None))
            .values(
                status="unknown",
                updated_at=now,
                error_message="the dispatcher stopped during the send",
            )
            .returning(OUTBOX.c.id)
        ).scalars()
        unknown_ids = sorted(unknown)
    return int(requeued or 0), unknown_ids


def still_unknown(engine: Engine, message_ids: Sequence[int]) -> int:
    """How many of these messages are still `unknown`."""
    if not message_ids:
        return 0
    with engine.connect() as conn:
        stmt = select(func.count()).where(
            OUTBOX.c.id.in_(list(message_ids)), OUTBOX.c.status == OutboxStatus.UNKNOWN
        )
        return int(conn.execute(stmt).scalar_one())


def by_provider_id(conn: Connection, provider_id: str) -> Row[Any] | None:
    """The message a provider knows by this id (a status callback names it so)."""
    return conn.execute(select(OUTBOX).where(OUTBOX.c.provider_id == provider_id)).first()


def due_texts_of(conn: Connection, contact_ids: Sequence[int]) -> list[Row[Any]]:
    """The texts to these contacts still waiting to go (queued or to be retried)."""
    if not contact_ids:
        return []
    return list(
        conn.execute(
            select(OUTBOX).where(
                OUTBOX.c.contact_id.in_(list(contact_ids)),
                OUTBOX.c.channel == "sms",
                OUTBOX.c.status.in_(DUE),
            )
        ).all()
    )


def due_count(engine: Engine, *, now: datetime, channel: str) -> int:
    with engine.connect() as conn:
        stmt = select(func.count()).where(
            OUTBOX.c.status.in_(DUE), OUTBOX.c.next_attempt_at <= now, OUTBOX.c.channel == channel
        )
        return int(conn.execute(stmt).scalar_one())


@dataclass(frozen=True)
class Failure:
    """A message that failed for good, or whose outcome is unknown (for the digest)."""

    id: int
    kind: str
    channel: str
    status: str
    error_code: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "channel": self.channel,
            "status": self.status,
            "error_code": self.error_code,
        }


def recent_failures(conn: Connection, *, since: datetime) -> list[Failure]:
    table = OUTBOX
    rows = conn.execute(
        select(table.c.id, table.c.kind, table.c.channel, table.c.status, table.c.error_code)
        .where(
            table.c.status.in_((OutboxStatus.FAILED_PERMANENT, OutboxStatus.UNKNOWN)),
            table.c.updated_at >= since,
        )
        .order_by(table.c.id)
    )
    return [Failure(*row) for row in rows]
