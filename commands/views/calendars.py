"""`transport calendars` for people: a block per calendar, the missing ones first."""

from __future__ import annotations

from commands.views import console, plain
from commands.views.tables import Line, Sheet, value
from services.calendars import CalendarsReport
from transport.domain.calendar import format_academic_year
from transport.domain.dates_text import day_year

SCHOOLS_SHOWN = 10


def render(report: CalendarsReport) -> None:
    from rich.text import Text

    out = console()
    years = ", ".join(format_academic_year(y) for y in report.academic_years)
    out.print(Text(f"Term calendars, {years} (as of {day_year(report.as_of)})", "bold"))
    if not report.calendars:
        out.print("No calendar: import schools.csv and terms.csv.")
        return
    for line in report.calendars:
        out.print()
        count = len(line.schools)
        named = ", ".join(f"{urn} {name}".strip() for urn, name in line.schools[:SCHOOLS_SHOWN])
        more = f" and {count - SCHOOLS_SHOWN} more" if count > SCHOOLS_SHOWN else ""
        followed = f"{count} school{'s' if count != 1 else ''}" + (
            f": {named}{more}" if count else ""
        )
        out.print(Line(followed, lead=f"{plain(line.name)}  "))
        for missing in line.missing:
            start = f"{day_year(missing.first_assumed)}" if missing.first_assumed else "no day"
            out.print(
                Line(
                    f"MISSING {format_academic_year(missing.academic_year)}: "
                    f"{', '.join(missing.terms)}; the check assumes school days from {start}",
                    "bold red",
                    lead="  ",
                )
            )
        if line.terms:
            terms = Sheet("", [value("Year"), value("Term"), value("First day"),
                               value("Last day"), value("First school day")])  # fmt: skip
            for term, first in line.terms:
                terms.add_row(
                    format_academic_year(term.academic_year),
                    term.name,
                    f"{day_year(term.first_day)}",
                    f"{day_year(term.last_day)}",
                    f"{day_year(first)}" if first else "none",
                )
            out.print(terms)
        else:
            out.print("  No terms for these years.")
        if line.closures:
            closures = Sheet("", [value("From"), value("To"), value("School"), value("Kind")])
            for closure in line.closures:
                closures.add_row(
                    f"{day_year(closure.first_day)}",
                    f"{day_year(closure.last_day)}",
                    closure.urn or "all",
                    closure.kind,
                )
            out.print(closures)
