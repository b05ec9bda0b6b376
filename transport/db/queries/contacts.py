"""The contacts aggregate: find a person by id, email or mobile; block and unblock them
(safeguarding); list them with their pupils; cancel the messages a block or a detachment
makes wrong to send."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, insert, or_, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from transport.audit import AuditContext
from transport.db.dialect import chunks
from transport.db.queries.renewals import mark_steps_cancelled
from transport.db.tables import AuditEvent, Contact, OutboxMessage, PupilContact, table_of
from transport.vocabulary import OutboxStatus

OUTBOX = table_of(OutboxMessage)
CONTACTS = table_of(Contact)
# Not yet sent, so still stoppable.
CANCELLABLE = (OutboxStatus.QUEUED, OutboxStatus.FAILED_TEMPORARY)


def cancel_messages(
    conn: Connection, contact_ids: Sequence[int], *, audit: AuditContext, why: str
) -> list[int]:
    """Cancel every not-yet-sent message to these contacts (audited); their ids."""
    cancelled: list[int] = []
    ids = sorted(set(contact_ids))
    for chunk in chunks(ids):
        result = conn.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.contact_id.in_(chunk),
                OUTBOX.c.status.in_(CANCELLABLE),
            )
            .values(status=OutboxStatus.CANCELLED, updated_at=audit.at, error_message=why)
            .returning(OUTBOX.c.id)
        )
        cancelled.extend(result.scalars())
    _audit_cancelled(conn, sorted(cancelled), audit, why)
    return cancelled


def pupils_detached(
    conn: Connection, pairs: Iterable[tuple[int, str]], *, audit: AuditContext
) -> list[int]:
    """(contact, pupil) links just removed: cancel the not-yet-sent messages to that
    contact that name that pupil (audited); their ids."""
    by_contact: dict[int, set[str]] = defaultdict(set)
    for contact_id, pupil_ref in pairs:
        by_contact[contact_id].add(pupil_ref)
    ids = sorted(by_contact)
    doomed: list[int] = []
    for chunk in chunks(ids):
        rows = conn.execute(
            select(OUTBOX.c.id, OUTBOX.c.contact_id, OUTBOX.c.pupil_refs).where(
                OUTBOX.c.contact_id.in_(chunk),
                OUTBOX.c.status.in_(CANCELLABLE),
            )
        )
        doomed.extend(
            row.id for row in rows if by_contact[row.contact_id] & set(row.pupil_refs or ())
        )
    why = "the contact was removed for a pupil it names"
    for chunk in chunks(doomed):
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(chunk), OUTBOX.c.status.in_(CANCELLABLE))
            .values(status=OutboxStatus.CANCELLED, updated_at=audit.at, error_message=why)
        )
    _audit_cancelled(conn, doomed, audit, why)
    return doomed


def _audit_cancelled(conn: Connection, ids: Sequence[int], audit: AuditContext, why: str) -> None:
    if ids:
        events = [audit.event("cancel", OUTBOX.name, (i,), {"reason": why}) for i in ids]
        conn.execute(insert(table_of(AuditEvent)), events)
        # A ladder step none of whose messages goes any more is not sent: it goes again,
        # to the household's current contacts (issue 23, item 5).
        mark_steps_cancelled(conn, ids)


def find(
    conn: Connection, *, contact_id: int | None, email: str | None, mobile: str | None
) -> list[int]:
    """The ids of the persons with this id, or this email (any case), or this mobile."""
    if contact_id is not None:
        where = CONTACTS.c.id == contact_id
    elif email is not None:
        where = func.lower(CONTACTS.c.email) == email.lower()
    else:
        where = CONTACTS.c.mobile == mobile
    return list(conn.execute(select(CONTACTS.c.id).where(where).order_by(CONTACTS.c.id)).scalars())


def block(
    conn: Connection, ids: Sequence[int], *, audit: AuditContext, reason: str
) -> tuple[list[int], list[int]]:
    """Block these persons (from now); returns (newly blocked, messages cancelled)."""
    newly = list(
        conn.execute(
            update(CONTACTS)
            .where(CONTACTS.c.id.in_(list(ids)), CONTACTS.c.do_not_contact.is_(False))
            .values(
                do_not_contact=True,
                blocked_by=audit.actor,
                blocked_at=audit.at,
                block_reason=reason,
            )
            .returning(CONTACTS.c.id)
        ).scalars()
    )
    for contact_id in ids:
        detail = {"reason": reason, "already_blocked": contact_id not in newly}
        audit.record(conn, "block", CONTACTS.name, (contact_id,), detail)
    cancelled = cancel_messages(conn, ids, audit=audit, why="contact blocked")
    return sorted(newly), cancelled


def unblock(conn: Connection, ids: Sequence[int], *, audit: AuditContext, reason: str) -> list[int]:
    """Lift the block of these persons; returns those that were blocked."""
    rows = conn.execute(
        select(
            CONTACTS.c.id, CONTACTS.c.blocked_by, CONTACTS.c.blocked_at, CONTACTS.c.block_reason
        ).where(CONTACTS.c.id.in_(list(ids)), CONTACTS.c.do_not_contact.is_(True))
    ).all()
    lifted = [row.id for row in rows]
    if lifted:
        conn.execute(
            update(CONTACTS)
            .where(CONTACTS.c.id.in_(lifted))
            .values(do_not_contact=False, blocked_by=None, blocked_at=None, block_reason=None)
        )
    for row in rows:
        detail = {
            "reason": reason,
            "was_blocked_by": row.blocked_by,
            "was_blocked_at": row.blocked_at.isoformat() if row.blocked_at else None,
            "was_block_reason": row.block_reason,
        }
        audit.record(conn, "unblock", CONTACTS.name, (row.id,), detail)
    return lifted


@dataclass(frozen=True)
class ContactRow:
    """A person as the team sees them (the keys of `contacts list --format json`)."""

    id: int
    name: str
    email: str | None
    mobile: str | None
    preferred_channel: str
    pupils: tuple[str, ...]
    blocked: bool
    blocked_by: str | None
    blocked_at: datetime | None
    block_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "mobile": self.mobile,
            "preferred_channel": self.preferred_channel,
            "pupils": " ".join(self.pupils),
            "blocked": self.blocked,
            "blocked_by": self.blocked_by,
            "blocked_at": self.blocked_at.isoformat() if self.blocked_at else None,
            "block_reason": self.block_reason,
        }


def list_contacts(
    conn: Connection,
    *,
    pupil_ref: str | None,
    blocked_only: bool = False,
    limit: int | None = None,
) -> tuple[list[ContactRow], int]:
    """Persons linked to a pupil (``pupil_ref``: that pupil's), or blocked (``blocked_only``:
    only those), by id: the first ``limit`` of them, and how many there are in all. Only
    the listed contacts' links are read, so a page of a county is quick."""
    linked = select(PupilContact.contact_id)
    where: ColumnElement[bool]
    if pupil_ref is not None:
        where = CONTACTS.c.id.in_(linked.where(PupilContact.pupil_ref == pupil_ref))
    elif blocked_only:
        where = CONTACTS.c.do_not_contact.is_(True)
    else:
        where = or_(CONTACTS.c.do_not_contact.is_(True), CONTACTS.c.id.in_(linked))
    if blocked_only and pupil_ref is not None:
        where = and_(where, CONTACTS.c.do_not_contact.is_(True))
    total = int(conn.execute(select(func.count()).select_from(CONTACTS).where(where)).scalar_one())
    stmt = select(CONTACTS).where(where).order_by(CONTACTS.c.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    found = conn.execute(stmt).all()
    pupils: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks([row.id for row in found]):
        links = select(PupilContact.contact_id, PupilContact.pupil_ref).where(
            PupilContact.contact_id.in_(chunk)
        )
        if pupil_ref is not None:
            links = links.where(PupilContact.pupil_ref == pupil_ref)
        for contact_id, ref in conn.execute(links.order_by(PupilContact.pupil_ref)):
            pupils[contact_id].append(ref)
    rows = [
        ContactRow(
            row.id,
            row.name,
            row.email,
            row.mobile,
            row.preferred_channel,
            tuple(pupils.get(row.id, ())),
            bool(row.do_not_contact),
            row.blocked_by,
            row.blocked_at,
            row.block_reason,
        )
        for row in found
    ]
    return rows, total


def name_key(name: str) -> str:
    """A person's name compared ignoring case and spaces ("JANE  smith" is Jane Smith)."""
    return "".join(name.split()).casefold()


@dataclass(frozen=True)
class Namesake:
    """A blocked contact who is, or was until a detachment, a given pupil's contact."""

    contact_id: int
    pupil_ref: str


def blocked_by_name(conn: Connection) -> dict[str, list[int]]:
    """Name key (case and spaces ignored) -> the blocked persons of that name. Blocks are
    few: an import reads them once, then adds those it blocks itself."""
    blocked: dict[str, list[int]] = defaultdict(list)
    # "= true", which the index of blocked contacts answers (migration 0017).
    stmt = select(CONTACTS.c.id, CONTACTS.c.name).where(CONTACTS.c.do_not_contact == true())
    for contact_id, name in conn.execute(stmt):
        blocked[name_key(name)].append(contact_id)
    return dict(blocked)


def blocked_namesakes(
    conn: Connection,
    wanted: Iterable[tuple[str, str]],
    blocked: Mapping[str, Sequence[int]],
    linking: Iterable[tuple[str, int]] = (),
) -> dict[tuple[str, str], Namesake]:
    """(pupil_ref, name_key) -> a blocked contact of that name (``blocked``: see
    ``blocked_by_name``) who is linked to that pupil or was detached from them (the
    detachment's audit event says so: the link itself is gone), or whom ``linking``
    (pupil_ref, contact id) is linking to them now. The pupils' links and detachments
    are read only for the names that match one.

    The blocked persons are not read here, once a chunk: during an import the planner
    has no statistics of the contacts it is writing, and at ten million pupils it read
    the whole table for them every chunk."""
    wanted = set(wanted)
    if not wanted or not blocked:
        return {}
    candidates = [(pupil, key, cid) for pupil, key in wanted for cid in blocked.get(key, ())]
    if not candidates:
        return {}
    ids = sorted({cid for _, _, cid in candidates})
    pupils = sorted({pupil for pupil, _, _ in candidates})
    # (pupil, contact) linked now, being linked, or detached before
    known: set[tuple[str, int]] = {(pupil, cid) for pupil, cid in linking if pupil in pupils}
    for chunk in chunks(pupils):
        links = select(PupilContact.pupil_ref, PupilContact.contact_id).where(
            PupilContact.pupil_ref.in_(chunk), PupilContact.contact_id.in_(ids)
        )
        known.update((pupil, int(cid)) for pupil, cid in conn.execute(links))
    for pupil in pupils:  # few: one index probe each on the audit key "pupil_ref/..."
        detached = select(AuditEvent.detail).where(
            AuditEvent.action == "detach",
            AuditEvent.entity == table_of(PupilContact).name,
            AuditEvent.entity_key > f"{pupil}/",
            AuditEvent.entity_key < f"{pupil}0",
        )
        for (detail,) in conn.execute(detached):
            contact_id = (detail or {}).get("contact_id")
            if isinstance(contact_id, int):
                known.add((pupil, contact_id))
    found: dict[tuple[str, str], Namesake] = {}
    for pupil, key, cid in sorted(candidates):
        if (pupil, cid) in known:
            found.setdefault((pupil, key), Namesake(cid, pupil))
    return found


def unblocked_namesakes_beside(
    conn: Connection, contact_id: int, key: str
) -> list[tuple[str, int]]:
    """(pupil_ref, contact id) of each unblocked contact, other than ``contact_id``, of
    a name with the name key ``key`` linked to a pupil ``contact_id`` is linked to."""
    theirs = select(PupilContact.pupil_ref).where(PupilContact.contact_id == contact_id)
    stmt = (
        select(PupilContact.pupil_ref, CONTACTS.c.id, CONTACTS.c.name)
        .join(CONTACTS, CONTACTS.c.id == PupilContact.contact_id)
        .where(
            PupilContact.pupil_ref.in_(theirs),
            CONTACTS.c.id != contact_id,
            CONTACTS.c.do_not_contact == false(),
        )
        .order_by(PupilContact.pupil_ref, CONTACTS.c.id)
    )
    return [(pupil, int(cid)) for pupil, cid, name in conn.execute(stmt) if name_key(name) == key]


def ever_unblocked(conn: Connection, contact_ids: Iterable[int]) -> set[int]:
    """The persons whose block `transport contacts unblock` lifted at some time: a team
    that lifted one has decided, and an import does not block them again by name."""
    keys = sorted({str(cid) for cid in contact_ids})
    found: set[int] = set()
    for chunk in chunks(keys):
        stmt = select(AuditEvent.entity_key).where(
            AuditEvent.action == "unblock",
            AuditEvent.entity == CONTACTS.name,
            AuditEvent.entity_key.in_(chunk),
        )
        found.update(int(key) for (key,) in conn.execute(stmt) if key)
    return found


def bounced_since(conn: Connection, since: datetime, *, code: str | None = None) -> list[int]:
    """The persons whose email is marked bounced by a message that failed for good since
    ``since`` (its error, when ``code`` is given, carrying that enhanced status code:
    "5.7" is 5.7.0, 5.7.1 ...), by id."""
    failed = (
        select(OUTBOX.c.contact_id, OUTBOX.c.error_message)
        .join(CONTACTS, CONTACTS.c.id == OUTBOX.c.contact_id)
        .where(
            CONTACTS.c.email_status == "bounced",
            OUTBOX.c.channel == "email",
            OUTBOX.c.status == OutboxStatus.FAILED_PERMANENT,
            OUTBOX.c.updated_at >= since,
        )
    )
    wanted = None if code is None else re.compile(rf"(?<![\d.]){re.escape(code)}(?![\d])")
    return sorted(
        {
            int(contact_id)
            for contact_id, error in conn.execute(failed)
            if wanted is None or wanted.search(error or "")
        }
    )


def clear_bounces(
    conn: Connection, contact_ids: Sequence[int], *, audit: AuditContext, detail: dict[str, Any]
) -> list[int]:
    """Mark these persons' email usable again (only a `bounced` mark moves; a mobile's
    opt-out or invalid mark is never touched), each audited; those that changed."""
    changed: list[int] = []
    for chunk in chunks(sorted(set(contact_ids))):
        changed.extend(
            conn.execute(
                update(CONTACTS)
                .where(CONTACTS.c.id.in_(chunk), CONTACTS.c.email_status == "bounced")
                .values(email_status="ok", status_changed_at=audit.at)
                .returning(CONTACTS.c.id)
            ).scalars()
        )
    if changed:
        conn.execute(
            insert(table_of(AuditEvent)),
            [
                audit.event(
                    "reset_status",
                    CONTACTS.name,
                    (contact_id,),
                    {**detail, "email_status": ["bounced", "ok"]},
                )
                for contact_id in sorted(changed)
            ],
        )
    return sorted(changed)
