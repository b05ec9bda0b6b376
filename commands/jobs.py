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
    runs = recent_runs(app_from(ctx), job=job, limit=limit)
    rows = [run.as_dict() for run in runs]
    if output is Format.json:
        echo_json(rows)
    elif output is Format.csv:
        write_csv(RUN_COLUMNS, [{**row, "counts": json.dumps(row["counts"])} for row in rows])
    else:
        console().print(runs_table(runs))


@scheduler_app.command("run")
def scheduler_run(ctx: typer.Context) -> None:
    """Run the scheduler until SIGTERM: the nightly job, dispatch and status polling, in
    the council's timezone. Exit 0 when stopped; 3 when another scheduler is active on
    this database; 4 when another took over its lease."""
    from jobs.scheduler import run_scheduler

    app = app_from(ctx, service=True)
    raise typer.Exit(run_scheduler(app, app.schedule()))


def simulate(
    ctx: typer.Context,
    start: Annotated[date, date_option("--from", help="First day to replay (YYYY-MM-DD).")],
    end: Annotated[date, date_option("--to", help="Last day to replay (YYYY-MM-DD).")],
    reply_rate: Annotated[
        float,
        typer.Option(
            "--reply-rate", min=0.0, max=1.0, help="Share of families who apply after each message."
        ),
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for the replies.")] = 1,
    output: Annotated[
        Format,
        typer.Option(
            "--format",
            help="table, json, or csv (one row per child still at risk on a first day).",
        ),
    ] = Format.table,
) -> None:
    """Replay the nightly ladder day by day on a copy of the data (in memory) with families
    replying at a given rate: what each family would get, the tasks opened, and who would
    still be at risk on each school's first day. Writes and sends nothing."""
    from commands.views import console, echo_json, write_csv
    from commands.views.simulation import FIRST_DAY_COLUMNS, first_day_rows, simulation_report
    from jobs.simulate import simulate as run_simulation

    if end < start:
        raise UsageError("--to is before --from")
    sim = run_simulation(app_from(ctx), start=start, end=end, reply_rate=reply_rate, seed=seed)
    if output is Format.json:
        echo_json(sim.as_dict())
        return
    if output is Format.csv:
        write_csv(FIRST_DAY_COLUMNS, first_day_rows(sim))
        return
    out = console()
    for renderable in simulation_report(sim, seed=seed):
        out.print(renderable)


def register(root: typer.Typer) -> None:
    root.add_typer(jobs_app, name="jobs")
    root.add_typer(scheduler_app, name="scheduler")
    root.command("simulate")(simulate)
