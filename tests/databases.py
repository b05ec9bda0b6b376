"""Databases for the tests: a fresh one per test (`db_url`, `engine`), at head without
running the migrations for each; or empty (`empty_db_url`).

Running the migrations costs a tenth of a second on SQLite and half a second on
PostgreSQL (where creating and dropping some thirty tables with their indexes is most of
it), and over a thousand tests need a database. Each test process (each pytest-xdist
worker) migrates one template for real; then

- SQLite: a test gets a copy of the template's file (0600, as the engine makes it);
- PostgreSQL: a test gets a schema of its own at head: one given back clean by an
  earlier test, else a new one in which the statements the migration ran on the
  template are run again (the migration's own statements, in order, on the same empty
  start). When a test ends, its schema is kept for the next only if it is still exactly
  the migrated schema (its tables, columns, types, collations, defaults, constraints,
  indexes, triggers, functions, types and grants compared with the template's) and
  empties (every row deleted, every sequence back to its start, alembic_version at
  head); anything else is dropped, as before.

Tests of the migrations themselves, and of a first command on an empty database, use
`empty_db_url` and migrate for real. `tests/integration/test_database_copies.py` checks
that a copy, and a schema given back and taken again, are the database the migrations
make.
"""

from __future__ import annotations

import graphlib
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url

from transport.db.engine import make_engine, sqlite_file
from transport.db.schema import HEAD, upgrade


def schema_url(server: Engine, schema: str) -> str:
    """The server's URL with the connection's search path set to ``schema``."""
    url = make_url(server.url.render_as_string(hide_password=False))
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


