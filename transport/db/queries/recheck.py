"""What a message about to go is checked against (notifications/recheck.py): its children
still active, still without an application for that year (a reminder), still linked to
the contact, and their arrangements as they stand now (transport details)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from transport.db.tables import (
    Application,
    Arrangement,
    OutboxMessage,
    Pupil,
    PupilContact,
    table_of,
)
from transport.vocabulary import ApplicationStatus, OutboxStatus

OUTBOX = table_of(OutboxMessage)


@dataclass
class Record:
    active: set[str] = field(default_factory=set)
    applied: set[tuple[str, int]] = field(default_factory=set)  # any status but withdrawn
    linked: set[tuple[int, str]] = field(default_factory=set)  # (contact, pupil)
    # (pupil, year) -> operator, route_ref, pickup_time (HH:MM), assistant, informed on,
    # informed by (a message of ours, or None: the council's export)
    arrangements: dict[tuple[str, int], tuple[Any, ...]] = field(default_factory=dict)


def read_record(conn: Connection, rows: Iterable[Any]) -> Record:
    """The record's present state for the children and contacts of these messages."""
    refs = sorted({ref for row in rows for ref in (row.pupil_refs or ())})
    contacts = sorted({row.contact_id for row in rows if row.contact_id is not None})
    found = Record()
    if not refs:
        return found
    found.active = set(
        conn.execute(
            select(Pupil.pupil_ref).where(Pupil.pupil_ref.in_(refs), Pupil.status == "active")
        ).scalars()
    )
    found.applied = {
        (ref, year)
        for ref, year in conn.execute(
            select(Application.pupil_ref, Application.academic_year).where(
                Application.pupil_ref.in_(refs),
                Application.status != ApplicationStatus.WITHDRAWN,
            )
        )
    }
    found.linked = {
        (contact, ref)
        for contact, ref in conn.execute(
            select(PupilContact.contact_id, PupilContact.pupil_ref).where(
                PupilContact.pupil_ref.in_(refs), PupilContact.contact_id.in_(contacts)
            )
        )
    }
    for row in conn.execute(select(Arrangement).where(Arrangement.pupil_ref.in_(refs))):
        pickup = row.pickup_time.strftime("%H:%M") if row.pickup_time else None
        found.arrangements[(row.pupil_ref, row.academic_year)] = (
            row.operator,
            row.route_ref,
            pickup,
            bool(row.passenger_assistant),
            row.family_informed_on,
            row.informed_by,
        )
    return found


def cancel_claimed(
    conn: Connection, cancelled: dict[int, str], token: str, *, now: datetime
) -> list[int]:
    """Cancel claimed messages, each with its reason; the ids cancelled."""
    done = []
    for message_id, why in cancelled.items():
        moved = conn.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.id == message_id,
                OUTBOX.c.status == OutboxStatus.SENDING,
                OUTBOX.c.claim_token == token,
            )
            .values(
                status=OutboxStatus.CANCELLED,
                attempts=OUTBOX.c.attempts - 1,
                claim_token=None,
                updated_at=now,
                error_message=why[:500],
            )
        ).rowcount
        if moved:
            done.append(message_id)
    return done


def rewrite_claimed(
    conn: Connection, message_id: int, token: str, *, now: datetime, **values: Any
) -> None:
    """A claimed message re-rendered from the record as it stands (its children, its
    text); it stays claimed."""
    conn.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == message_id, OUTBOX.c.claim_token == token)
        .values(updated_at=now, **values)
    )


def key_taken(conn: Connection, dedupe_key: str) -> bool:
    found = conn.execute(select(OUTBOX.c.id).where(OUTBOX.c.dedupe_key == dedupe_key)).first()
    return found is not None


def reread(conn: Connection, ids: Sequence[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in conn.execute(select(OUTBOX).where(OUTBOX.c.id.in_(list(ids))))}
