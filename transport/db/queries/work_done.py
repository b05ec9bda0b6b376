"""How much of each stage's work the team did in a window, measured from the record:
applications received (chase), decided (decide), families told their route (inform),
contacts fixed (reach). The record does not date awards or arrangements, so those
stages' pace is unknown (None)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

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
        "arrange": None,
        "inform": count(informed),
        "reach": count(fixed),
    }
