"""The risk check's three views: JSON for scripts, CSV for spreadsheets, a table for people.

The JSON keys are a contract (docs/check.md); extra keys may be added.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any

from commands.views import literal, safe_cell
from commands.views.tables import Line, Sheet, number, prose, value
from services.check import CheckCounts, CheckOutcome
from transport.domain.calendar import format_academic_year
from transport.domain.dates_text import LONDON, day, day_month, day_year, moment_text
from transport.domain.forecast import StageForecast, describe
from transport.domain.risk import PupilRisk
from transport.vocabulary import REASON_HELP, SEVERITY_ORDER


@dataclass(frozen=True)
class Names:
    """Names for the people who read an export: the listed children's, and every school's."""

    pupils: Mapping[str, str]
    schools: Mapping[str, str]


def as_json(
    outcome: CheckOutcome,
    *,
    only_new: bool = False,
    names: Names | None = None,
    forecast: Sequence[StageForecast] = (),
) -> dict[str, Any]:
    return {
        **_head(outcome, forecast),
        "at_risk": [_item(outcome, risk, names) for risk in outcome.listed(only_new=only_new)],
    }


# Up to this many children the JSON is indented for people; beyond, compact (the C
# encoder, 5x faster) and written a child at a time.
INDENTED = 5000
_BATCH = 1000  # children a piece of the compact JSON holds


def json_pieces(
    outcome: CheckOutcome,
    *,
    only_new: bool = False,
    names: Names | None = None,
    forecast: Sequence[StageForecast] = (),
) -> Iterator[str]:
    """`as_json` as text, in pieces to write one after the other: a large county's list
    is never held as one text, nor as a dict for every child at once."""
    listed = outcome.listed(only_new=only_new)
    if len(listed) <= INDENTED:
        yield json.dumps(as_json(outcome, only_new=only_new, names=names, forecast=forecast),
                         indent=2) + "\n"  # fmt: skip
        return
    head = json.dumps(_head(outcome, forecast))
    yield head[:-1] + ', "at_risk": ['  # "at_risk" is the last key, as in as_json
    for start in range(0, len(listed), _BATCH):
        items = (json.dumps(_item(outcome, risk, names)) for risk in listed[start : start + _BATCH])
        yield (", " if start else "") + ", ".join(items)
    yield "]}\n"


def _head(outcome: CheckOutcome, forecast: Sequence[StageForecast]) -> dict[str, Any]:
    """Every key of the JSON but the list of children."""
    result = outcome.result
    baseline = outcome.baseline
    return {
        "as_of": result.as_of.isoformat(),
        "horizon_days": result.horizon_days,
        "school_urn": outcome.school_urn,
        "compared_with": None
        if baseline is None
        else {"as_of": baseline.as_of.isoformat(), "run_at": baseline.run_at.isoformat()},
        "data_imported_at": (
            outcome.data_imported_at.isoformat() if outcome.data_imported_at else None
        ),
        "counts": counts_json(outcome.counts()),
        "calendar_gaps": [gap.as_dict() for gap in outcome.gaps],
        "warnings": warnings(outcome),
        "forecast": [stage.as_dict() for stage in forecast],
    }


def counts_json(counts: CheckCounts) -> dict[str, Any]:
    """The JSON's ``counts``: totals by severity, ``by_reason`` (every reason), and ``new``
    when there is a baseline (docs/check.md)."""
    data: dict[str, Any] = {"in_scope": counts.in_scope, "at_risk": counts.at_risk}
    data.update({severity: counts.of(severity) for severity in SEVERITY_ORDER})
    data["by_reason"] = {str(reason): n for reason, n in counts.by_reason}
    if counts.new is not None:
        data["new"] = counts.new
    return data


NO_CHILDREN = (
    "no child is in scope of the check: this is not an all-clear; the record holds no "
    "active pupil with an award this term or last, nor an application for a year the "
    "window reaches; import the council's pupils.csv, awards.csv and applications.csv"
)


def warnings(outcome: CheckOutcome, *, gaps: bool = True, tz: tzinfo = LONDON) -> list[str]:
    """The check's warnings in words (``gaps``: with one for each calendar gap), times in
    the council's local time."""
    found = []
    if outcome.no_children:
        found.append(NO_CHILDREN)
    if outcome.stale and outcome.data_imported_at is not None:
        found.append(
            "the record's children were last imported on "
            f"{moment_text(outcome.data_imported_at, tz)} (pupils.csv, awards.csv or "
            "applications.csv): children at risk since then are not shown; import the "
            "council's latest export"
        )
    elif outcome.stale:
        found.append(
            "no import has carried rows of pupils.csv, awards.csv or applications.csv: the "
            "record holds no children's data to check; import the council's export"
        )
    if gaps:
        found.extend(gap.describe() for gap in outcome.gaps)
    return found


