"""`transport contacts`: who the service may message, and the safeguarding blocks."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from commands.options import Format, app_from, date_option
from transport.errors import UsageError

app = typer.Typer(
    rich_markup_mode=None, help="Contacts and safeguarding blocks.", no_args_is_help=True
)

COLUMNS = [
    "id",
    "name",
    "email",
    "mobile",
    "pupils",
    "blocked",
    "blocked_by",
    "blocked_at",
    "block_reason",
]
Contact = Annotated[
    str, typer.Argument(help="The contact id, or an email, or a mobile in any UK form.")
]
By = Annotated[str, typer.Option("--by", help="Who does it (audit log).")]
Reason = Annotated[str, typer.Option("--reason", help="Why (audit log).")]


@app.command("block")
def contacts_block(ctx: typer.Context, contact: Contact, by: By, reason: Reason) -> None:
    """Never message this contact again, from now: messages not yet sent are cancelled."""
    from services.contacts import block

    result = block(app_from(ctx), contact, by=by, reason=reason)
    for contact_id in result.contact_ids:
        state = "blocked" if contact_id in result.changed else "already blocked"
        typer.echo(f"contact {contact_id} {state}")
    typer.echo(f"{len(result.cancelled)} queued message(s) cancelled")


@app.command("unblock")
def contacts_unblock(ctx: typer.Context, contact: Contact, by: By, reason: Reason) -> None:
    """Lift a block (only this command can: an import never does)."""
    from services.contacts import unblock

    result = unblock(app_from(ctx), contact, by=by, reason=reason)
    for contact_id in result.contact_ids:
        state = "unblocked" if contact_id in result.changed else "was not blocked"
        typer.echo(f"contact {contact_id} {state}")


@app.command("list")
def contacts_list(
    ctx: typer.Context,
    pupil: Annotated[str | None, typer.Option("--pupil", help="Only this pupil's.")] = None,
    blocked: Annotated[
        bool, typer.Option("--blocked", help="Only blocked contacts (safeguarding).")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="At most N contacts, by id (0: all).")
    ] = 100,
    output: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
) -> None:
    """Contacts (of a pupil, or all linked or blocked ones), with who blocked them, when
    and why: the first 100 by id unless --limit says otherwise."""

    from commands.views import console, echo_json, national, write_csv
    from commands.views.tables import Sheet, number, prose, value
    from services.contacts import list_contacts
    from transport.domain.dates_text import short_moment

    app = app_from(ctx)
    found, total = list_contacts(app, pupil_ref=pupil, blocked_only=blocked, limit=limit or None)
    rows = [row.as_dict() for row in found]
    if output is Format.json:
        echo_json(rows)
        return
    if output is Format.csv:
        write_csv(COLUMNS, rows)
        return
    shown = f"{len(rows)} of {total}" if total > len(rows) else str(total)
    table = Sheet(f"Contacts ({shown})", [
        number("Id"), prose("Name"), value("Email"), value("Mobile"), value("Pupils"),
        value("Blocked", optional=True), prose("By", optional=True),
        value("At", optional=True), prose("Why", optional=True),
    ])  # fmt: skip
    for contact, row in zip(found, rows, strict=True):
        blocked_at = contact.blocked_at
        cells = {
            **row,
            "blocked": "BLOCKED" if row["blocked"] else "",
            "mobile": national(row["mobile"]) if row["mobile"] else "",
            "pupils": "\n".join(row["pupils"].split()) if row["pupils"] else "",
            "blocked_at": short_moment(blocked_at, app.tz) if blocked_at else "",
        }
        table.add_row(*(cells[c] for c in COLUMNS))
    console().print(table)
    if total > len(rows):
        typer.echo(
            f"… and {total - len(rows)} more: use --pupil REF, --blocked, --limit N (0 for all) "
            "or --format csv"
        )


@app.command("reset-status")
def contacts_reset_status(
    ctx: typer.Context,
    since: Annotated[date, date_option("--since", help="Marks made on or after this day.")],
    email_bounced: Annotated[
        bool, typer.Option("--email-bounced", help="Clear email addresses marked bounced.")
    ] = False,
    code: Annotated[
        str | None,
        typer.Option(
            "--code", help="Only marks whose refusal carried this enhanced code (5.7, 5.1.1)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say which contacts, change nothing.")
    ] = False,
    by: Annotated[str, typer.Option("--by", help="Who does it (audit log).")] = "",
) -> None:
    """Clear the bounce marks a past mail-relay misconfiguration made (a relay that refused
    every recipient marked good addresses bounced). Audited; never touches an opt-out
    (STOP) or an invalid number. Then `transport outbox retry --status failed_permanent
    --since D --by NAME` queues their messages again."""
    from services.contacts import reset_bounces

    if not email_bounced:
        raise UsageError("say which marks to clear: --email-bounced")
    result = reset_bounces(app_from(ctx), since=since, code=code, by=by, dry_run=dry_run)
    ids = "".join(f" {contact_id}" for contact_id in result.contact_ids)
    verb = "would clear" if result.dry_run else "cleared"
    typer.echo(f"email bounce marks {verb}: {len(result.contact_ids)} contact(s){ids}")
    if result.contact_ids and not result.dry_run:
        typer.echo(
            f"their failed messages: transport outbox retry --status failed_permanent "
            f"--since {since.isoformat()} --by NAME"
        )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="contacts")
