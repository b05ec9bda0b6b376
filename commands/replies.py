"""`transport replies`: the texts families sent back (not STOP or START, which act on
their own), for the team to read. Each contact's (or unknown number's) replies open one
read_reply task in `transport tasks list`."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.options import Format, app_from

app = typer.Typer(
    rich_markup_mode=None, help="Texts families sent back, to read.", no_args_is_help=True
)
COLUMNS = ["id", "received_at", "contact_id", "from", "kind", "text"]


@app.command("list")
def replies_list(
    ctx: typer.Context,
    contact: Annotated[int | None, typer.Option("--contact", help="Only this contact's.")] = None,
    number: Annotated[
        str | None, typer.Option("--number", help="Only texts from this number (any UK form).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most N (0: all).")] = 100,
    output: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
) -> None:
    """Texts received, newest first: replies with their words (kept for [retention]
    message_bodies_days), and STOP, START and HELP as what they did."""
    from commands.views import console, echo_json, tables, write_csv
    from services.replies import list_replies
    from transport.domain.dates_text import short_moment

    app = app_from(ctx)
    found = list_replies(app, contact_id=contact, number=number, limit=limit)
    rows = [reply.as_dict() for reply in found]
    if output is Format.json:
        echo_json(rows)
        return
    if output is Format.csv:
        write_csv(COLUMNS, rows)
        return
    table = tables.Sheet(f"Texts received ({len(rows)})", [
        tables.number("Id"), tables.value("Received"), tables.number("Contact"),
        tables.value("From"), tables.value("Kind"), tables.prose("Text"),
    ])  # fmt: skip
    for reply, row in zip(found, rows, strict=True):
        received = short_moment(reply.received_at, app.tz)
        table.add_row(*(received if c == "received_at" else row[c] for c in COLUMNS))
    console().print(table)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="replies")
