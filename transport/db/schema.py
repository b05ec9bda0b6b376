"""Create or migrate the schema with Alembic, on SQLite and PostgreSQL alike.

Several first commands may start at once on a fresh database: the check-and-migrate runs
under a lock, and the revision is read again once the lock is held, so one of them
migrates and the others find the schema current. On PostgreSQL the lock is an advisory
lock held by the migration's transaction (``pg_advisory_xact_lock``); on SQLite it is the
writer lock that ``BEGIN IMMEDIATE`` takes (see ``engine.writer``).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from transport.errors import SchemaError

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration. A test checks it against the scripts, so that the common path
# (schema already current) costs one small query and never imports Alembic.
HEAD = "0017"
# The advisory lock's key on PostgreSQL: any constant of our own ("transpor" in ASCII).
MIGRATION_LOCK = 0x7472616E73706F72


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision`` under the migration lock; returns the revision it
    found once the lock was held (another process may have migrated meanwhile)."""
    from transport.db.engine import writer

    with writer(engine).begin() as conn:  # SQLite: BEGIN IMMEDIATE, the writer lock
        _lock(conn)
        before = _revision(conn)
        if not (before == HEAD and revision in ("head", HEAD)):
            _run_alembic(conn, revision)
    return before


def _lock(conn: Connection) -> None:
    """Hold the migration lock until this transaction ends (PostgreSQL; SQLite's writer
    transaction holds its lock already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def ensure_current(engine: Engine, *, auto_migrate: bool) -> None:
    revision = current_revision(engine)  # the common path: one small query, no lock
    if revision == HEAD:
        return
    if auto_migrate:
        upgrade(engine)  # takes the lock and reads the revision again
        return
    found = "no schema" if revision is None else f"schema revision {revision}"
    raise SchemaError(
        f"the database has {found}, the code needs {HEAD}: run `transport db upgrade`"
    )


def _run_alembic(conn: Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def script_head() -> str | None:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()
