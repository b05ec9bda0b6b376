"""`transport retention apply`: redact old message bodies and purge pupils who left long
ago, as [retention] says (the nightly job runs it too)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from commands.options import AsOf, actor_from, app_from, today_or

app = typer.Typer(
    rich_markup_mode=None,
    help="How long the record keeps personal data ([retention] in the config).",
    no_args_is_help=True,
)


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


@app.command("apply")
def retention_apply(
    ctx: typer.Context,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Say what would be redacted and purged; write nothing."),
    ] = False,
    as_of: AsOf = None,
    output: Annotated[TableOrJson, typer.Option("--format", help="table or json.")] = (
        TableOrJson.table
    ),
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who runs it (the audit log's actor). Default: the OS user."),
    ] = None,
) -> None:
    """Redact settled messages older than [retention] message_bodies_days (400) to their
    metadata, deleting their files in the file outbox, and purge pupils left for more
    than [retention] left_pupils_years (2) with their contacts linked to no remaining
    pupil, messages, tasks, awards, applications, arrangements and snapshot rows. One
    transaction, audited with anonymous counts; a second run finds nothing to do."""
    from commands.views import echo_json
    from commands.views.retention import print_report
    from services.retention import apply_retention

    actor = actor_from(by)
    built = app_from(ctx)
    day: date = today_or(built, as_of)
    report = apply_retention(built, as_of=day, actor=actor, dry_run=dry_run)
    if output is TableOrJson.json:
        echo_json(report.as_dict())
    else:
        print_report(report)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="retention")
