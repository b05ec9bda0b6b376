"""The team's tasks: list them, mark one done (audited). The nightly run opens and closes
them (services/renewals.py)."""

from __future__ import annotations

from services.app import App
from services.keys import known_keys
from transport.db.queries import tasks as store
from transport.db.queries.tasks import TaskRow


def list_tasks(
    app: App,
    *,
    status: str | None,
    kind: str | None,
    pupil_ref: str | None = None,
    school_urn: str | None = None,
) -> list[TaskRow]:
    """The tasks, most urgent first; a pupil or school the record does not hold is a
    usage error, not an empty list."""
    with app.ready().engine.connect() as conn:
        keys = known_keys(conn, pupil_ref=pupil_ref, school_urn=school_urn)
        return store.list_tasks(
            conn, status=status, kind=kind, pupil_ref=keys.pupil_ref, school_urn=keys.school_urn
        )


def mark_done(app: App, task_id: int, *, by: str, note: str) -> None:
    store.mark_done(app.ready().engine, task_id, by=by, note=note, now=app.clock.now())
