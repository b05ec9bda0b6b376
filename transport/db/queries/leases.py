"""Named leases in our own database: only one holder may act at a time (one active
scheduler per database), and a holder that dies loses the lease when it expires.

Each change is one short write transaction whose single statement decides the winner:
``INSERT ... ON CONFLICT (name) DO UPDATE ... WHERE <expired or ours>``. PostgreSQL
resolves racing upserts on the primary key itself; SQLite takes the write lock at BEGIN
(``writer``), so two processes can never both win on either database.

Times are passed in (``now``): the caller's clock decides what "expired" means.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Insert

from transport.db.dialect import insert_for
from transport.db.engine import writer
from transport.db.tables import Lease, table_of


class LeaseState(NamedTuple):
    holder: str
    expires_at: datetime


def new_holder_id() -> str:
    """``host:pid:random`` — names the process (for people) and is unique (for the lease)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class LeaseKeeper:
    """One process's hold on one lease: remembers how long it is ours, so work can stop
    when renewals fail (the database is away) before someone else may take over."""

    engine: Engine
    name: str
    ttl: timedelta
    now: Callable[[], datetime]
    holder: str = field(default_factory=new_holder_id)
    expires_at: datetime | None = None

    def acquire(self) -> bool:
        now = self.now()
        won = acquire(self.engine, self.name, self.holder, now=now, ttl=self.ttl)
        self.expires_at = now + self.ttl if won else None
        return won

    def renew(self) -> bool:
        now = self.now()
        kept = renew(self.engine, self.name, self.holder, now=now, ttl=self.ttl)
        self.expires_at = now + self.ttl if kept else None
        return kept

    def held(self) -> bool:
        return self.expires_at is not None and self.now() < self.expires_at

    def release(self) -> None:
        self.expires_at = None
        release(self.engine, self.name, self.holder)


def acquire(engine: Engine, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Take the lease ``name`` until ``now + ttl`` if it is free, expired or already ours."""
    _check_aware(now)
    table = table_of(Lease)
    with writer(engine).begin() as conn:
        conn.execute(_take_unless_live(conn, table, name, holder, now, now + ttl))
        current = conn.execute(select(table.c.holder).where(table.c.name == name)).scalar_one()
    return bool(current == holder)


def renew(engine: Engine, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Extend our lease to ``now + ttl``. False if someone else holds it now (or nobody)."""
    _check_aware(now)
    table = table_of(Lease)
    with writer(engine).begin() as conn:
        result = conn.execute(
            update(table)
            .where(table.c.name == name, table.c.holder == holder)
            .values(expires_at=now + ttl)
        )
    return result.rowcount == 1


def release(engine: Engine, name: str, holder: str) -> None:
    """Give the lease up (only if we hold it): the next scheduler need not wait for expiry."""
    table = table_of(Lease)
    with writer(engine).begin() as conn:
        conn.execute(delete(table).where(table.c.name == name, table.c.holder == holder))


def state(engine: Engine, name: str) -> LeaseState | None:
    """Who holds ``name`` and until when (the row may have expired), or None."""
    table = table_of(Lease)
    with engine.connect() as conn:
        row = conn.execute(
            select(table.c.holder, table.c.expires_at).where(table.c.name == name)
        ).one_or_none()
    return None if row is None else LeaseState(row.holder, row.expires_at)


def _take_unless_live(
    conn: Connection, table: Table, name: str, holder: str, now: datetime, expires_at: datetime
) -> Insert:
    free = or_(table.c.expires_at < now, table.c.holder == holder)
    stmt = insert_for(conn, table).values(name=name, holder=holder, expires_at=expires_at)
    taken: Insert = stmt.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={"holder": stmt.excluded.holder, "expires_at": stmt.excluded.expires_at},
        where=free,
    )
    return taken


def _check_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("lease times must be timezone-aware")
