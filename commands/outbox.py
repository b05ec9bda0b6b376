"""`transport outbox`: every message as sent; sending, polling, previewing, settling."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from commands.options import AsOf, Format, ReportFormat, app_from, date_option, today_or
from transport.errors import UsageError
from transport.vocabulary import Channel, OutboxStatus

if TYPE_CHECKING:
    from services.app import App

app = typer.Typer(
    rich_markup_mode=None,
    help="The outbox: every message, as sent, and sending it.",
    no_args_is_help=True,
)


@app.command("send")
def outbox_send(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Send at most N messages.")
    ] = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """Send the messages that are due (quiet hours, rate limits and retries applied).
    Exit 0 when all that was due went (or waits for the end of quiet hours); 1 when a
    message failed, is retrying or its outcome is unknown; 2 when a channel cannot work
    (its configuration is refused): its messages stay queued, and the error names the
    setting to fix."""
    from commands.views import echo_json
    from commands.views.outbox import send_summary
    from services.sending import send_run

    app = app_from(ctx)
    with sending_progress(app, limit) as progress:
        run = send_run(app, limit=limit, progress=progress)
    report = run.report
    if output is ReportFormat.json:
        echo_json(report.as_dict())
    else:
        for line in send_summary(run, ZoneInfo(app.settings.council.timezone)):
            typer.echo(line)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for reason in report.channels_down.values():
        typer.echo(f"error: channel down, its messages stay queued: {reason}", err=True)
    if report.channels_down:
        raise typer.Exit(2)
    if report.failed or report.retrying or report.unknown:
        raise typer.Exit(1)


@app.command("poll")
def outbox_poll(ctx: typer.Context) -> None:
    """Fetch the delivery status of messages not yet final (SMS by Twilio; email, SMS and
    letters by GOV.UK Notify, by notification id, for 7 days; a letter Notify printed and
    posted is recorded as posted). An undelivered message is a failure of that channel
    and the notice goes by the next usable one; Notify's temporary and technical failures
    of emails and texts are sent again after the backoff."""
    from services.sending import poll_delivery

    report = poll_delivery(app_from(ctx))
    typer.echo(
        f"checked {report.checked}: delivered {report.delivered}, undelivered "
        f"{report.undelivered}, letters posted {report.posted}, to send again "
        f"{report.retrying}, still pending "
        f"{report.pending}, lookup errors {report.errors}, sent by another channel "
        f"{report.fallbacks}"
    )


@app.command("list")
def outbox_list(
    ctx: typer.Context,
    status: Annotated[
        OutboxStatus | None, typer.Option("--status", help="Only this status.")
    ] = None,
    pupil: Annotated[
        str | None, typer.Option("--pupil", help="Only messages about this pupil.")
    ] = None,
    contact: Annotated[int | None, typer.Option("--contact", help="One contact's history.")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Rows (0: all).")] = 0,
) -> None:
    """Every message, newest first: to whom, about which children, and what happened."""
    from commands.views import console, echo_json, write_csv
    from commands.views.outbox import MESSAGE_COLUMNS, messages_table
    from services.outbox_admin import list_messages

    app = app_from(ctx)
    rows = list_messages(
        app,
        status=status.value if status else None,
        pupil_ref=pupil,
        contact_id=contact,
        limit=limit or None,
    )
    if output is Format.json:
        echo_json([row.as_dict() for row in rows])
    elif output is Format.csv:
        write_csv(
            MESSAGE_COLUMNS,
            [{**row.as_dict(), "pupil_refs": " ".join(row.pupil_refs)} for row in rows],
        )
    else:
        console().print(messages_table(rows, app.tz))


@app.command("preview")
def outbox_preview(
    ctx: typer.Context,
    pupil: Annotated[str, typer.Option("--pupil", help="The pupil the message is about.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="renewal_invite, renewal_reminder, renewal_urgent, renewal_final, "
            "transport_details.",
        ),
    ],
    channel: Annotated[Channel | None, typer.Option("--channel", help="Only this channel.")] = None,
    as_of: AsOf = None,
) -> None:
    """Render a message for a pupil's household without sending or storing anything."""
    from commands.views.outbox import preview_text
    from notifications.messages import KINDS
    from services.outbox_admin import preview

    if kind not in KINDS:
        raise typer.BadParameter(f"expected one of {', '.join(KINDS)}", param_hint="--kind")
    app = app_from(ctx)
    channels = [channel.value] if channel else [c.value for c in Channel]
    for found in preview(app, pupil, kind=kind, channels=channels, as_of=today_or(app, as_of)):
        typer.echo(preview_text(found))


