"""`transport channels`: the sending channels' go-live check."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer

from commands.options import ReportFormat, app_from

app = typer.Typer(
    rich_markup_mode=None, help="The sending channels: are they ready?", no_args_is_help=True
)


@app.command("check")
def channels_check(
    ctx: typer.Context,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """Verify each sending channel without sending anything: SMTP login and TLS, Twilio
    credentials and sender, GOV.UK Notify key and templates (the file outbox sends
    nothing and is always ready). Says channel by channel what is ready and what is not,
    naming the setting to fix. Exit 0 when all are ready, 2 when one is not."""
    from commands.views import echo_json
    from services.channels import check_channels

    found = check_channels(app_from(ctx))
    if output is ReportFormat.json:
        echo_json([dataclasses.asdict(check) for check in found])
    else:
        for check in found:
            state = "ready" if check.ready else "NOT READY"
            typer.echo(f"{check.channel:<6} {check.backend:<7} {state:<9} {check.detail}")
    if not all(check.ready for check in found):
        raise typer.Exit(2)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="channels")