class SqliteTemplate:
    """A SQLite file at head, copied byte for byte into each test's new file."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "head.db"
        engine = make_engine(f"sqlite:///{self.path}")
        try:
            upgrade(engine)
        finally:
            engine.dispose()  # the last connection closed: the WAL is written back
        if Path(f"{self.path}-wal").exists():  # a copy of the main file would be short
            raise RuntimeError(f"{self.path}-wal is still there after closing the template")

    def copy_to(self, url: str) -> bool:
        """Copy the template to the URL's file, which must not exist yet. False (nothing
        done) when it does: the caller migrates it."""
        target = sqlite_file(url)
        if target is None or target.exists():
            return False
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as out, self.path.open("rb") as source:
            shutil.copyfileobj(source, out)
        return True


# Everything a schema is made of, in words, its own name taken out (see PostgresSchemas).
_SHAPE = """
WITH ns AS MATERIALIZED (SELECT oid, nspowner, nspacl FROM pg_namespace WHERE nspname = :schema),
owned AS MATERIALIZED (  -- by pg_depend's index: pg_class has none by schema
    SELECT objid AS oid FROM pg_depend
    WHERE classid = 'pg_class'::regclass AND refclassid = 'pg_namespace'::regclass
        AND refobjid = (SELECT oid FROM ns)
),
rels AS MATERIALIZED (  -- the schema's tables, sequences, views... and their indexes
    SELECT c.oid, c.relname, c.relkind, c.relowner, c.relacl
    FROM owned JOIN pg_class c ON c.oid = owned.oid
  UNION ALL
    SELECT c.oid, c.relname, c.relkind, c.relowner, c.relacl
    FROM owned JOIN pg_index i ON i.indrelid = owned.oid JOIN pg_class c ON c.oid = i.indexrelid
)
SELECT md5(coalesce(string_agg(replace(item, :schema, '~'), E'\\n' ORDER BY item), ''))
FROM (
    SELECT 'schema ' || pg_get_userbyid(nspowner) || ' ' || coalesce(nspacl::text, '') AS item
    FROM ns
  UNION ALL
    SELECT 'relation ' || relname || ' ' || relkind::text || ' ' || pg_get_userbyid(relowner)
        || ' ' || coalesce(relacl::text, '')
    FROM rels
  UNION ALL
    SELECT 'column ' || r.relname || '.' || a.attname || ' ' || a.attnum || ' '
        || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' '
        || a.attcollation::regcollation::text || ' ' || coalesce((
            SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
            WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
        ), '') || ' ' || coalesce(a.attacl::text, '')
    FROM rels r CROSS JOIN LATERAL (
        SELECT * FROM pg_attribute WHERE attrelid = r.oid AND attnum > 0 AND NOT attisdropped
    ) AS a
  UNION ALL
    SELECT 'constraint ' || r.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
    FROM rels r CROSS JOIN LATERAL (SELECT * FROM pg_constraint WHERE conrelid = r.oid) AS k
  UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM rels r CROSS JOIN LATERAL (SELECT * FROM pg_index WHERE indrelid = r.oid) AS i
  UNION ALL
    SELECT 'triggers ' || r.relname || ' ' || coalesce((
        SELECT string_agg(pg_get_triggerdef(t.oid), ' ' ORDER BY t.tgname) FROM pg_trigger t
        WHERE t.tgrelid = r.oid AND NOT t.tgisinternal
    ), '')
    FROM rels r
  UNION ALL
    SELECT 'function ' || pg_get_functiondef(oid) FROM pg_proc
    WHERE pronamespace = (SELECT oid FROM ns) AND prokind IN ('f', 'p')
  UNION ALL
    SELECT 'type ' || typname || ' ' || typtype::text FROM pg_type
    WHERE typnamespace = (SELECT oid FROM ns) AND typrelid = 0 AND typelem = 0
  UNION ALL
    SELECT 'sequence ' || r.relname || ' ' || s.seqstart || ' ' || s.seqincrement
    FROM rels r JOIN pg_sequence s ON s.seqrelid = r.oid
) AS items
"""


def schema_shape(conn: Connection, schema: str) -> str:
    """A digest of everything ``schema`` is made of (not its rows)."""
    return str(conn.execute(text(_SHAPE), {"schema": schema}).scalar_one())


class PostgresSchemas:
    """The test schemas of one test process on a PostgreSQL server: new empty ones, and
    ones at head, taken from those given back clean or made by running the migration's
    statements again."""

    def __init__(self, server: Engine) -> None:
        self.server = server
        self.free: list[str] = []  # at head, empty, exactly the migrated schema
        self.statements: list[tuple[str, Any, str]] = []
        template = self._create()
        engine = make_engine(schema_url(server, template))
        event.listen(engine, "before_cursor_execute", self._record)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        named = [s for s, _, _ in self.statements if template in s]
        if named:  # a statement bound to the template's schema would not run elsewhere
            self.drop(template)
            raise RuntimeError(f"the migration names its schema {template}: {named[0]}")
        with server.connect() as conn:
            self.head_shape = schema_shape(conn, template)
            # The same in every schema of that shape:
            self.tables = _tables_referring_first(conn, template)
            self.sequences = conn.execute(
                text(
                    "SELECT c.relname, s.seqstart FROM pg_sequence s "
                    "JOIN pg_class c ON c.oid = s.seqrelid "
                    "WHERE c.relnamespace = CAST(:schema AS regnamespace)"
                ),
                {"schema": template},
            ).all()
        self.free.append(template)  # the template itself is the first schema at head

    def _record(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        """Keep each statement the migration runs, as its cursor ran it; not the reads
        (reflection, the migration lock), whose answers it has already acted on."""
        if statement.lstrip().upper().startswith("SELECT"):
            return
        if many:
            how = "many"
        elif not parameters and context is not None and context.no_parameters:
            how = "none"
        else:
            how = "one"
        self.statements.append((statement, parameters, how))

    def take(self, *, at_head: bool) -> str:
        """A schema of the test's own: empty, or at head (the schema of ``schema_url``)."""
        if at_head and self.free:
            return self.free.pop()
        schema = self._create()
        if at_head:
            try:
                self._replay(schema)
            except Exception:
                self.drop(schema)
                raise
        return schema

    def give_back(self, schema: str) -> None:
        """The test is over: keep its schema for another if it is the migrated schema
        and can be emptied, else drop it."""
        try:
            if self._emptied(schema):
                self.free.append(schema)
                return
        except Exception:  # locked, or changed in a way the emptying trips on: drop it
            pass
        self.drop(schema)

    def close(self) -> None:
        while self.free:
            self.drop(self.free.pop())

    def _create(self) -> str:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with self.server.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        return schema

    def drop(self, schema: str) -> None:
        with self.server.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    def _replay(self, schema: str) -> None:
        with self.server.begin() as conn:
            conn.execute(text(f'SET LOCAL search_path = "{schema}"'))
            cursor = conn.connection.cursor()
            try:
                for statement, parameters, how in self.statements:
                    if how == "many":
                        cursor.executemany(statement, parameters)
                    elif how == "none":
                        cursor.execute(statement)
                    else:
                        cursor.execute(statement, parameters)
            finally:
                cursor.close()

    def _emptied(self, schema: str) -> bool:
        """Delete every row (alembic_version's aside) and restart every sequence, in one
        transaction, if the schema is still the migrated one; True when it then is
        exactly as the migration left it."""
        with self.server.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            if schema_shape(conn, schema) != self.head_shape:
                return False
            conn.execute(text(f'SET LOCAL search_path = "{schema}"'))
            counted = " UNION ALL ".join(
                f"SELECT '{t}', count(*) FROM \"{t}\"" for t in self.tables
            )
            counts = dict(conn.execute(text(counted)).all())
            for table in self.tables:
                if counts[table] and table != "alembic_version":
                    conn.execute(text(f'DELETE FROM "{table}"'))
            if self.sequences:
                restart = ", ".join(
                    f"setval('\"{name}\"', {start}, false)" for name, start in self.sequences
                )
                conn.execute(text(f"SELECT {restart}"))
            version = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            return [tuple(row) for row in version] == [(HEAD,)]


def _tables_referring_first(conn: Connection, schema: str) -> list[str]:
    """The schema's tables, each before the tables its foreign keys refer to."""
    rows = conn.execute(
        text(
            "SELECT c.relname, r.relname FROM pg_class c "
            "LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f' "
            "LEFT JOIN pg_class r ON r.oid = k.confrelid AND r.oid <> c.oid "
            "WHERE c.relnamespace = CAST(:schema AS regnamespace) AND c.relkind IN ('r', 'p')"
        ),
        {"schema": schema},
    ).all()
    referred_by: dict[str, set[str]] = {}
    for table, refers_to in rows:
        referred_by.setdefault(table, set())
        if refers_to is not None:
            referred_by.setdefault(refers_to, set()).add(table)
    # static_order puts a node after its predecessors: a table after those referring to it.
    return list(graphlib.TopologicalSorter(referred_by).static_order())
