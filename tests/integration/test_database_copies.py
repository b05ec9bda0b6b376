"""A test's database at head is not migrated for the test (tests/databases.py): on SQLite
it is a copy of a file migrated once, on PostgreSQL a schema made by running the
migration's statements again, or one an earlier test gave back and that was emptied.
Each must be the database the migrations make."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from typer.testing import CliRunner

from cli import app
from tests.bundles import small_county, write_bundle
from tests.databases import PostgresSchemas, schema_url
from transport.db.engine import make_engine
from transport.db.schema import upgrade
from transport.db.tables import Base


@pytest.fixture
def migrated(tmp_path: Path, _pg_admin: Engine | None) -> Iterator[Engine]:
    """Another fresh database, migrated here by Alembic."""
    if _pg_admin is None:
        engine = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    schema = f"m_{uuid.uuid4().hex[:16]}"
    with _pg_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(schema_url(_pg_admin, schema))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with _pg_admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def constraints_sorted(sql: str | None) -> str | None:
    """A CREATE TABLE with its constraints in one order. On SQLite Alembic's batch mode
    rebuilds a table with its constraints in the order of a set, which changes from one
    process to the next: the same table, written two ways."""
    match = re.fullmatch(r"(CREATE TABLE [^(]+\()(.*)(\n\))", sql or "", re.DOTALL)
    if match is None:
        return sql
    items = match.group(2).split(", \n")
    columns = [item for item in items if not item.lstrip().startswith("CONSTRAINT")]
    constraints = sorted(item for item in items if item.lstrip().startswith("CONSTRAINT"))
    return match.group(1) + ", \n".join(columns + constraints) + match.group(3)


def described(conn: Connection) -> dict[str, list[tuple[object, ...]]]:
    """Everything the schema is made of, and the rows the migrations wrote, with the
    schema's own name taken out."""
    if conn.dialect.name == "sqlite":
        shape = {
            "objects": [
                (kind, name, table, constraints_sorted(sql))
                for kind, name, table, sql in conn.execute(
                    text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
                )
            ]
        }
    else:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        queries = {
            "columns": "SELECT table_name, column_name, ordinal_position, data_type, "
            "character_maximum_length, numeric_precision, is_nullable, column_default, "
            "collation_name FROM information_schema.columns WHERE table_schema = :s",
            "constraints": "SELECT conrelid::regclass::text, conname, "
            "pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = CAST(:s AS regnamespace)",
            "indexes": "SELECT tablename, indexname, replace(indexdef, :s, 'S') "
            "FROM pg_indexes WHERE schemaname = :s",
            "sequences": "SELECT sequence_name, data_type, start_value, increment "
            "FROM information_schema.sequences WHERE sequence_schema = :s",
            "triggers": "SELECT event_object_table, trigger_name, action_statement "
            "FROM information_schema.triggers WHERE trigger_schema = :s",
            "views": "SELECT table_name, view_definition FROM information_schema.views "
            "WHERE table_schema = :s",
            "sequence_values": "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = :s",
        }
        shape = {
            name: sorted(conn.execute(text(query), {"s": schema}).all(), key=repr)
            for name, query in queries.items()
        }
    tables = [*Base.metadata.tables, "alembic_version"]
    shape["rows"] = [
        (table, *row)
        for table in sorted(tables)
        for row in sorted(conn.execute(text(f"SELECT * FROM {table}")).all(), key=repr)
    ]
    return {name: [tuple(row) for row in rows] for name, rows in shape.items()}


def test_the_copy_is_the_database_the_migrations_make(engine: Engine, migrated: Engine) -> None:
    with engine.connect() as copy, migrated.connect() as real:
        copied, made = described(copy), described(real)
    assert copied == made
    assert len(made["rows"]) == 1  # alembic_version: the migrations write no other row
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())  # a schema


def test_a_schema_given_back_is_taken_again_as_the_migrations_make_it(
    _pg_admin: Engine | None, migrated: Engine, tmp_path: Path
) -> None:
    if _pg_admin is None:
        pytest.skip("SQLite files are copied, never reused: PostgreSQL's schemas are")
    schemas = PostgresSchemas(_pg_admin)
    try:
        schema = schemas.take(at_head=True)
        url = schema_url(_pg_admin, schema)
        env = {"TRANSPORT_DATABASE_URL": url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
        folder = write_bundle(tmp_path / "bundle", small_county())
        for args in (["import", str(folder)], ["remind", "--as-of", "2026-08-06"]):
            assert CliRunner().invoke(app, args, env=env).exit_code == 0
        used = make_engine(url)
        try:
            with used.connect() as conn:  # the premise: rows and sequences were used
                assert conn.execute(text("SELECT count(*) FROM pupils")).scalar_one() == 3
                assert conn.execute(text("SELECT count(*) FROM outbox")).scalar_one() > 0
        finally:
            used.dispose()
        schemas.give_back(schema)
        assert schemas.take(at_head=True) == schema
        again = make_engine(url)
        try:
            with again.connect() as copy, migrated.connect() as real:
                assert described(copy) == described(real)
        finally:
            again.dispose()
    finally:
        schemas.close()


def test_a_schema_a_test_changed_is_dropped_not_given_again(_pg_admin: Engine | None) -> None:
    if _pg_admin is None:
        pytest.skip("SQLite files are copied, never reused: PostgreSQL's schemas are")
    schemas = PostgresSchemas(_pg_admin)
    try:
        changed = schemas.take(at_head=True)
        with _pg_admin.begin() as conn:
            conn.execute(text(f'ALTER TABLE "{changed}".pupils ADD COLUMN nickname text'))
        schemas.give_back(changed)
        assert changed not in schemas.free
        with _pg_admin.connect() as conn:
            assert not conn.execute(
                text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": changed}
            ).all()
    finally:
        schemas.close()
