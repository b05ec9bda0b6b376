"""How much of each stage's work the team did in a window, measured from the record:
applications received (chase), decided (decide), arrangements made (arrange, from
``arranged_on``), families told their route (inform), contacts fixed and letters posted (reach).

The record does not say when an award was made, so the award stage's pace is unknown
(None): ``valid_from`` is the day travel starts (usually the first day of term, set months
ahead), not the day the award was entered, and an import only says when this service
first saw an award, not when the council made it. An award made here by `applications
decide` is made with its decision, so that work is counted under decide.

A record none of whose arrangements carries ``arranged_on`` (an export without the
column) cannot say how fast arranging goes: its pace is unknown, not 0."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from transport.db.queries.letters import posted_between
from transport.db.tables import Application, Arrangement, Task
from transport.vocabulary import TaskKind, TaskStatus


def done_in_window(conn: Connection, *, start: date, end: date) -> dict[str, int | None]:
    """Work done from ``start`` up to the day before ``end``."""

    def count(stmt: object) -> int:
        return int(conn.execute(stmt).scalar_one())  # type: ignore[call-overload]

    received = select(func.count()).where(
        Application.received_on >= start, Application.received_on < end
    )
    decided = select(func.count()).where(
        Application.decided_on >= start, Application.decided_on < end
    )
    arranged = select(func.count()).where(
        Arrangement.arranged_on >= start, Arrangement.arranged_on < end
    )
    informed = select(func.count()).where(
        Arrangement.family_informed_on >= start, Arrangement.family_informed_on < end
    )
    fixed = select(func.count()).where(
        Task.kind == TaskKind.FIX_CONTACT,
        Task.status == TaskStatus.DONE,
        Task.closed_at >= datetime.combine(start, time(), tzinfo=UTC),
        Task.closed_at < datetime.combine(end, time(), tzinfo=UTC),
    )
    return {
        "chase": count(received),
        "decide": count(decided),
        "award": None,
        "arrange": _dated(conn, count(arranged)),
        "inform": count(informed),
        # A family reached: contact details fixed, or a letter posted to a family no
        # email or text could reach.
        "reach": count(fixed) + posted_between(conn, start, end),
    }


def _dated(conn: Connection, arranged: int) -> int | None:
    if arranged:
        return arranged
    some = conn.execute(
        select(Arrangement.id).where(Arrangement.arranged_on.is_not(None)).limit(1)
    ).first()
    return 0 if some is not None else None
