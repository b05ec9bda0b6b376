"""Every filter that names a key (--pupil, --school, --contact), in every command, names
one the record holds: an unknown key is a usage error naming it (exit 2), never an empty
list that reads as "nothing here"."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from transport.db.queries.record import has_contact, has_pupil, has_school
from transport.errors import UsageError


def known_keys(
    conn: Connection,
    *,
    pupil_ref: str | None = None,
    school_urn: str | None = None,
    contact_id: int | None = None,
) -> None:
    """Raise a UsageError naming the first key given that the record does not hold."""
    if pupil_ref is not None and not has_pupil(conn, pupil_ref):
        raise UsageError(f"--pupil {pupil_ref}: the record holds no pupil with that reference")
    if school_urn is not None and not has_school(conn, school_urn):
        raise UsageError(f"--school {school_urn}: the record holds no school with that URN")
    if contact_id is not None and not has_contact(conn, contact_id):
        raise UsageError(f"--contact {contact_id}: the record holds no contact with that id")
