"""Set-based upserts by natural key: read the existing rows of a chunk in one query,
insert the new ones in one statement, update the changed ones in one statement."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ARRAY,
    Column,
    Table,
    and_,
    any_,
    bindparam,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from transport.audit import AuditContext, plain
from transport.db.dialect import among_values
from transport.db.tables import AuditEvent, table_of

KeyTuple = tuple[Any, ...]


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Outcome:
    counts: Counts
    added: frozenset[KeyTuple]
    updated: frozenset[KeyTuple]


def is_empty(conn: Connection, table: Table) -> bool:
    return conn.execute(select(1).select_from(table).limit(1)).first() is None


def values_of(names: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A fast getter of a row's values for ``names``, always as a tuple (itemgetter gives a
    bare value for one name)."""
    if len(names) == 1:
        (name,) = names
        return lambda row: (row[name],)
    if not names:
        return lambda row: ()
    getter: Callable[[dict[str, Any]], tuple[Any, ...]] = itemgetter(*names)
    return getter


def existing_rows(
    conn: Connection, table: Table, key: Sequence[str], columns: Sequence[str], keys: list[KeyTuple]
) -> dict[KeyTuple, tuple[Any, ...]]:
    """The stored values of ``columns`` for the given keys, by key."""
    if not keys:
        return {}
    key_cols = [table.c[name] for name in key]
    stmt = select(*key_cols, *(table.c[c] for c in columns)).where(among(conn, key_cols, keys))
    width = len(key)
    found = {tuple(r[:width]): tuple(r[width:]) for r in conn.execute(stmt).all()}
    if width > 1 and conn.dialect.name != "postgresql":
        wanted = set(keys)  # the query matched on the first key column only
        found = {k: v for k, v in found.items() if k in wanted}
    return found


def among(
    conn: Connection, key_cols: list[Column[Any]], keys: list[KeyTuple]
) -> ColumnElement[bool]:
    """``key IN keys``. On PostgreSQL the keys travel as one array per column (unnest),
    which plans and binds in constant time however many keys there are."""
    if conn.dialect.name == "postgresql":
        arrays = [
            bindparam(f"keys_{i}", [k[i] for k in keys], type_=ARRAY(col.type))
            for i, col in enumerate(key_cols)
        ]
        if len(key_cols) == 1:
            return key_cols[0] == any_(arrays[0])
        return tuple_(*key_cols).in_(select(*(func.unnest(a) for a in arrays)))
    # SQLite: match on the first key column (the prefix of the unique index) and let the
    # caller keep the exact keys; a row-value IN list would scan the whole table per chunk.
    return among_values(conn, key_cols[0], sorted({k[0] for k in keys}))


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Bulk insert. On PostgreSQL with COPY (psycopg's executemany would send a statement
    per row); elsewhere one executemany. Same transaction as the caller either way."""
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    # COPY sees no Python-side column defaults: add the scalar ones the rows leave out.
    defaults = {
        column.name: column.default.arg  # type: ignore[attr-defined]
        for column in table.columns
        if column.name not in rows[0] and column.default is not None and column.default.is_scalar
    }
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    driver = conn.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        values = values_of(columns)
        for row in rows:
            copy.write_row(values(row))


def reserve_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """PostgreSQL: ``count`` ids from the sequence of ``table``'s serial ``id``, for rows
    written with COPY (which cannot return the ids it gave)."""
    found = conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) FROM generate_series(1, %(n)s)",
        {"table": table.name, "n": count},
    )
    return [row[0] for row in found]


def upsert(
    conn: Connection,
    table: Table,
    key: Sequence[str],
    rows: list[dict[str, Any]],
    *,
    audit: AuditContext,
    fresh: bool = False,
) -> Outcome:
    """Insert new rows and update the changed ones. ``fresh``: the table held nothing
    before this import and the rows' keys are unique, so there is nothing to look up."""
    columns = [name for name in rows[0] if name not in key] if rows else []
    key_values, column_values = values_of(key), values_of(columns)
    keys = [] if fresh else [key_values(r) for r in rows]
    stored = existing_rows(conn, table, key, columns, keys)
    counts = Counts()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for row in rows:
        k = key_values(row)
        before = stored.get(k)
        if before is None:
            new.append(row)
            continue
        after = column_values(row)
        if after == before:
            counts.unchanged += 1
            continue
        changed.append({**{f"k_{name}": row[name] for name in key}, **row})
        diff = {
            c: [plain(b), plain(a)]
            for c, b, a in zip(columns, before, after, strict=True)
            if a != b
        }
        events.append(audit.event("update", table.name, k, {"changes": diff}))
    if new:
        insert_rows(conn, table, new)
    if changed:
        where = and_(*(table.c[name] == bindparam(f"k_{name}") for name in key))
        stmt = update(table).where(where).values({c: bindparam(c) for c in columns})
        conn.execute(stmt, changed)
        conn.execute(insert(table_of(AuditEvent)), events)
    counts.added = len(new)
    counts.updated = len(changed)
    return Outcome(
        counts,
        frozenset(key_values(r) for r in new),
        frozenset(tuple(r[f"k_{name}"] for name in key) for r in changed),
    )
