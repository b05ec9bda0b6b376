"""Alembic environment: runs against the connection handed in by transport.db.schema."""

from __future__ import annotations

from alembic import context

from transport.db.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the `alembic` command line gets here
    from transport.db.engine import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///transport.db")
    connection = engine.connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
