"""`transport calendars`: the term calendars, their schools, terms and closures, and what
is missing."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.options import AsOf, ReportFormat, app_from, today_or
from transport.errors import UsageError


def calendars(
    ctx: typer.Context,
    academic_year: Annotated[
        str | None,
        typer.Option(
            "--academic-year",
            help="Only this academic year (2026/27); default: the years the check's window "
            "reaches from --as-of.",
            metavar="YYYY/YY",
        ),
    ] = None,
    as_of: AsOf = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """Each term calendar: the schools that follow it, its terms (with each first school
    day) and closures, and the terms it lacks, which the check fills with assumed days:
    the schools to chase for their dates."""
    from commands.views import echo_json
    from commands.views.calendars import calendars_json, render
    from services.calendars import calendars_report
    from transport.domain.calendar import parse_academic_year

    year = None
    if academic_year is not None:
        year = parse_academic_year(academic_year)
        if year is None:
            raise UsageError(
                f"--academic-year: expected an academic year like 2026/27, got {academic_year!r}"
            )
    app = app_from(ctx)
    report = calendars_report(app, as_of=today_or(app, as_of), academic_year=year)
    if output is ReportFormat.json:
        echo_json(calendars_json(report))
        return
    render(report)


def register(root: typer.Typer) -> None:
    root.command("calendars")(calendars)
