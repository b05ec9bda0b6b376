"""Texts families send us: recorded once each (by the provider's id), a number opted out
or back in, the team's read_reply task opened or brought up to date, and the replies
listed for the team."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, text, update
from sqlalchemy.engine import Connection

from transport.db.dialect import insert_for, insert_ignoring
from transport.db.tables import Contact, InboundMessage, Task, table_of
from transport.vocabulary import InboundKind, TaskKind, TaskStatus

INBOUND = table_of(InboundMessage)
OPEN = text("status = 'open'")


@dataclass(frozen=True)
class NumberHolder:
    """A contact whose mobile is the number a text came from."""

    id: int
    mobile_status: str


def record_inbound(
    conn: Connection,
    *,
    provider: str,
    provider_id: str,
    received_at: datetime,
    from_number: str,
    contact_id: int | None,
    kind: InboundKind,
    body: str | None,
) -> int | None:
    """Record a text received; None when this provider's id is recorded already (the same
    callback told twice, or replayed): then nothing else may change."""
    stmt = insert_ignoring(conn, INBOUND, ["provider", "provider_id"]).values(
        provider=provider,
        provider_id=provider_id[:100],
        received_at=received_at,
        from_number=from_number[:20],
        contact_id=contact_id,
        kind=kind,
        body=body,
    )
    found = conn.execute(stmt.returning(INBOUND.c.id)).scalar_one_or_none()
    return None if found is None else int(found)


def holders_of(conn: Connection, number: str) -> list[NumberHolder]:
    """The contacts whose mobile is ``number`` (E.164), lowest id first."""
    rows = conn.execute(
        select(Contact.id, Contact.mobile_status)
        .where(Contact.mobile == number)
        .order_by(Contact.id)
    )
    return [NumberHolder(int(row.id), str(row.mobile_status)) for row in rows]


def set_mobile_status(
    conn: Connection, contact_ids: Sequence[int], status: str, *, was: Sequence[str], now: datetime
) -> list[int]:
    """Set these contacts' mobile status where it is one of ``was``; the ids changed."""
    if not contact_ids:
        return []
    result = conn.execute(
        update(Contact)
        .where(Contact.id.in_(list(contact_ids)), Contact.mobile_status.in_(list(was)))
        .values(mobile_status=status, status_changed_at=now)
        .returning(Contact.id)
    )
    return sorted(int(found) for found in result.scalars())


def open_reply_task(
    conn: Connection,
    *,
    about: str,
    contact_id: int | None,
    reason: str,
    today: date,
    now: datetime,
) -> None:
    """Open the read_reply task about ``about`` (``contact:12`` or ``number:+44...``), or
    bring the open one up to date: one open task per subject, even when two replies
    arrive at once."""
    table = table_of(Task)
    stmt = insert_for(conn, table).values(
        kind=TaskKind.READ_REPLY,
        pupil_ref=None,
        academic_year=None,
        contact_id=contact_id,
        about=about,
        reason=reason[:300],
        due_on=today,
        status=TaskStatus.OPEN,
        opened_on=today,
        opened_at=now,
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["kind", "about"], index_where=OPEN, set_={"reason": reason[:300]}
        )
    )


def replies_since_open(conn: Connection, about: str, *, contact_id: int | None, number: str) -> int:
    """Replies not yet read: those received since the open task about ``about`` opened
    (all of the subject's replies when no task is open)."""
    opened = conn.execute(
        select(Task.opened_at).where(
            Task.kind == TaskKind.READ_REPLY, Task.about == about, Task.status == TaskStatus.OPEN
        )
    ).scalar_one_or_none()
    whose = INBOUND.c.contact_id == contact_id if contact_id else INBOUND.c.from_number == number
    conditions: list[Any] = [whose, INBOUND.c.kind == InboundKind.REPLY]
    if opened is not None:
        conditions.append(INBOUND.c.received_at >= opened)
    return int(conn.execute(select(func.count()).where(and_(*conditions))).scalar_one())


@dataclass(frozen=True)
class Reply:
    """A reply as the team reads it (`transport replies list`)."""

    id: int
    received_at: datetime
    contact_id: int | None
    from_number: str | None
    kind: str
    text: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat(),
            "contact_id": self.contact_id,
            "from": self.from_number,
            "kind": self.kind,
            "text": self.text,
        }


def list_replies(
    conn: Connection,
    *,
    contact_id: int | None = None,
    number: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[Reply]:
    """Texts received, newest first."""
    stmt = select(INBOUND).order_by(INBOUND.c.received_at.desc(), INBOUND.c.id.desc())
    if contact_id is not None:
        stmt = stmt.where(INBOUND.c.contact_id == contact_id)
    if number is not None:
        stmt = stmt.where(INBOUND.c.from_number == number)
    if since is not None:
        stmt = stmt.where(INBOUND.c.received_at >= since)
    if limit:
        stmt = stmt.limit(limit)
    return [
        Reply(row.id, row.received_at, row.contact_id, row.from_number, row.kind, row.body)
        for row in conn.execute(stmt)
    ]


REDACTED_REASON = (
    "Texts from a number no contact holds: the number and the texts were redacted "
    "under the retention rule"
)


def redact_reply_tasks(conn: Connection, *, before: datetime, apply: bool) -> int:
    """Retention, run before :func:`redact_replies`: a read_reply task about an unknown
    number loses the number (its subject, and its reason, which names it) when the
    texts it tells of are redacted: it opened before ``before`` and no reply from the
    number received from ``before`` until it closed (or since, if open) is kept. The task
    stays (kind, status, dates, who closed it and their note) with no subject, so a new
    text from the number opens a new one."""
    task = table_of(Task)
    kept = (
        select(INBOUND.c.id)
        .where(
            task.c.about == literal("number:").concat(INBOUND.c.from_number),
            INBOUND.c.kind == InboundKind.REPLY,
            INBOUND.c.received_at >= before,
            or_(task.c.closed_at.is_(None), INBOUND.c.received_at <= task.c.closed_at),
        )
        .exists()
    )
    where = (
        task.c.kind == TaskKind.READ_REPLY,
        task.c.contact_id.is_(None),
        task.c.about.like("number:%"),
        task.c.opened_at < before,
        ~kept,
    )
    if not apply:
        return int(conn.execute(select(func.count()).select_from(task).where(*where)).scalar_one())
    result = conn.execute(update(task).where(*where).values(about=None, reason=REDACTED_REASON))
    return int(result.rowcount or 0)


def redact_replies(conn: Connection, *, before: datetime, now: datetime, apply: bool) -> int:
    """Retention: texts received before ``before`` lose their words and number
    (``apply``), or are counted. The provider's id stays, so a late replay is still known
    and ignored."""
    where = (
        INBOUND.c.received_at < before,
        INBOUND.c.redacted_at.is_(None),
        or_(INBOUND.c.body.is_not(None), INBOUND.c.from_number.is_not(None)),
    )
    if not apply:
        return int(conn.execute(select(func.count()).where(*where)).scalar_one())
    result = conn.execute(
        update(INBOUND).where(*where).values(body=None, from_number=None, redacted_at=now)
    )
    return int(result.rowcount or 0)