def _item(outcome: CheckOutcome, risk: PupilRisk, names: Names | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pupil_ref": risk.pupil_ref,
        "school_urn": risk.school_urn,
        "risk_date": risk.risk_date.isoformat(),
        "days_until": risk.days_until,
        "severity": risk.severity,
        "reasons": [reason.value for reason in risk.reasons],
        "next_school_urn": risk.next_school_urn,
        "uncovered_from": risk.uncovered_from.isoformat() if risk.uncovered_from else None,
        "uncovered_from_assumed": risk.uncovered_assumed,
        "uncovered_term": risk.uncovered_term,
    }
    new = outcome.is_new(risk.pupil_ref)
    if new is not None:
        item["new"] = new
    if names is not None:
        item["pupil_name"] = names.pupils.get(risk.pupil_ref, "")
        item["school_name"] = names.schools.get(risk.school_urn, "")
    return item


CSV_COLUMNS = (
    "pupil_ref",
    "school_urn",
    "next_school_urn",
    "risk_date",
    "days_until",
    "severity",
    "reasons",
    "new",
)
NAME_COLUMNS = ("pupil_name", "school_name")  # last, so column positions stay as they were


def as_csv(outcome: CheckOutcome, *, only_new: bool = False, names: Names | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + (NAME_COLUMNS if names is not None else ()))
    for risk in outcome.listed(only_new=only_new):
        new = outcome.is_new(risk.pupil_ref)
        named = (
            ()
            if names is None
            else (names.pupils.get(risk.pupil_ref, ""), names.schools.get(risk.school_urn, ""))
        )
        writer.writerow(
            safe_cell(cell)
            for cell in (
                risk.pupil_ref,
                risk.school_urn,
                risk.next_school_urn or "",
                risk.risk_date.isoformat(),
                risk.days_until,
                risk.severity,
                " ".join(risk.reasons),
                "" if new is None else ("yes" if new else "no"),
                *named,
            )
        )
    return out.getvalue()


SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "green",
}


def render_table(
    outcome: CheckOutcome,
    *,
    pupils: Mapping[str, str],
    schools: Mapping[str, str],
    only_new: bool = False,
    limit: int | None = None,
    forecast: Sequence[StageForecast] = (),
    tz: tzinfo = LONDON,
) -> Iterable[Any]:
    """Rich renderables for the 7am read: totals, reasons, schools, then the children,
    most urgent first."""
    from rich.text import Text

    result = outcome.result
    data = outcome.counts()
    last = result.as_of + timedelta(days=result.horizon_days)
    title = Text.assemble(
        ("Day-one transport risk", "bold"),
        f"  as of {day_year(result.as_of)}, school days to {day_year(last)}",
    )
    if outcome.school_urn:
        name = schools.get(outcome.school_urn, "?")
        title.append(literal(f"  school {outcome.school_urn} ({name})"))
    yield title
    yield from gap_lines(outcome)
    if outcome.data_imported_at is not None:
        yield Text(f"Children's records last imported {moment_text(outcome.data_imported_at, tz)}")
    for warning in warnings(outcome, gaps=False, tz=tz):
        yield Line(warning, "bold yellow", lead="Warning: ")
    summary = Text(f"{data.in_scope} children in scope, {data.at_risk} at risk: ")
    for severity in SEVERITY_ORDER:
        summary.append(f"{data.of(severity)} {severity}", SEVERITY_STYLE[severity])
        summary.append("  ")
    if data.new is not None and outcome.baseline is not None:
        summary.append(f"({data.new} new since the check of {day_month(outcome.baseline.as_of)})")
    yield summary
    lines = forecast_lines(forecast)
    if lines:
        yield Text("Will the team finish in time?", "bold")
        for line in lines:
            yield Line(line, "bold red" if "SHORT" in line else "", lead="  ")
    if not result.at_risk:
        if outcome.gaps:  # never an all-clear while term dates are missing
            yield Line(
                "No child is listed at risk, but term dates are missing (above): children "
                "at those schools are checked on assumed days; import the terms.",
                "bold yellow",
            )
        elif not outcome.no_children:
            yield Text("No child is at risk in the window.", "bold green")
        return

    reasons = Sheet("By reason", [value("Reason"), number("Children"), prose("Meaning")])
    for code, count in data.by_reason:
        if count:
            reasons.add_row(code, str(count), REASON_HELP[code])

    by_school = Counter(risk.school_urn for risk in result.at_risk)
    worst = Counter(
        risk.school_urn for risk in result.at_risk if risk.severity in ("critical", "high")
    )
    school_table = Sheet(
        "By school (most at risk first)",
        [value("URN"), prose("School"), number("At risk"), number("Critical/high")],
    )
    for urn, count in by_school.most_common(10):
        school_table.add_row(urn, schools.get(urn, ""), str(count), str(worst.get(urn, 0)))
    yield reasons
    yield school_table

    risks = outcome.listed(only_new=only_new)
    shown = risks if limit is None else risks[:limit]
    if not risks:  # only_new, and nobody is new
        since = f" since the check of {day(outcome.baseline.as_of)}" if outcome.baseline else ""
        yield Text(f"No child is newly at risk{since}.", "bold green")
        return
    yield _children_table(outcome, shown, pupils, schools)
    if len(shown) < len(risks):
        yield Text(
            f"… and {len(risks) - len(shown)} more: use --limit 0 for all, or --format csv",
            "italic",
        )


