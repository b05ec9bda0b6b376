"""The audit log, read (never changed): events newest first, filtered by what they are
about, when, who and what. The events about one child are found by key (an index probe
on ``entity_key``), as one child's story reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from transport.db.tables import AuditEvent


class AuditLine(NamedTuple):
    at: datetime
    actor: str
    action: str
    entity: str
    entity_key: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class About:
    """What a child's events are about: the child and their awards and applications
    (``keys``), their contact links (``pupil_ref/...``), and, entity by entity, their
    contacts, tasks and messages (``by_entity``: ids are only unique within an entity)."""

    pupil_ref: str
    keys: list[str]
    by_entity: dict[str, list[str]] = field(default_factory=dict)

    def clause(self) -> ColumnElement[bool]:
        ref = self.pupil_ref
        about = [
            AuditEvent.entity_key.in_(self.keys),
            # "P1/..." (a contact row's key): a range, so the index serves it
            and_(AuditEvent.entity_key > f"{ref}/", AuditEvent.entity_key < f"{ref}0"),
        ]
        about += [
            and_(AuditEvent.entity == entity, AuditEvent.entity_key.in_(ids))
            for entity, ids in self.by_entity.items()
            if ids
        ]
        return or_(*about)


def events(
    conn: Connection,
    *,
    about: About | None = None,
    since: datetime | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[AuditLine]:
    """Events newest first; ``since`` inclusive; ``actor`` and ``action`` exact."""
    stmt = select(
        AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.entity,
        AuditEvent.entity_key, AuditEvent.detail,
    )  # fmt: skip
    if about is not None:
        stmt = stmt.where(about.clause())
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if actor is not None:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        AuditLine(r.at, r.actor, r.action, r.entity, r.entity_key, dict(r.detail or {}))
        for r in conn.execute(stmt)
    ]
