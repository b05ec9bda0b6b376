"""The one place that knows PostgreSQL and SQLite spell "insert, unless it is there" and
"insert, or update what is there" differently (both support ``ON CONFLICT``, each through
its own SQLAlchemy dialect)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ARRAY, Table, any_, bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")
# Values bound in one statement (an IN list, a batch of rows): well inside both
# databases' limits on parameters, and small enough to keep each statement quick.
CHUNK = 1000


def chunks(values: list[T]) -> Iterator[list[T]]:
    """``values`` in consecutive slices of at most CHUNK."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def insert_for(conn: Connection, table: Table) -> Any:
    """The dialect's own INSERT (with ``on_conflict_*``) for the connection's database."""
    from sqlalchemy.dialects import postgresql, sqlite  # loaded on first use

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def insert_ignoring(conn: Connection, table: Table, keys: Sequence[str]) -> Insert:
    """INSERT ... ON CONFLICT (keys) DO NOTHING: a row already there (from this run, an
    earlier one, or one running at the same time) is left as it is."""
    stmt: Insert = insert_for(conn, table).on_conflict_do_nothing(index_elements=list(keys))
    return stmt


def upsert(conn: Connection, table: Table, keys: Sequence[str]) -> Insert:
    """INSERT ... ON CONFLICT (keys) DO UPDATE every other column to the new values."""
    stmt = insert_for(conn, table)
    updates = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    result: Insert = stmt.on_conflict_do_update(index_elements=list(keys), set_=updates)
    return result


def among_values(
    conn: Connection, column: ColumnElement[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """``column IN values`` in a statement whose text is the same however many values
    there are: one array on PostgreSQL (``= ANY``), one JSON array on SQLite
    (``json_each``). An IN list of N placeholders is a new statement for every N, and
    SQLite's driver keeps the last hundred or so prepared: with lists of thousands, an
    import of a county held over 50 MB in statements it never ran again."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    if not all(isinstance(value, str | int) for value in values):
        return column.in_(list(values))  # dates and the like: as they bind
    listed = func.json_each(json.dumps(list(values))).table_valued("value")
    return column.in_(select(listed.c.value))
