"""The audit log, read (never changed): events newest first, filtered by what they are
about, when, who and what. The events about one child are found by key (an index probe
on ``entity_key``), as one child's story reads them: the child's own ref, their awards'
and applications' refs, and the range ``pupil_ref/...`` (contact links, arrangements,
and the awards and applications that `import --complete` removed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from transport.db.queries.decisions import award_ref_of
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
    (``keys``; see ``about_child``), everything keyed ``pupil_ref/...`` (contact links,
    arrangements, removed awards and applications), and, entity by entity, their
    contacts, tasks and messages (``by_entity``: ids are only unique within an entity)."""

    pupil_ref: str
    keys: list[str]
    by_entity: dict[str, list[str]] = field(default_factory=dict)

    def clause(self) -> ColumnElement[bool]:
        about = [AuditEvent.entity_key.in_(self.keys), _under(self.pupil_ref)]
        about += [
            and_(AuditEvent.entity == entity, AuditEvent.entity_key.in_(ids))
            for entity, ids in self.by_entity.items()
            if ids
        ]
        return or_(*about)


# Rows whose removal is audited under "pupil_ref/ref" (transport/imports/removals.py).
REMOVED_UNDER_PUPIL = ("awards", "applications")


def about_child(
    conn: Connection,
    pupil_ref: str,
    awards: list[str],
    applications: list[str],
    by_entity: dict[str, list[str]],
) -> About:
    """What the child's events are about, given their awards and applications stored
    today. Those an import removed are found by their removal events (keyed
    ``pupil_ref/ref``, in the child's range: one index probe), so that the events before
    the removal, keyed ``ref``, are found too. An application's award made here
    (``REF-A``) is looked for even when it is gone (an approval undone before the award
    began removes it)."""
    gone = conn.execute(
        select(AuditEvent.entity, AuditEvent.entity_key).where(
            _under(pupil_ref),
            AuditEvent.action == "remove",
            AuditEvent.entity.in_(REMOVED_UNDER_PUPIL),
        )
    )
    refs = {"awards": set(awards), "applications": set(applications)}
    for entity, key in gone:
        refs[entity].add(str(key)[len(pupil_ref) + 1 :])
    made_here = {award_ref_of(ref) for ref in refs["applications"]}
    keys = [pupil_ref, *sorted(refs["awards"] | made_here), *sorted(refs["applications"])]
    return About(pupil_ref, keys, by_entity)


def _under(pupil_ref: str) -> ColumnElement[bool]:
    """Keys "pupil_ref/...": a range, so the index serves it."""
    return and_(AuditEvent.entity_key > f"{pupil_ref}/", AuditEvent.entity_key < f"{pupil_ref}0")


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