SCHOOLS_SHOWN = 8  # a calendar's schools named in the table (all in JSON)


def gap_lines(outcome: CheckOutcome) -> Iterable[Any]:
    """Calendar gaps, said first: each calendar, its missing terms, the first assumed day,
    its schools."""
    from rich.text import Text

    if not outcome.gaps:
        return
    yield Line(
        "TERM DATES MISSING: these calendars lack terms the window reaches; the check counts "
        "assumed days for them (the earliest plausible) and marks its children NO_TERM_DATES",
        "bold red",
    )
    for gap in outcome.gaps:
        start = f"{day_year(gap.first_assumed)}" if gap.first_assumed else "no day"
        urns = ", ".join(gap.schools[:SCHOOLS_SHOWN])
        more = len(gap.schools) - SCHOOLS_SHOWN
        urns += f" and {more} more" if more > 0 else ""
        yield Line(
            f"{gap.calendar} {format_academic_year(gap.academic_year)}: no "
            f"{', '.join(gap.terms)} dates; assumed from {start}; {gap.pupils} "
            f"{_children(gap.pupils)} in scope; schools {urns}",
            lead="  ",
        )
    yield Text("  Import the terms (transport calendars lists what is missing).", "italic")


def _children(count: int) -> str:
    return "child" if count == 1 else "children"


def _school_of(risk: PupilRisk, schools: Mapping[str, str]) -> str:
    school = schools.get(risk.school_urn, risk.school_urn)
    if risk.next_school_urn and risk.next_school_urn != risk.school_urn:
        school += f" → {schools.get(risk.next_school_urn, risk.next_school_urn)}"
    return school


def _children_table(
    outcome: CheckOutcome,
    shown: list[PupilRisk],
    pupils: Mapping[str, str],
    schools: Mapping[str, str],
) -> Sheet:
    """The children at risk. The reason codes and the references are what the team acts
    on: never cut. On a narrow terminal the name goes under the reference, the days under
    the date, "new" under the severity, and the school wraps."""
    from rich.text import Text

    compared = outcome.baseline is not None
    children = Sheet("Children at risk, most urgent first", [
        value("Severity"), value("From"), value("Days", under="From"), value("Pupil"),
        prose("Name", under="Pupil", optional=True), prose("School"), value("Reasons"),
        *([value("New", under="Severity")] if compared else []),
    ])  # fmt: skip
    for risk in shown:
        row: list[Any] = [
            Text(risk.severity, SEVERITY_STYLE[risk.severity]),
            f"{day(risk.risk_date)}",
            f"{risk.days_until} days",
            risk.pupil_ref,
            pupils.get(risk.pupil_ref, ""),
            _school_of(risk, schools),
            "\n".join(risk.reasons),
        ]
        if compared:
            row.append(Text("new", "bold") if outcome.is_new(risk.pupil_ref) else "")
        children.add_row(*row)
    return children


def forecast_lines(stages: Sequence[StageForecast]) -> list[str]:
    """The forecast in words, a stage a line, the stages the team is short on first."""
    outstanding = [stage for stage in stages if stage.outstanding]
    ordered = sorted(outstanding, key=lambda s: (s.on_track is not False, STAGE_ORDER[s.stage]))
    return [describe(stage) for stage in ordered]


STAGE_ORDER = {
    "chase": 0, "decide": 1, "award": 2, "arrange": 3, "inform": 4, "reach": 5, "dates": 6,
}  # fmt: skip
