"""What the record as a whole can say of itself: when it was last imported, and whether
it holds a given school or pupil."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from transport.db.tables import AuditEvent, Pupil, School


def last_import_at(conn: Connection) -> datetime | None:
    """When a bundle was last imported (written, not a dry run), or None if never."""
    found: datetime | None = conn.execute(
        select(AuditEvent.at)
        .where(AuditEvent.action == "import", AuditEvent.entity == "bundle")
        .order_by(AuditEvent.at.desc())
        .limit(1)
    ).scalar()
    return found


def has_school(conn: Connection, urn: str) -> bool:
    return conn.execute(select(School.urn).where(School.urn == urn)).first() is not None


def has_pupil(conn: Connection, pupil_ref: str) -> bool:
    found = conn.execute(select(Pupil.pupil_ref).where(Pupil.pupil_ref == pupil_ref)).first()
    return found is not None
