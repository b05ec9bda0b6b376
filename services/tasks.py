"""The team's tasks: list them, mark one done (audited). The nightly run opens and closes
them (services/renewals.py)."""

from __future__ import annotations

from services.app import App
from transport.db.queries import tasks as store
from transport.db.queries.record import has_pupil, has_school
from transport.db.queries.tasks import TaskRow
from transport.errors import UsageError


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
        if pupil_ref is not None and not has_pupil(conn, pupil_ref):
            raise UsageError(f"--pupil {pupil_ref}: the record holds no pupil with that reference")
        if school_urn is not None and not has_school(conn, school_urn):
            raise UsageError(f"--school {school_urn}: the record holds no school with that URN")
        return store.list_tasks(
            conn, status=status, kind=kind, pupil_ref=pupil_ref, school_urn=school_urn
        )


def mark_done(app: App, task_id: int, *, by: str, note: str) -> None:
    store.mark_done(app.ready().engine, task_id, by=by, note=note, now=app.clock.now())
