"""Letters written by the file backend and the post room's record of posting them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from transport.db.dialect import chunks
from transport.db.tables import OutboxMessage, table_of
from transport.vocabulary import Channel, OutboxStatus

OUTBOX = table_of(OutboxMessage)
WRITTEN = (OutboxStatus.SENT, OutboxStatus.DELIVERED)
# A letter the file backend wrote: its provider id names the file.
FILE_LETTER = OUTBOX.c.provider_id.like("file:%")


def unposted(conn: Connection, *, written_before: datetime) -> list[Any]:
    """Letters written (sent) before ``written_before`` that no one has marked posted."""
    return list(
        conn.execute(
            select(
                OUTBOX.c.id,
                OUTBOX.c.kind,
                OUTBOX.c.academic_year,
                OUTBOX.c.context,
                OUTBOX.c.sent_at,
            )
            .where(
                OUTBOX.c.channel == Channel.LETTER,
                OUTBOX.c.status.in_(WRITTEN),
                OUTBOX.c.posted_on.is_(None),
                FILE_LETTER,
                OUTBOX.c.sent_at < written_before,
            )
            .order_by(OUTBOX.c.id)
        ).all()
    )


def mark_posted(conn: Connection, ids: Sequence[int], *, on: date, now: datetime) -> int:
    marked = 0
    for chunk in chunks(sorted(ids)):
        marked += int(
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(chunk), OUTBOX.c.posted_on.is_(None))
                .values(posted_on=on, updated_at=now)
            ).rowcount
            or 0
        )
    return marked


def waiting(
    conn: Connection, *, written_before: datetime | None = None
) -> tuple[int, datetime | None]:
    """Letters written (before ``written_before``, if given) and not yet marked posted:
    how many, and the oldest's time."""
    stmt = select(func.count(), func.min(OUTBOX.c.sent_at)).where(
        OUTBOX.c.channel == Channel.LETTER,
        OUTBOX.c.status.in_(WRITTEN),
        OUTBOX.c.posted_on.is_(None),
        FILE_LETTER,
    )
    if written_before is not None:
        stmt = stmt.where(OUTBOX.c.sent_at < written_before)
    count, oldest = conn.execute(stmt).one()
    return int(count), oldest


def posted_between(conn: Connection, start: date, end: date) -> int:
    """Letters marked posted from ``start`` up to the day before ``end``."""
    return int(
        conn.execute(
            select(func.count()).where(
                OUTBOX.c.channel == Channel.LETTER,
                OUTBOX.c.posted_on >= start,
                OUTBOX.c.posted_on < end,
            )
        ).scalar_one()
    )
