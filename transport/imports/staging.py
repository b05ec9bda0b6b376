"""What an import has seen so far, kept in the database instead of in Python.

An import reads each file once, in chunks, and must remember across chunks: every key the
file has listed, with its first line (a duplicate names it), the pupils a later file may
refer to, and for ``--complete`` everything a complete file lists. At a county's size
those are millions of keys; held in Python sets and dictionaries they made an import's
memory grow with the county (about 0.9 GB at a million pupils, 2.2 GB with
``--complete``). They live instead in temporary tables of the import's own connection:
the database keeps them on disk beyond its cache, indexes them, and answers a chunk's
questions in one statement. ``--complete`` then finds what a file no longer lists with
one anti-join (see removals.py).

Temporary tables are private to the connection and gone with it; on PostgreSQL they are
dropped when the transaction ends, and the application role needs the TEMPORARY
privilege on the database (deploy/roles.sql grants it). Keys are kept as text (a blank
or missing key as ''), the same text whether the row parsed or not, so that a bad row's
key still counts as seen (its references and duplicates are not reported twice). On
PostgreSQL a chunk's keys go as arrays in the binary format (``%(k)b``): psycopg writes
those four times as fast as the text format, which quotes every element in Python.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

TextKey = tuple[str, ...]
# Parameters in one statement: well under SQLite's limit (32,766) and PostgreSQL's.
BATCH = 5000


def text_key(values: Sequence[Any]) -> TextKey:
    """A key as the staging tables hold it: each part as text, a missing one as ''."""
    return tuple("" if value is None else str(value) for value in values)


class KeySet:
    """A temporary table of keys (one or more text columns) with the line that first
    listed each: ``add`` a chunk, learn which of them an earlier chunk already listed."""

    def __init__(self, conn: Connection, name: str, width: int) -> None:
        self.conn = conn
        self.width = width
        self.table = Table(
            name,
            MetaData(),
            *(Column(f"k{i}", Text, primary_key=True) for i in range(width)),
            Column("line", Integer, nullable=False),
            prefixes=["TEMPORARY"],
        )
        self._keys = [self.table.c[f"k{i}"] for i in range(width)]
        postgres = conn.dialect.name == "postgresql"
        self.postgres = postgres
        self._batches = 0
        self.table.create(conn, checkfirst=not postgres)
        if not postgres:
            conn.execute(self.table.delete())  # a connection the pool gives back

    def drop(self) -> None:
        self.conn.execute(text(f'DROP TABLE IF EXISTS "{self.table.name}"'))

    # --- writing ---------------------------------------------------------------------------

    def add(self, keys: Sequence[TextKey], lines: Sequence[int]) -> dict[TextKey, int]:
        """Record keys (distinct among themselves) with their lines; the ones an earlier
        call already recorded, with the line that listed them first."""
        if not keys:
            return {}
        inserted = self._insert_new(keys, lines)
        if inserted == len(keys):
            return {}
        mine = dict(zip(keys, lines, strict=True))
        return {key: first for key, first in self.lines_of(keys).items() if first != mine.get(key)}

    def _insert_new(self, keys: Sequence[TextKey], lines: Sequence[int]) -> int:
        name = self.table.name
        columns = ", ".join(f"k{i}" for i in range(self.width))
        if self.postgres:
            arrays = ", ".join(f"%(k{i})b::text[]" for i in range(self.width))
            params: dict[str, Any] = {f"k{i}": [k[i] for k in keys] for i in range(self.width)}
            params["lines"] = list(lines)
            cursor = self.conn.exec_driver_sql(
                f'INSERT INTO "{name}" ({columns}, line) '
                f"SELECT * FROM unnest({arrays}, %(lines)b::int[]) "
                "ON CONFLICT DO NOTHING",
                params,
            )
            return int(cursor.rowcount)
        raw = self.conn.connection.driver_connection
        assert raw is not None
        marks = ", ".join("?" * (self.width + 1))
        cursor = raw.executemany(
            f'INSERT OR IGNORE INTO "{name}" ({columns}, line) VALUES ({marks})',
            [(*key, line) for key, line in zip(keys, lines, strict=True)],
        )
        return int(cursor.rowcount)

    def add_all(self, keys: Iterable[TextKey]) -> None:
        """Record keys with no line to report (a file that could not be read)."""
        batch: dict[TextKey, int] = {}
        for key in keys:
            batch.setdefault(key, 0)
            if len(batch) >= BATCH:
                self._insert_new(list(batch), list(batch.values()))
                batch = {}
        if batch:
            self._insert_new(list(batch), list(batch.values()))

    # --- reading ---------------------------------------------------------------------------

    def lines_of(self, keys: Sequence[TextKey]) -> dict[TextKey, int]:
        """The recorded keys among ``keys``, with their lines. In the driver's own SQL:
        a chunk asks this for every file, and building the statement in SQLAlchemy cost
        more than running it."""
        found: dict[TextKey, int] = {}
        wanted = set(keys)
        name = self.table.name
        columns = ", ".join(f"k{i}" for i in range(self.width))
        for start in range(0, len(keys), BATCH):
            part = keys[start : start + BATCH]
            if self.postgres:
                params = {f"k{i}": [k[i] for k in part] for i in range(self.width)}
                arrays = ", ".join(f"%(k{i})b::text[]" for i in range(self.width))
                rows = self.conn.exec_driver_sql(
                    f'SELECT {columns}, line FROM "{name}" '
                    f"WHERE ({columns}) IN (SELECT * FROM unnest({arrays}))",
                    params,
                )
            else:
                # The first column (the prefix of the key's index); the exact keys below.
                firsts = sorted({k[0] for k in part})
                raw = self.conn.connection.driver_connection
                assert raw is not None
                rows = raw.execute(  # one statement text: see dialect.among_values
                    f'SELECT {columns}, line FROM "{name}" '
                    "WHERE k0 IN (SELECT value FROM json_each(?))",
                    (json.dumps(firsts),),
                )
            width = self.width
            for row in rows:
                key = tuple(row[:width])
                if key in wanted:
                    found[key] = row[width]
        return found

    def present(self, values: Iterable[str]) -> set[str]:
        """Of a one-column key set, the values recorded."""
        wanted = sorted(set(values))
        if not wanted:
            return set()
        name = self.table.name
        if self.postgres:
            found = self.conn.exec_driver_sql(
                f'SELECT k0 FROM "{name}" WHERE k0 = ANY(%(k0)b::text[])', {"k0": wanted}
            )
        else:
            raw = self.conn.connection.driver_connection
            assert raw is not None
            found = raw.execute(  # one statement text: see dialect.among_values
                f'SELECT k0 FROM "{name}" WHERE k0 IN (SELECT value FROM json_each(?))',
                (json.dumps(wanted),),
            )
        return {row[0] for row in found}

    def add_batch(self, values: Iterable[str]) -> set[str]:
        """Of a one-column key set, record ``values`` as one batch; those an earlier
        batch recorded (one statement, and a second only when there are some)."""
        self._batches += 1
        batch = -self._batches  # batches are told apart by a negative line
        wanted = sorted(set(values))
        if not wanted or self._insert_new([(v,) for v in wanted], [batch] * len(wanted)) == len(
            wanted
        ):
            return set()
        return {
            key[0] for key, line in self.lines_of([(v,) for v in wanted]).items() if line != batch
        }

    def has(self, *columns: ColumnElement[Any]) -> ColumnElement[bool]:
        """SQL: the row whose ``columns`` are a recorded key (as text)."""
        return (
            select(1)
            .where(*(k == as_text(c) for k, c in zip(self._keys, columns, strict=True)))
            .exists()
        )

    def keys(self) -> list[TextKey]:
        """Every recorded key (for the small files only: closures)."""
        return [tuple(row) for row in self.conn.execute(select(*self._keys))]

    def first_column(self) -> Any:
        """A subquery of the distinct values of the first key column."""
        return select(self._keys[0]).distinct()


def as_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A stored key column as the staging tables hold it (text)."""
    try:
        is_text = column.type.python_type is str
    except NotImplementedError:
        is_text = False
    return column if is_text else column.cast(Text)
