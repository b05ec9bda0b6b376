"""Alembic environment: runs against the connection handed in by transport.db.schema."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from transport.db.tables import Base
from transport.db.types import UTCDateTime

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the `alembic` command line gets here
    from transport.db.engine import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///transport.db")
    connection = engine.connect()


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Migrations stand alone: our UTCDateTime is a plain aware DateTime in DDL."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_item=render_item,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
