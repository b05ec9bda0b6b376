"""`transport db`: create or migrate the schema."""

from __future__ import annotations

import typer

from commands.options import app_from

app = typer.Typer(
    rich_markup_mode=None, help="Create or migrate the database schema.", no_args_is_help=True
)


@app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the schema, or migrate it to the newest revision."""
    from transport.db.schema import current_revision, upgrade

    engine = app_from(ctx, create=True).engine
    before = upgrade(engine)
    typer.echo(f"schema at revision {current_revision(engine)} (was {before or 'empty'})")


@app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the schema revision of the database."""
    from transport.db.schema import HEAD, current_revision

    app = app_from(ctx)
    app.require_file()
    revision = current_revision(app.engine)
    typer.echo(f"{revision or 'empty'} (code needs {HEAD})")
