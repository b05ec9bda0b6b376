"""`transport audit`: read the audit log (no command changes it)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from commands.options import Format, app_from, date_option


def audit(
    ctx: typer.Context,
    pupil: Annotated[
        str | None, typer.Option("--pupil", help="Only events about this pupil (pupil_ref).")
    ] = None,
    since: Annotated[
        date | None, date_option("--since", help="From this day on (UK time).")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Only this actor (a --by name or OS user).")
    ] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="Only this action (e.g. update, decide).")
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most N events.")] = 100,
) -> None:
    """The audit log, newest first: who changed what, when (imports, decisions, blocks,
    tasks done, messages settled by hand)."""
    from commands.views.audit import show_events
    from services.audit import read_audit

    lines = read_audit(
        app_from(ctx), pupil_ref=pupil, since=since, actor=actor, action=action, limit=limit
    )
    show_events(lines, output)


def register(root: typer.Typer) -> None:
    root.command("audit")(audit)
