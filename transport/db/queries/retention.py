"""Retention in the database: settled messages redacted to their metadata, and pupils who
left long ago purged with everything about them. Set-based: one statement per table, each
selecting its rows by a subquery of the pupils purged (no query per row), so a run costs
the same few statements at any size. Each step counts (a dry run) or changes (``apply``)
the very rows its condition selects, so a dry run's figures are the run's.

Purged with a pupil: their contact links, awards, applications (and the engine's
assessments of them), arrangements, reminder steps, tasks and risk snapshot rows; their
contacts linked to no remaining pupil, with the messages to them; and messages to a
contact who stays (a brother's or sister's) that are only about purged pupils. A message
to a contact who stays about a remaining child as well is kept, without the purged
pupil's reference. The audit log is not changed (it is append-only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, exists, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from transport.db.dialect import chunks
from transport.db.tables import (
    Application,
    ApplicationAssessment,
    Arrangement,
    Award,
    Contact,
    InboundMessage,
    OutboxMessage,
    Pupil,
    PupilContact,
    ReminderStep,
    RiskSnapshot,
    Task,
    table_of,
)
from transport.domain.retention import Cutoffs, LeaverCount, leaver_counts
from transport.vocabulary import OutboxStatus

PUPILS = table_of(Pupil)
LINKS = table_of(PupilContact)
CONTACTS = table_of(Contact)
OUTBOX = table_of(OutboxMessage)
APPLICATIONS = table_of(Application)
ASSESSMENTS = table_of(ApplicationAssessment)
INBOUND = table_of(InboundMessage)
TASKS = table_of(Task)
LEFT = "left"
# A message still on its way keeps its bodies (the dispatcher needs them); it is redacted
# once settled.
PENDING = (
    OutboxStatus.QUEUED,
    OutboxStatus.SENDING,
    OutboxStatus.FAILED_TEMPORARY,
    OutboxStatus.UNKNOWN,
)
# The tables whose rows are about one pupil (by pupil_ref), in the order they go.
BY_PUPIL: tuple[Table, ...] = tuple(
    table_of(model)
    for model in (Task, ReminderStep, Award, Arrangement, RiskSnapshot, PupilContact)
)


@dataclass
class PurgeCounts:
    """What a purge removes (or would), table by table; and, anonymous, how many pupils
    by school and academic year of leaving."""

    pupils: int = 0
    leavers: list[LeaverCount] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    refs_dropped: int = 0  # kept messages no longer naming a purged pupil

    def as_dict(self) -> dict[str, Any]:
        return {
            "pupils": self.pupils,
            "by_school_and_year_left": [c.as_dict() for c in self.leavers],
            "rows": dict(self.rows),
            "messages_refs_dropped": self.refs_dropped,
        }


def redact_messages(conn: Connection, before: datetime, *, now: datetime, apply: bool) -> int:
    """Settled messages created before ``before`` and not yet redacted: redact them to
    their metadata (``apply``) or count them."""
    where = (
        OUTBOX.c.redacted_at.is_(None),
        OUTBOX.c.created_at < before,
        OUTBOX.c.status.not_in(PENDING),
    )
    if not apply:
        return int(conn.execute(select(func.count()).where(*where)).scalar_one())
    result = conn.execute(
        update(OUTBOX)
        .where(*where)
        .values(
            subject=None,
            body_text="",
            body_html=None,
            to_address="",
            context={},
            error_message=None,
            redacted_at=now,
        )
    )
    return int(result.rowcount)


def purged_pupils(left_before: date) -> Select[Any]:
    return select(PUPILS.c.pupil_ref).where(PUPILS.c.status == LEFT, PUPILS.c.left_on < left_before)


def purged_contacts(left_before: date) -> Select[Any]:
    """Contacts of purged pupils linked to no pupil who stays."""
    gone = purged_pupils(left_before)
    other = LINKS.alias("other")
    stays = exists().where(other.c.contact_id == LINKS.c.contact_id, other.c.pupil_ref.not_in(gone))
    return select(LINKS.c.contact_id).where(LINKS.c.pupil_ref.in_(gone), ~stays).distinct()


def purge(conn: Connection, cutoffs: Cutoffs, *, apply: bool) -> PurgeCounts:
    """Purge (``apply``) or count the pupils left before ``cutoffs.left_before``."""
    before = cutoffs.left_before
    gone = purged_pupils(before)
    counts = PurgeCounts()
    by_day = select(PUPILS.c.school_urn, PUPILS.c.left_on, func.count()).where(
        PUPILS.c.pupil_ref.in_(gone)
    )
    rows = conn.execute(by_day.group_by(PUPILS.c.school_urn, PUPILS.c.left_on)).all()
    counts.leavers = leaver_counts((urn, left_on, int(n)) for urn, left_on, n in rows)
    counts.pupils = sum(c.pupils for c in counts.leavers)
    if not counts.pupils:
        return counts
    contact_ids = sorted(conn.execute(purged_contacts(before)).scalars())
    rows_of = counts.rows
    # Messages first (they refer to contacts): to purged contacts, then those to contacts
    # who stay that are about purged pupils only.
    to_gone = OUTBOX.c.contact_id.in_(purged_contacts(before))
    if apply:
        _unlink_fallbacks(conn, select(OUTBOX.c.id).where(to_gone))
    rows_of["outbox"] = _remove(conn, OUTBOX, to_gone, apply)
    deleted, rewritten = _messages_about_gone(conn, before)
    rows_of["outbox"] += len(deleted)
    counts.refs_dropped = len(rewritten)
    if apply:
        _drop_messages(conn, deleted, rewritten)
    applications = APPLICATIONS.c.pupil_ref.in_(gone)
    rows_of[ASSESSMENTS.name] = _remove(
        conn,
        ASSESSMENTS,
        ASSESSMENTS.c.application_ref.in_(
            select(APPLICATIONS.c.application_ref).where(applications)
        ),
        apply,
    )
    rows_of[APPLICATIONS.name] = _remove(conn, APPLICATIONS, applications, apply)
    for table in BY_PUPIL:
        rows_of[table.name] = _remove(conn, table, table.c.pupil_ref.in_(gone), apply)
    # What the purged contacts sent us, and the tasks about them (read_reply).
    for table in (INBOUND, TASKS):
        removed = sum(
            _remove(conn, table, table.c.contact_id.in_(chunk), apply)
            for chunk in chunks(contact_ids)
        )
        if removed:
            rows_of[table.name] = rows_of.get(table.name, 0) + removed
    rows_of[CONTACTS.name] = len(contact_ids)
    if apply:
        for chunk in chunks(contact_ids):
            conn.execute(delete(CONTACTS).where(CONTACTS.c.id.in_(chunk)))
        conn.execute(delete(PUPILS).where(PUPILS.c.status == LEFT, PUPILS.c.left_on < before))
    return counts


def _remove(conn: Connection, table: Table, where: ColumnElement[bool], apply: bool) -> int:
    if apply:
        return int(conn.execute(delete(table).where(where)).rowcount)
    return int(conn.execute(select(func.count()).select_from(table).where(where)).scalar_one())


def _unlink_fallbacks(conn: Connection, ids: Select[Any] | Sequence[int]) -> None:
    """A message re-sent by the other channel refers to the first one: unlink it first."""
    conn.execute(update(OUTBOX).where(OUTBOX.c.fallback_of.in_(ids)).values(fallback_of=None))


def _messages_about_gone(conn: Connection, before: date) -> tuple[list[int], list[dict[str, Any]]]:
    """Messages to contacts who stay, naming a purged pupil: those naming only purged
    pupils (to delete), and the others with the purged references taken out. Few: a
    family with a child who stays and one purged. The pupil references are JSON, read here."""
    gone = purged_pupils(before)
    linked = select(LINKS.c.contact_id).where(LINKS.c.pupil_ref.in_(gone))
    stmt = select(OUTBOX.c.id, OUTBOX.c.pupil_refs).where(
        OUTBOX.c.contact_id.in_(linked), OUTBOX.c.contact_id.not_in(purged_contacts(before))
    )
    candidates = conn.execute(stmt).all()
    if not candidates:
        return [], []
    named = sorted({ref for _, refs in candidates for ref in refs or ()})
    purged: set[str] = set()
    for chunk in chunks(named):
        purged.update(conn.execute(gone.where(PUPILS.c.pupil_ref.in_(chunk))).scalars())
    deleted: list[int] = []
    rewritten: list[dict[str, Any]] = []
    for message_id, refs in candidates:
        kept = [ref for ref in refs or () if ref not in purged]
        if not kept:
            deleted.append(message_id)
        elif len(kept) < len(refs):
            rewritten.append({"m_id": message_id, "refs": kept})
    return deleted, rewritten


def _drop_messages(conn: Connection, deleted: list[int], rewritten: list[dict[str, Any]]) -> None:
    for chunk in chunks(deleted):
        _unlink_fallbacks(conn, chunk)
        conn.execute(delete(OUTBOX).where(OUTBOX.c.id.in_(chunk)))
    if rewritten:
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("m_id"))
            .values(pupil_refs=bindparam("refs")),
            rewritten,
        )
