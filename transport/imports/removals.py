"""`transport import --complete`: every file present is the council's complete export of
its kind. Pupils it does not list become ``left`` (never deleted); awards, applications
and arrangements it does not list are removed, each audited with its row (an award or
application under ``pupil_ref/ref``: see ``removed_key``). Set-based: the
stored keys are streamed once and compared with the file's keys in memory, then the
changes go by chunks of keys (no query per row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from transport.audit import AuditContext, plain
from transport.db.dialect import chunks
from transport.db.queries.decisions import award_ref_of
from transport.db.tables import (
    Application,
    ApplicationAssessment,
    AuditEvent,
    Closure,
    Pupil,
    table_of,
)
from transport.imports.files import (
    APPLICATIONS,
    ARRANGEMENTS,
    AWARDS,
    CLOSURES,
    PUPILS,
    FileSpec,
)
from transport.imports.upsert import KeyTuple, among

# The files --complete applies to, in the order their removals run (applications before
# awards: an award this service made for a decision that stands is kept).
COMPLETE = (PUPILS, APPLICATIONS, AWARDS, ARRANGEMENTS)
SAMPLE = 20  # removed keys shown in the report
LEFT = "left"


@dataclass(frozen=True)
class Plan:
    """What a complete file would remove from its table, of how many rows."""

    spec: FileSpec
    rows: int  # the table's rows (pupils: those not already left)
    keys: list[KeyTuple]

    @property
    def share(self) -> float:
        return len(self.keys) / self.rows if self.rows else 0.0

    @property
    def sample(self) -> list[str]:
        return ["/".join(str(plain(part)) for part in key) for key in self.keys[:SAMPLE]]


def plan(conn: Connection, spec: FileSpec, listed: set[KeyTuple]) -> Plan:
    table = table_of(spec.table)
    key_cols = [table.c[name] for name in spec.key]
    stmt = select(*key_cols)
    counted = select(func.count()).select_from(table)
    if spec is PUPILS:
        stmt = stmt.where(table.c.status != LEFT)
        counted = counted.where(table.c.status != LEFT)
    keep = _kept_awards(conn) if spec is AWARDS else set()
    rows = conn.execute(stmt.execution_options(yield_per=20_000))
    missing = [key for key in map(tuple, rows) if key not in listed and key[0] not in keep]
    return Plan(spec, conn.execute(counted).scalar_one(), sorted(missing))


def _kept_awards(conn: Connection) -> set[str]:
    """Awards this service created for an approval made here that still stands."""
    decided = select(Application.application_ref).where(
        Application.decided_by.is_not(None), Application.status == "approved"
    )
    return {award_ref_of(ref) for ref in conn.execute(decided).scalars()}


def apply(conn: Connection, removal: Plan, audit: AuditContext) -> None:
    table = table_of(removal.spec.table)
    for chunk in chunks(removal.keys):
        rows = _rows(conn, table, removal.spec.key, chunk)
        if removal.spec is PUPILS:
            events = [
                audit.event("left", table.name, key, {"status": [row["status"], LEFT],
                            "why": "not in a complete export (import --complete)"})
                for key, row in rows
            ]  # fmt: skip
            conn.execute(
                update(table).where(table.c.pupil_ref.in_([k[0] for k in chunk])),
                {"status": LEFT},
            )
        else:
            events = [
                audit.event("remove", table.name, removed_key(removal.spec, key, row),
                            {"row": {k: plain(v) for k, v in row.items()},
                             "why": "not in a complete export (import --complete)"})
                for key, row in rows
            ]  # fmt: skip
            if removal.spec is APPLICATIONS:
                assessments = table_of(ApplicationAssessment)
                conn.execute(
                    delete(assessments).where(
                        assessments.c.application_ref.in_([k[0] for k in chunk])
                    )
                )
            _delete(conn, table, removal.spec.key, chunk)
        if events:
            conn.execute(table_of(AuditEvent).insert(), events)


def replace_closures(conn: Connection, listed: set[KeyTuple], audit: AuditContext) -> Plan:
    """closures.csv with --complete: the closures of each calendar the file names are
    the file's; a stored one it no longer lists is removed (audited with its row)."""
    table = table_of(Closure)
    named = sorted({key[0] for key in listed})
    stmt = select(table.c.calendar, table.c.urn, table.c.first_day)
    stored = [tuple(row) for row in conn.execute(stmt.where(table.c.calendar.in_(named)))]
    removal = Plan(CLOSURES, len(stored), sorted(k for k in stored if k not in listed))
    apply(conn, removal, audit)
    return removal


def stamp_left(conn: Connection, today: date) -> None:
    """When each pupil left: the day an import first records them as ``left`` (by
    pupils.csv's status or by --complete), kept while they stay left, cleared when they
    come back. Retention counts its years from it."""
    pupils = table_of(Pupil)
    conn.execute(
        update(pupils)
        .where(pupils.c.status == LEFT, pupils.c.left_on.is_(None))
        .values(left_on=today)
    )
    conn.execute(
        update(pupils)
        .where(pupils.c.left_on.is_not(None), pupils.c.status != LEFT)
        .values(left_on=None)
    )


def removed_key(spec: FileSpec, key: KeyTuple, row: dict[str, Any]) -> KeyTuple:
    """The removal of an award or application is audited under ``pupil_ref/ref``, so
    that the child's events (`transport audit --pupil`, `transport pupil`) find it by
    the same range of keys as their arrangements and contact links, once the row that
    names the child is gone (see ``transport.db.queries.audit.about_child``)."""
    if spec in (AWARDS, APPLICATIONS):
        return (row["pupil_ref"], *key)
    return key


def _rows(
    conn: Connection, table: Table, key: Sequence[str], keys: list[KeyTuple]
) -> list[tuple[KeyTuple, dict[str, Any]]]:
    key_cols = [table.c[name] for name in key]
    wanted = set(keys)
    found = []
    for row in conn.execute(select(table).where(among(conn, key_cols, keys))).mappings():
        k = tuple(row[name] for name in key)
        if k in wanted:
            found.append((k, dict(row)))
    return found


def _delete(conn: Connection, table: Table, key: Sequence[str], keys: list[KeyTuple]) -> None:
    if len(key) == 1:
        conn.execute(delete(table).where(table.c[key[0]].in_([k[0] for k in keys])))
        return
    if conn.dialect.name == "postgresql":  # exact keys as arrays: one statement a chunk
        conn.execute(delete(table).where(among(conn, [table.c[name] for name in key], keys)))
        return
    # SQLite: one executemany in process (``among`` matches only the first column there)
    match = and_(*(table.c[name] == bindparam(f"k_{name}") for name in key))
    conn.execute(
        delete(table).where(match),
        [{f"k_{n}": v for n, v in zip(key, k, strict=True)} for k in keys],
    )
