"""`transport health`: one command for the council's monitoring (cron, a systemd timer's
OnFailure=, Nagios, Azure Monitor)."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.options import ReportFormat, app_from


def health(
    ctx: typer.Context,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text (a line per concern) or json.")
    ] = ReportFormat.text,
) -> None:
    """Is the service keeping faith with families? A line per concern: the record's age,
    calendar gaps in the window, the last nightly and dispatch (failed, abandoned or
    late), each channel (down since when), messages failed or unknown in the last day,
    open tasks past due. Exit 0 when all is well, 1 when something needs a person, 2 when
    it cannot tell (no database, no data). Reads only; sends nothing."""
    from commands.views import console, echo_json
    from commands.views.health import health_lines
    from commands.views.tables import paragraph
    from services.health import health as check_health

    report = check_health(app_from(ctx))
    if output is ReportFormat.json:
        echo_json(report.as_dict())
    else:
        out = console()
        for lead, text in health_lines(report):
            out.print(paragraph(text, out.width, lead=lead))
    raise typer.Exit(report.exit_code)


def register(root: typer.Typer) -> None:
    root.command("health")(health)
