"""`transport check`: which children will have no transport on their next school day."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from commands.options import AsOf, FailOn, app_from, today_or
from transport.errors import UsageError
from transport.vocabulary import SEVERITY_ORDER

if TYPE_CHECKING:  # the heavy modules load when a command runs, not for --help
    from collections.abc import Iterable, Sequence

    from services.app import App
    from services.check import CheckOutcome
    from transport.domain.forecast import StageForecast


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


class ForecastFormat(StrEnum):
    text = "text"
    json = "json"


def check(
    ctx: typer.Context,
    as_of: AsOf = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", min=0, help="Window in days (default 120).")
    ] = None,
    school: Annotated[
        str | None, typer.Option("--school", help="Only pupils at this URN, now or next year.")
    ] = None,
    output: Annotated[
        CheckFormat, typer.Option("--format", help="table, json, csv, or html (a report).")
    ] = CheckFormat.table,
    file: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help="Write to this file (private: 0600) instead of the terminal; for html.",
            dir_okay=False,
        ),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 if a child is at or above this severity.")
    ] = FailOn.none,
    new_since_last: Annotated[
        bool,
        typer.Option(
            "--new-since-last",
            help="List only children not at risk in the latest check of an earlier date.",
        ),
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Table rows to show (0: all).")] = 50,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Keep this run as a snapshot.")
    ] = True,
) -> None:
    """Which children will have no transport on their next school day, from when, and why."""
    from services.check import run_check
    from transport.gc_tuning import full_passes_held

    if file is not None and output is CheckFormat.table:
        raise UsageError("--output goes with --format json, csv or html")
    app = app_from(ctx)
    outcome = run_check(
        app, as_of=today_or(app, as_of), horizon_days=horizon, school_urn=school, save=save
    )
    with full_passes_held():  # a list of every child at risk: see transport/gc_tuning.py
        show(app, outcome, output, only_new=new_since_last, limit=limit or None, file=file)
    if outcome.not_saved:
        typer.echo(
            f"warning: this check was not kept as a snapshot ({outcome.not_saved}); "
            "`--new-since-last` tomorrow will compare with an older run",
            err=True,
        )
    if fail_on is not FailOn.none:
        from transport.domain.calendar_gaps import gaps_due

        due = gaps_due(outcome.gaps, outcome.result.as_of, app.settings.check.thresholds)
        if due:  # the whole record's calendars, whatever --school says
            named = "; ".join(gap.describe() for gap in due)
            typer.echo(f"error: term dates are missing: {named}: no all-clear", err=True)
            raise typer.Exit(1)
        if outcome.no_children:
            typer.echo("error: no child is in scope (see the warning): no all-clear", err=True)
            raise typer.Exit(1)
        if outcome.stale:
            typer.echo("error: the record is out of date (see the warning): no all-clear", err=True)
            raise typer.Exit(1)
        worst = SEVERITY_ORDER.index(fail_on.value)
        if any(SEVERITY_ORDER.index(r.severity) <= worst for r in outcome.result.at_risk):
            raise typer.Exit(1)


def show(
    app: App,
    outcome: CheckOutcome,
    output: CheckFormat,
    *,
    only_new: bool,
    limit: int | None,
    file: Path | None = None,
) -> None:
    from commands.views import check as views
    from commands.views import console, write_private
    from services.check import backlog_forecast, names_for

    stages = backlog_forecast(app, outcome)
    names = None
    if output in (CheckFormat.json, CheckFormat.csv) and app.settings.check.names_in_exports:
        pupils, schools = names_for(app, [r.pupil_ref for r in outcome.listed(only_new=only_new)])
        names = views.Names(pupils, schools)
    text: str | Iterable[str] | None = None
    if output is CheckFormat.json:
        # Indented for people; for a large county compact, and written in pieces.
        text = views.json_pieces(outcome, only_new=only_new, names=names, forecast=stages)
    elif output is CheckFormat.csv:
        text = views.as_csv(outcome, only_new=only_new, names=names)
    elif output is CheckFormat.html:
        text = _html(app, outcome, only_new=only_new, stages=stages)
    if text is not None:
        if file is None:
            sys.stdout.writelines([text] if isinstance(text, str) else text)
        else:
            write_private(file, text)
            typer.echo(f"written to {file}", err=True)
        return
    shown = outcome.listed(only_new=only_new)[: limit or None]
    pupils, schools = names_for(app, [risk.pupil_ref for risk in shown])
    out = console()
    for renderable in views.render_table(
        outcome,
        pupils=pupils,
        schools=schools,
        only_new=only_new,
        limit=limit,
        forecast=stages,
        tz=app.tz,
    ):
        out.print(renderable)


def _html(
    app: App, outcome: CheckOutcome, *, only_new: bool, stages: Sequence[StageForecast]
) -> str:
    from commands.views.report import LIST_LIMIT, html_report
    from services.check import report_people, trend

    listed = outcome.listed(only_new=only_new)[:LIST_LIMIT]
    people = report_people(app, [risk.pupil_ref for risk in listed])
    return html_report(
        outcome,
        council=app.settings.council.name,
        pupils=people.pupils,
        schools=people.schools,
        needs=people.needs,
        marking=app.settings.report_marking,
        trend=trend(app, up_to=outcome.result.as_of),
        forecast=stages,
        made_at=app.clock.now(),
    )


def forecast(
    ctx: typer.Context,
    as_of: AsOf = None,
    output: Annotated[
        ForecastFormat, typer.Option("--format", help="text or json.")
    ] = ForecastFormat.text,
) -> None:
    """Will the team finish in time? For each stage of work (chase, decide, award, arrange,
    inform, reach): what is outstanding, by when, the pace the team actually kept over the
    last working days, when the work clears at that pace, and the pace it needs."""
    from commands.views import console, echo_json
    from commands.views.check import forecast_lines
    from commands.views.tables import Line, show
    from services.check import backlog_forecast, run_check

    app = app_from(ctx)
    outcome = run_check(app, as_of=today_or(app, as_of), save=False)
    stages = backlog_forecast(app, outcome)
    if output is ForecastFormat.json:
        echo_json({"as_of": outcome.result.as_of.isoformat(),
                   "forecast": [stage.as_dict() for stage in stages]})  # fmt: skip
        return
    lines = forecast_lines(stages) or ["No work is outstanding: every stage is clear."]
    show(console(), *(Line(line) for line in lines))


def register(root: typer.Typer) -> None:
    from commands.calendars import calendars

    root.command("check")(check)
    root.command("forecast")(forecast)
    root.command("calendars")(calendars)  # the calendars the check counts school days by
