"""`transport pupil REF`: one child's story on one screen."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.options import AsOf, ReportFormat, app_from, today_or


def pupil(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The pupil's reference (pupil_ref).")],
    as_of: AsOf = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text (for people) or json.")
    ] = ReportFormat.text,
) -> None:
    """One child's story: the record, school and next school, contacts (and blocks),
    awards, applications and decisions, arrangements, the risk today with its reasons,
    the messages sent, the tasks and the audit log, newest first."""
    from commands.views import console, echo_json
    from commands.views.pupil import story_json, story_view
    from commands.views.tables import show
    from services.pupil import pupil_story

    app = app_from(ctx)
    story = pupil_story(app, reference, as_of=today_or(app, as_of))
    if output is ReportFormat.json:
        echo_json(story_json(story))
        return
    show(console(), *story_view(story))


def register(root: typer.Typer) -> None:
    root.command("pupil")(pupil)
