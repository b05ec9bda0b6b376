"""The team's tasks: list them, mark one done (audited). The nightly run opens and closes
them (services/renewals.py)."""

from __future__ import annotations

from services.app import App
from transport.db.queries import tasks as store
from transport.db.queries.tasks import TaskRow


def list_tasks(app: App, *, status: str | None, kind: str | None) -> list[TaskRow]:
    with app.ready().engine.connect() as conn:
        return store.list_tasks(conn, status=status, kind=kind)


def mark_done(app: App, task_id: int, *, by: str, note: str) -> None:
    store.mark_done(app.ready().engine, task_id, by=by, note=note, now=app.clock.now())
