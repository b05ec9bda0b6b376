"""`transport contacts`: who the service may message, and the safeguarding blocks."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.options import Format, app_from

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

    from commands.views import console, echo_json, folding_table, literal, write_csv
    from services.contacts import list_contacts

    found, total = list_contacts(
        app_from(ctx), pupil_ref=pupil, blocked_only=blocked, limit=limit or None
    )
    rows = [row.as_dict() for row in found]
    if output is Format.json:
        echo_json(rows)
        return
    if output is Format.csv:
        write_csv(COLUMNS, rows)
        return
    shown = f"{len(rows)} of {total}" if total > len(rows) else str(total)
    table = folding_table(f"Contacts ({shown})",
                          ("Id", "Name", "Email", "Mobile", "Pupils", "Blocked", "By", "At",
                           "Why"))  # fmt: skip
    for row in rows:
        cells = {**row, "blocked": "BLOCKED" if row["blocked"] else ""}
        table.add_row(*(literal(cells[c] or "") for c in COLUMNS))
    console().print(table)
    if total > len(rows):
        typer.echo(
            f"… and {total - len(rows)} more: use --pupil REF, --blocked, --limit N (0 for all) "
            "or --format csv"
        )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="contacts")
