"""The one place that knows PostgreSQL and SQLite spell "insert, unless it is there" and
"insert, or update what is there" differently (both support ``ON CONFLICT``, each through
its own SQLAlchemy dialect)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert

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
