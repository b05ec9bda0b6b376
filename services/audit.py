"""Read the audit log (it is never changed here): newest first, the events about one
child, since a day, by one actor, of one action."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.engine import Connection

from services.app import App
from services.keys import pupil_key
from transport.clock import LONDON
from transport.db.queries import pupil as child_store
from transport.db.queries.audit import About, AuditLine, about_child, events


def read_audit(
    app: App,
    *,
    pupil_ref: str | None = None,
    since: date | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[AuditLine]:
    """``since``: from the start of that day, UK time."""
    start = None if since is None else datetime.combine(since, time.min, tzinfo=LONDON)
    with app.ready().engine.connect() as conn:
        about = None if pupil_ref is None else _about(conn, pupil_ref)
        return events(conn, about=about, since=start, actor=actor, action=action, limit=limit)


def _about(conn: Connection, given: str) -> About:
    pupil_ref = pupil_key(conn, given)
    contacts = child_store.contacts(conn, pupil_ref)
    messages = child_store.messages(conn, pupil_ref, [c.contact_id for c in contacts])
    return about_child(
        conn,
        pupil_ref,
        [a.award_ref for a in child_store.awards(conn, pupil_ref)],
        [a.application_ref for a in child_store.applications(conn, pupil_ref)],
        {
            "contacts": [str(c.contact_id) for c in contacts],
            "tasks": [str(t.id) for t in child_store.tasks(conn, pupil_ref)],
            "outbox": [str(m.id) for m in messages],
        },
    )
