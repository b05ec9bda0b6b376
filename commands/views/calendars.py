"""`transport calendars` for people (a block per calendar, the missing ones first) and
for scripts (`--format json`)."""

from __future__ import annotations

from typing import Any

from commands.views import console, plain
from commands.views.tables import Line, Sheet, value
from services.calendars import CalendarLine, CalendarsReport, Missing
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


def calendars_json(report: CalendarsReport) -> dict[str, Any]:
    """`transport calendars --format json`: the years, and each calendar's schools,
    terms (with each first school day), closures and missing terms."""
    return {
        "as_of": report.as_of.isoformat(),
        "horizon_days": report.horizon_days,
        "academic_years": [format_academic_year(y) for y in report.academic_years],
        "calendars": [_calendar_json(line) for line in report.calendars],
    }


def _calendar_json(line: CalendarLine) -> dict[str, Any]:
    return {
        "calendar": line.name,
        "schools": [{"urn": urn, "name": name} for urn, name in line.schools],
        "terms": [
            {
                "academic_year": format_academic_year(term.academic_year),
                "term": term.name,
                "first_day": term.first_day.isoformat(),
                "last_day": term.last_day.isoformat(),
                "first_school_day": first.isoformat() if first else None,
            }
            for term, first in line.terms
        ],
        "closures": [
            {
                "first_day": c.first_day.isoformat(),
                "last_day": c.last_day.isoformat(),
                "urn": c.urn,
                "kind": c.kind,
            }
            for c in line.closures
        ],
        "missing": [_missing_json(m) for m in line.missing],
    }


def _missing_json(missing: Missing) -> dict[str, Any]:
    return {
        "academic_year": format_academic_year(missing.academic_year),
        "terms": list(missing.terms),
        "from": missing.first_assumed.isoformat() if missing.first_assumed else None,
    }
