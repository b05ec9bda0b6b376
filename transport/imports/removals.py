"""`transport import --complete`: every file present is the council's complete export of
its kind. Pupils it does not list become ``left`` (never deleted); awards, applications
and arrangements it does not list are removed, each audited with its row (an award or
application under ``pupil_ref/ref``: see ``removed_key``). Set-based and in the
database: the stored keys less the file's (kept by the import in a temporary table,
staging.py) go into a temporary table of their own, then the changes go by chunks of
keys (no query per row, nothing of the county's size in Python)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    delete,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from transport.audit import AuditContext, plain
from transport.db.dialect import CHUNK, chunks
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
from transport.imports.staging import KeySet, TextKey, text_key
from transport.imports.upsert import KeyTuple, among

# The files --complete applies to, in the order their removals run (applications before
# awards: an award this service made for a decision that stands is kept).
COMPLETE = (PUPILS, APPLICATIONS, AWARDS, ARRANGEMENTS)
SAMPLE = 20  # removed keys shown in the report
LEFT = "left"
AWARD_SUFFIX = award_ref_of("")  # an award this service made: the application's ref + this


@dataclass(frozen=True)
class Plan:
    """What a complete file would remove from its table, of how many rows: the keys in a
    temporary table (``removing``), or for the small closures file a list."""

    spec: FileSpec
    rows: int  # the table's rows (pupils: those not already left)
    count: int
    sample: list[str]
    removing: Table | None = None
    keys: list[KeyTuple] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.count / self.rows if self.rows else 0.0

    def pages(self, conn: Connection) -> Iterator[list[KeyTuple]]:
        """The keys to remove, a chunk at a time, in key order."""
        if self.removing is None:
            yield from chunks(self.keys)
            return
        columns = [self.removing.c[name] for name in self.spec.key]
        last: KeyTuple | None = None
        while True:
            stmt = select(*columns).order_by(*columns).limit(CHUNK)
            if last is not None:
                after = columns[0] > last[0] if len(columns) == 1 else tuple_(*columns) > last
                stmt = stmt.where(after)
            page = [tuple(row) for row in conn.execute(stmt)]
            if not page:
                return
            yield page
            last = page[-1]


def _sample(keys: Iterable[KeyTuple]) -> list[str]:
    return ["/".join(str(plain(part)) for part in key) for key in keys]


def plan(conn: Connection, spec: FileSpec, listed: KeySet) -> Plan:
    """The stored rows the file does not list, found in the database: the table's keys
    less the file's (an anti-join with the import's staging table), into a temporary
    table of their own; nothing of the size of the county is held in Python."""
    table = table_of(spec.table)
    key_cols = [table.c[name] for name in spec.key]
    where: list[ColumnElement[bool]] = [~listed.has(*key_cols)]
    counted = select(func.count()).select_from(table)
    if spec is PUPILS:
        where.append(table.c.status != LEFT)
        counted = counted.where(table.c.status != LEFT)
    if spec is AWARDS:
        where.append(table.c.award_ref.not_in(_kept_awards()))
    removing = Table(
        f"import_removing_{spec.stem}",
        MetaData(),
        *(Column(name, table.c[name].type, primary_key=True) for name in spec.key),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
    postgres = conn.dialect.name == "postgresql"
    removing.create(conn, checkfirst=not postgres)
    if not postgres:
        conn.execute(removing.delete())
    conn.execute(removing.insert().from_select(spec.key, select(*key_cols).where(*where)))
    count = conn.execute(select(func.count()).select_from(removing)).scalar_one()
    ordered = [_in_order(conn, removing.c[name]) for name in spec.key]
    sample = conn.execute(
        select(*(removing.c[name] for name in spec.key)).order_by(*ordered).limit(SAMPLE)
    )
    return Plan(
        spec,
        conn.execute(counted).scalar_one(),
        count,
        _sample(tuple(row) for row in sample),
        removing,
    )


def _in_order(conn: Connection, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A column to sort by as Python sorts text (byte order, whatever the database's
    collation), so that the sample of removed keys is the same on every database."""
    if conn.dialect.name == "postgresql" and isinstance(column.type, String):
        return column.collate("C")
    return column


def _kept_awards() -> Any:
    """Awards this service created for an approval made here that still stands (the
    award's reference is the application's with '-A': ``award_ref_of``)."""
    return select(Application.application_ref + AWARD_SUFFIX).where(
        Application.decided_by.is_not(None), Application.status == "approved"
    )


def apply(conn: Connection, removal: Plan, audit: AuditContext) -> None:
    table = table_of(removal.spec.table)
    for chunk in removal.pages(conn):
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
    if removal.removing is not None:
        removal.removing.drop(conn)


def replace_closures(conn: Connection, listed: set[TextKey], audit: AuditContext) -> Plan:
    """closures.csv with --complete: the closures of each calendar the file names are
    the file's; a stored one it no longer lists is removed (audited with its row).
    ``listed``: the file's keys as text (staging.text_key)."""
    table = table_of(Closure)
    named = sorted({key[0] for key in listed})
    stmt = select(table.c.calendar, table.c.urn, table.c.first_day)
    stored = [tuple(row) for row in conn.execute(stmt.where(table.c.calendar.in_(named)))]
    gone = sorted(k for k in stored if text_key(k) not in listed)
    removal = Plan(CLOSURES, len(stored), len(gone), _sample(gone[:SAMPLE]), keys=gone)
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