@app.command("posted")
def outbox_posted(
    ctx: typer.Context,
    on: Annotated[
        date | None, date_option("--date", help="The day the post room posted them.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who posted them (audit log).")] = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the letters; mark nothing.")
    ] = False,
) -> None:
    """Record that the letters written up to --date went in the post that day (audited).
    A transport details letter tells the family only once posted: its arrangement then
    records that day."""
    from services.letters import posted

    if on is None or not by.strip():
        raise UsageError("say which day with --date D, and who posted them with --by NAME")
    report = posted(app_from(ctx), on, by=by.strip(), dry_run=dry_run)
    verb = "would be marked" if dry_run else "marked"
    typer.echo(f"{len(report.letters)} letter(s) {verb} posted on {on.isoformat()}.")
    if report.letters:
        typer.echo("  outbox ids: " + " ".join(str(i) for i in report.letters))
    if report.informed:
        typer.echo(f"{report.informed} family(ies) now told their transport details.")


@app.command("resolve")
def outbox_resolve(
    ctx: typer.Context,
    message_id: Annotated[int, typer.Argument(help="Outbox id of a message in status unknown.")],
    sent: Annotated[
        bool | None,
        typer.Option(
            "--sent/--resend",
            help="It went (mark sent), or it did not (send again).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who resolves it (audit log).")] = "",
) -> None:
    """Settle a message whose outcome is unknown (e.g. an email when the dispatcher stopped
    mid-send), after checking with the family or the mail server's log."""
    from services.outbox_admin import resolve_unknown

    if sent is None or not by.strip():
        raise UsageError("say --sent or --resend, and --by NAME")
    status = resolve_unknown(app_from(ctx), message_id, sent=sent, by=by.strip())
    typer.echo(f"message {message_id}: {status}")


@app.command("retry")
def outbox_retry(
    ctx: typer.Context,
    message_ids: Annotated[
        list[int] | None, typer.Argument(help="Outbox ids of failed messages.", show_default=False)
    ] = None,
    status: Annotated[
        OutboxStatus | None,
        typer.Option("--status", help="Every message in this status (failed_permanent)."),
    ] = None,
    since: Annotated[
        date | None, date_option("--since", help="With --status: created on or after D.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who re-queues them (audit log).")] = "",
) -> None:
    """Queue failed messages again, e.g. after fixing a channel's credentials. A message
    to an opted-out, invalid or bounced address is never queued again."""
    from services.outbox_admin import retry

    if not by.strip():
        raise UsageError("say who re-queues them with --by NAME (it goes in the audit log)")
    if bool(message_ids) == (status is not None):
        raise UsageError("give message ids, or --status failed_permanent (not both)")
    if since is not None and status is None:
        raise UsageError("--since goes with --status")
    result = retry(
        app_from(ctx),
        ids=message_ids or (),
        status=status.value if status else None,
        since=since,
        by=by.strip(),
    )
    typer.echo(f"queued again: {len(result.requeued)}")
    for message_id, why in sorted(result.refused.items()):
        typer.echo(f"  not queued: message {message_id}: {why}")
    if result.refused and not result.requeued:
        raise typer.Exit(1)


@contextmanager
def sending_progress(app: App, limit: int | None) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr while a person watches a large send; nothing otherwise."""
    import sys

    from services.sending import due_now

    if not sys.stderr.isatty():
        yield None
        return
    total = due_now(app) if limit is None else min(limit, due_now(app))
    if total < 20:
        yield None
        return
    from rich.progress import Progress

    from commands.views import console

    with Progress(console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("sending", total=total)
        yield lambda sent: bar.advance(task, sent)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="outbox")
