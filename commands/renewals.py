"""`transport remind` and `transport digest`: the renewal ladder and the team's digest."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.options import AsOf, ReportFormat, app_from, today_or


def remind(
    ctx: typer.Context,
    as_of: AsOf = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; write nothing.")
    ] = False,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """Run the renewal ladder for a date: queue the due reminders (one per household) and
    open the team's tasks. `transport outbox send` then sends them."""
    from commands.views import echo_json
    from commands.views.renewals import remind_summary
    from jobs.records import ladder_message, renewal_record
    from services.renewals import remind as run_remind

    app = app_from(ctx)
    run = run_remind(app, today_or(app, as_of), dry_run=dry_run)
    ladder = run.ladder
    messages = [ladder_message(message) for message in ladder.messages]
    if output is ReportFormat.json:
        echo_json(
            {
                **renewal_record(run.counts),
                "dry_run": dry_run,
                "messages": messages,
                "unreachable": ladder.unreachable,
            }
        )
        return
    for line in remind_summary(run, dry_run=dry_run):
        typer.echo(line)


def inform(
    ctx: typer.Context,
    as_of: AsOf = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; write nothing.")
    ] = False,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """Send families their transport details (school, first day, operator, route,
    pick-up time): one message per household for each arrangement not yet told, from
    [inform] days_before_first_day before the child's first school day. An arrangement
    without operator or pick-up time, or whose first day is not known, opens a
    complete_arrangement task instead. `transport outbox send` then sends them."""
    from commands.views import echo_json
    from commands.views.renewals import inform_summary
    from jobs.records import inform_record
    from services.inform import inform as run_inform

    app = app_from(ctx)
    report = run_inform(app, today_or(app, as_of), dry_run=dry_run)
    if output is ReportFormat.json:
        echo_json(inform_record(report))
        return
    for line in inform_summary(report):
        typer.echo(line)


def digest(
    ctx: typer.Context,
    as_of: AsOf = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """The team's morning digest, in the terminal (the nightly job also emails it)."""
    from commands.views import echo_json
    from commands.views.digest import digest_json
    from notifications.digest import render_digest
    from services.digest import morning_digest

    app = app_from(ctx)
    data = morning_digest(app, today_or(app, as_of))
    if output is ReportFormat.json:
        echo_json(digest_json(data))
        return
    subject, text, _ = render_digest(data, app.tz)
    typer.echo(f"{subject}\n\n{text}", nl=False)


def register(root: typer.Typer) -> None:
    root.command("remind")(remind)
    root.command("inform")(inform)
    root.command("digest")(digest)
