"""contacts.csv: each row links a pupil to a person. The person (shared by siblings)
is one row of ``contacts``, found by name, email and mobile together."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from transport.audit import AuditContext
from transport.db.tables import Contact, PupilContact, table_of
from transport.imports.upsert import Counts, among, upsert


def identity(name: str, email: str | None, mobile: str | None) -> str:
    return f"{name.casefold()}|{(email or '').casefold()}|{mobile or ''}"


def upsert_contacts(
    conn: Connection, rows: list[dict[str, Any]], *, audit: AuditContext, fresh: bool = False
) -> Counts:
    people: dict[str, dict[str, Any]] = {}
    for row in rows:
        row_identity = identity(row["name"], row["email"], row["mobile"])
        people[row_identity] = {
            "identity": row_identity,
            "name": row["name"],
            "email": row["email"],
            "mobile": row["mobile"],
            "preferred_channel": row["preferred_channel"],
        }
    persons = upsert(conn, table_of(Contact), ("identity",), list(people.values()), audit=audit)
    key = table_of(Contact).c.identity
    stmt = select(Contact.identity, Contact.id).where(among(conn, [key], [(i,) for i in people]))
    ids = {row_identity: contact_id for row_identity, contact_id in conn.execute(stmt).all()}
    links = [
        {
            "pupil_ref": row["pupil_ref"],
            "name": row["name"],
            "relationship": row["relationship"],
            "contact_id": ids[identity(row["name"], row["email"], row["mobile"])],
        }
        for row in rows
    ]
    outcome = upsert(
        conn, table_of(PupilContact), ("pupil_ref", "name"), links, audit=audit, fresh=fresh
    )
    # A row whose link is as before but whose person changed (a new preferred channel,
    # say) was updated too.
    people_changed = {ids[key[0]] for key in persons.updated}
    touched = {key for key in outcome.added | outcome.updated}
    moved = sum(
        1
        for link in links
        if link["contact_id"] in people_changed and (link["pupil_ref"], link["name"]) not in touched
    )
    counts = outcome.counts
    counts.updated += moved
    counts.unchanged -= moved
    return counts
