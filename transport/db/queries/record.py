"""What the record as a whole can say of itself: when it was last imported, and whether
it holds a given school or pupil."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from transport.db.tables import AuditEvent, Contact, Pupil, School


def last_import_at(conn: Connection) -> datetime | None:
    """When a bundle was last imported (written, not a dry run), or None if never."""
    found: datetime | None = conn.execute(
        select(AuditEvent.at)
        .where(AuditEvent.action == "import", AuditEvent.entity == "bundle")
        .order_by(AuditEvent.at.desc())
        .limit(1)
    ).scalar()
    return found


# The files that change a child's risk: an import that carried rows of one of them
# refreshes the record's age; schools, terms, closures or contacts alone do not.
CHILDREN_FILES = frozenset({"pupils.csv", "awards.csv", "applications.csv"})


def children_imported_at(conn: Connection, *, page: int = 50) -> datetime | None:
    """When an import last carried rows of pupils.csv, awards.csv or applications.csv
    (the record's age, risk-check.md), or None if none ever did. Read from the imports'
    audit events, newest first, a page at a time: each event's counts say which files it
    carried (a header-only file carried none)."""
    offset = 0
    while True:
        rows = conn.execute(
            select(AuditEvent.at, AuditEvent.detail)
            .where(AuditEvent.action == "import", AuditEvent.entity == "bundle")
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .offset(offset)
            .limit(page)
        ).all()
        for at, detail in rows:
            files = (detail or {}).get("files") or []
            if any(f.get("file") in CHILDREN_FILES and f.get("rows") for f in files):
                found: datetime = at
                return found
        if len(rows) < page:
            return None
        offset += page


def has_school(conn: Connection, urn: str) -> bool:
    return conn.execute(select(School.urn).where(School.urn == urn)).first() is not None


def has_pupil(conn: Connection, pupil_ref: str) -> bool:
    found = conn.execute(select(Pupil.pupil_ref).where(Pupil.pupil_ref == pupil_ref)).first()
    return found is not None


def has_contact(conn: Connection, contact_id: int) -> bool:
    return conn.execute(select(Contact.id).where(Contact.id == contact_id)).first() is not None
