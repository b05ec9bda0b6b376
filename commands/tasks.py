"""`transport tasks`: the team's work list."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from commands.options import Format, actor_from, app_from
from transport.errors import UsageError
from transport.vocabulary import TaskKind, TaskStatus

app = typer.Typer(rich_markup_mode=None, help="The transport team's tasks.", no_args_is_help=True)


class StatusChoice(StrEnum):
    """A task status, or all."""

    open = TaskStatus.OPEN.value
    done = TaskStatus.DONE.value
    closed = TaskStatus.CLOSED.value
    all = "all"


assert {c.value for c in StatusChoice} == {"all", *TaskStatus}, "StatusChoice follows TaskStatus"

COLUMNS = [
    "id",
    "due_on",
    "kind",
    "pupil_ref",
    "pupil_name",
    "school_urn",
    "reason",
    "status",
    "phone_numbers",
]


@app.command("list")
def tasks_list(
    ctx: typer.Context,
    status: Annotated[
        StatusChoice, typer.Option("--status", help="open, done, closed or all.")
    ] = StatusChoice.open,
    kind: Annotated[
        TaskKind | None,
        typer.Option("--kind", help="Only tasks of this kind (the choices above)."),
    ] = None,
    pupil: Annotated[str | None, typer.Option("--pupil", help="Only this pupil's tasks.")] = None,
    school: Annotated[
        str | None, typer.Option("--school", help="Only pupils at this URN, now or next year.")
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
) -> None:
    """The team's tasks, the most urgent first."""

    from commands.views import console, echo_json, national, write_csv
    from commands.views.tables import Sheet, number, prose, show, value
    from services.tasks import list_tasks

    chosen = None if status is StatusChoice.all else status.value
    found = list_tasks(app_from(ctx), status=chosen, kind=kind, pupil_ref=pupil, school_urn=school)
    rows = [row.as_dict() for row in found]
    if output is Format.json:
        echo_json(rows)
        return
    if output is Format.csv:
        write_csv(COLUMNS, [{**r, "phone_numbers": " ".join(r["phone_numbers"])} for r in rows])
        return
    table = Sheet(f"Tasks ({len(rows)})", [
        number("Id"), value("Due"), value("Kind"), value("Pupil"), prose("Name", optional=True),
        value("School", optional=True), prose("Why"), value("Status", optional=True),
        value("Phone"),
    ])  # fmt: skip
    for row in rows:
        phones = "\n".join(national(phone) for phone in row["phone_numbers"])
        table.add_row(*(row[c] for c in COLUMNS[:-1]), phones)
    show(console(), table)


@app.command("done")
def tasks_done(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="Task id.")],
    note: Annotated[str, typer.Option("--note", help="What was done.")],
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who did it (the audit log's actor). Default: the OS user."),
    ] = None,
) -> None:
    """Mark a task done, with a note (kept in the audit log)."""
    from services.tasks import mark_done

    if not note.strip():
        raise UsageError("say what was done with --note")
    actor = actor_from(by)
    mark_done(app_from(ctx), task_id, by=actor, note=note.strip())
    typer.echo(f"task {task_id} done")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="tasks")
