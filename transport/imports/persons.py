"""The persons of contacts.csv (rows of ``contacts``, shared by siblings): who a row names,
and the import's reads and writes of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from transport.db.dialect import among_values
from transport.db.tables import Contact, table_of
from transport.imports.upsert import among, insert_rows, reserve_ids

CONTACTS = table_of(Contact)

ADDRESS_PARTS = ("address_line_1", "address_line_2", "address_line_3", "town", "postcode")
# A person's own values besides the name and the identity: written by the first row of an
# import that names them.
PERSON_VALUES = ("preferred_channel", "landline", *ADDRESS_PARTS)


# What the import knows of a stored person (``read_persons``).
FOUND = ("identity", "id", "name", *PERSON_VALUES, "do_not_contact")


def identity(
    name: str,
    email: str | None,
    mobile: str | None,
    landline: str | None = None,
    postcode: str | None = None,
) -> str:
    """Who a row names: the name with the email and mobile; for a person with neither
    (reached by landline or post), the landline and postcode too, so that two such people
    of the same name in different homes stay two people."""
    key = f"{name.casefold()}|{(email or '').casefold()}|{mobile or ''}"
    if not email and not mobile:
        key += f"|{landline or ''}|{postcode or ''}"
    return key


def identity_of(row: dict[str, Any]) -> str:
    return identity(
        row["name"], row["email"], row["mobile"], row.get("landline"), row.get("postcode")
    )


def add_persons(conn: Connection, persons: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Write new persons; each, with its id, as ``read_persons`` gives it. On PostgreSQL
    the ids are taken from the table's sequence first, so the persons need not be
    read back to learn them."""
    if conn.dialect.name != "postgresql":
        insert_rows(conn, CONTACTS, persons)
        return read_persons(conn, {person["identity"] for person in persons})
    for person, person_id in zip(persons, reserve_ids(conn, CONTACTS, len(persons)), strict=True):
        person["id"] = person_id
    insert_rows(conn, CONTACTS, persons)
    return {person["identity"]: {key: person[key] for key in FOUND} for person in persons}


def read_persons(conn: Connection, identities: set[str]) -> dict[str, dict[str, Any]]:
    if not identities:
        return {}
    stmt = select(*(CONTACTS.c[name] for name in FOUND)).where(
        among(conn, [CONTACTS.c.identity], [(i,) for i in identities])
    )
    return {
        row.identity: dict(row._mapping) for row in conn.execute(stmt) if row.identity in identities
    }


def persons_by_id(conn: Connection, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    stmt = select(CONTACTS).where(among_values(conn, CONTACTS.c.id, sorted(ids)))
    return {row.id: dict(row._mapping) for row in conn.execute(stmt)}


def same_text(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.casefold() == b.casefold())


def same_address(before: dict[str, Any], row: dict[str, Any]) -> bool:
    return all(before[part] == row.get(part) for part in ADDRESS_PARTS)


def block_of(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "do_not_contact": True,
        "blocked_by": person["blocked_by"],
        "blocked_at": person["blocked_at"],
        "block_reason": person["block_reason"],
    }
