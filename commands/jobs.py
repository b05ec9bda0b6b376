"""`transport jobs`, `transport scheduler` and `transport simulate`: the scheduled work,
by hand, on a timetable, or replayed in memory."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from commands.options import Format, app_from, date_option, today_or
from transport.errors import UsageError

jobs_app = typer.Typer(
    rich_markup_mode=None, help="Run a scheduled job by hand, for a date.", no_args_is_help=True
)
scheduler_app = typer.Typer(
    rich_markup_mode=None, help="The nightly scheduler.", no_args_is_help=True
)


@jobs_app.command("run")
def jobs_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="nightly, dispatch or poll_status.")],
    on: Annotated[
        date | None, date_option("--on", help="The date to run it for (default today).")
    ] = None,
) -> None:
    """Run one job for a date, recorded in job_runs like a scheduled run."""
    from commands.views import echo_json
    from jobs import JOBS
    from jobs.runs import run_job

    if name not in JOBS:
        raise typer.BadParameter(f"expected one of {', '.join(JOBS)}", param_hint="NAME")
    app = app_from(ctx, service=True)
    echo_json(run_job(app, name, today_or(app, on), JOBS[name]))


@jobs_app.command("list")
def jobs_list(
    ctx: typer.Context,
    job: Annotated[
        str | None, typer.Option("--job", help="Only this job: nightly, dispatch or poll_status.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many runs to show.")] = 30,
    output: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
) -> None:
    """Recent job runs, newest first: status (ok, failed, running, abandoned), start,
    duration and counts. Runs whose process died are marked abandoned first."""
    from commands.views import console, echo_json, write_csv
    from commands.views.jobs import RUN_COLUMNS, runs_table
    from jobs import JOBS
    from jobs.runs import recent_runs

    if job is not None and job not in JOBS:
        raise typer.BadParameter(f"expected one of {', '.join(JOBS)}", param_hint="--job")
    app = app_from(ctx)
    runs = recent_runs(app, job=job, limit=limit)
    rows = [run.as_dict() for run in runs]
    if output is Format.json:
        echo_json(rows)
    elif output is Format.csv:
        write_csv(RUN_COLUMNS, [{**row, "counts": json.dumps(row["counts"])} for row in rows])
    else:
        console().print(runs_table(runs, app.tz))


@scheduler_app.command("run")
def scheduler_run(ctx: typer.Context) -> None:
    """Run the scheduler until SIGTERM: the nightly job, dispatch and status polling, in
    the council's timezone. Exit 0 when stopped; 3 when another scheduler is active on
    this database; 4 when another took over its lease."""
    from jobs.scheduler import run_scheduler

    app = app_from(ctx, service=True)
    raise typer.Exit(run_scheduler(app, app.schedule()))


def _team(values: list[str] | None) -> list[str]:
    """Parsed when the option is read, so a bad value is exit 2 naming --team."""
    from transport.domain.council import parse_team

    try:
        parse_team(values or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--team") from None
    return values or []


def simulate(
    ctx: typer.Context,
    start: Annotated[date, date_option("--from", help="First day to replay.")],
    end: Annotated[date, date_option("--to", help="Last day to replay.")],
    reply_rate: Annotated[
        float,
        typer.Option(
            "--reply-rate", min=0.0, max=1.0, help="Share of families who apply after each message."
        ),
    ] = 0.0,
    unprompted_rate: Annotated[
        float | None,
        typer.Option(
            "--unprompted-rate",
            min=0.0,
            max=1.0,
            help="Share of families who apply with no reminder, on the day the first "
            "reminder would have gone (default: half the reply rate). An assumption: "
            "the record cannot say it.",
        ),
    ] = None,
    team: Annotated[
        list[str] | None,
        typer.Option(
            "--team",
            callback=_team,
            metavar="STAGE=N,...",
            help="The team's items a working day for decide, award, arrange or inform, "
            "e.g. decide=20,arrange=15,inform=30; +N or -N changes the measured pace "
            "(decide=+10). A stage not given keeps its measured pace (award: none, the "
            "record does not date awards). Repeatable.",
        ),
    ] = None,
    team_from: Annotated[
        date | None,
        date_option(
            "--team-from", help="Apply --team from this day on (before it: the measured pace)."
        ),
    ] = None,
    rates_as_of: Annotated[
        date | None,
        date_option(
            "--rates-as-of",
            help="Measure the team's pace over the working days before this day "
            "(default: --from), as the backlog forecast does.",
        ),
    ] = None,
    no_reminders: Annotated[
        bool,
        typer.Option(
            "--no-reminders",
            help="Run only the baseline: no reminders, only the families who apply "
            "unprompted. By default both runs are made and compared.",
        ),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for the replies.")] = 1,
    output: Annotated[
        Format,
        typer.Option(
            "--format",
            help="table, json, or csv (one row per child at risk on a first day, per run).",
        ),
    ] = Format.table,
) -> None:
    """Replay the season day by day on a copy of the data (in memory): families reply to
    the reminders at a given rate, and the council's team decides, awards, arranges and
    informs at its pace (items a working day; weekends and bank holidays off), the
    earliest risk date first. Says who would be at risk on each school's first day with
    the reminders and without them, and when each stage clears. Writes and sends
    nothing."""
    from commands.views import console, echo_json, write_csv
    from commands.views.simulation import FIRST_DAY_COLUMNS, first_day_rows, simulation_report
    from jobs.simulate import RUNS
    from jobs.simulate import simulate as run_simulation
    from transport.domain.council import parse_team

    if end < start:
        raise UsageError("--to is before --from")
    if team_from is not None and not team:
        raise UsageError("--team-from needs --team (what changes from that day)")
    comparison = run_simulation(
        app_from(ctx),
        start=start,
        end=end,
        reply_rate=reply_rate,
        unprompted_rate=unprompted_rate,
        seed=seed,
        team=parse_team(team or []),
        team_from=team_from,
        rates_as_of=rates_as_of,
        runs=("no_reminders",) if no_reminders else RUNS,
    )
    if output is Format.json:
        echo_json(comparison.as_dict())
        return
    if output is Format.csv:
        write_csv(FIRST_DAY_COLUMNS, first_day_rows(comparison))
        return
    out = console()
    for renderable in simulation_report(comparison):
        out.print(renderable)


def register(root: typer.Typer) -> None:
    from commands import health  # the monitor's view of the scheduled work

    root.add_typer(jobs_app, name="jobs")
    root.add_typer(scheduler_app, name="scheduler")
    root.command("simulate")(simulate)
    health.register(root)
