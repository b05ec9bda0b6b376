"""`transport pupil REF`: one child's story on one screen."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.options import AsOf, ReportFormat, app_from, today_or


def pupil(
    ctx: typer.Context,
    reference: Annotated[
        str, typer.Argument(help="The pupil's reference (pupil_ref), in any case.")
    ],
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
    show(console(), *story_view(story, app.tz))


def find(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            help="What the caller gives: a reference, a child's surname (and first name), "
            "a postcode, a parent's email or phone number, a school's name or URN."
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most N children.")] = 20,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text (for people) or json.")
    ] = ReportFormat.text,
) -> None:
    """Find the children a caller means: by reference (any case), the child's surname and
    first name, a postcode (or its first half), a parent's email or number, or a school.
    Lists the matching children (reference, name, school); nothing matching, the nearest
    surnames and references ("did you mean"), exit 1. Then: transport pupil REF."""
    from commands.views import console, echo_json
    from commands.views.pupil import found_json, found_view
    from services.find import find_children

    result = find_children(app_from(ctx), text, limit=limit)
    if output is ReportFormat.json:
        echo_json(found_json(result))
    else:
        console().print(*found_view(result))
    if not result.matches:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.command("pupil")(pupil)
    root.command("find")(find)
