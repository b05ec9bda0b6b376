"""Create or migrate the schema with Alembic, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from transport.errors import SchemaError

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration. A test checks it against the scripts, so that the common path
# (schema already current) costs one small query and never imports Alembic.
HEAD = "0004"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision``; returns the revision it started from."""
    from transport.db.engine import writer

    before = current_revision(engine)
    with writer(engine).begin() as conn:
        _run_alembic(conn, revision)
    return before


def ensure_current(engine: Engine, *, auto_migrate: bool) -> None:
    revision = current_revision(engine)
    if revision == HEAD:
        return
    if auto_migrate:
        upgrade(engine)
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
