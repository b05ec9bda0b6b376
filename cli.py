"""The transport team's command line: the command groups, assembled, and the one place
where errors become exit codes.

Exit codes: 0 success; 1 the command ran and found a problem (a bad bundle, a child at or
above --fail-on); 2 a usage or configuration error (a file or folder that is not there
too), or a failure of the database or the environment, named in one sentence; 3 and 4
the scheduler's lease (see `transport scheduler run --help`). A traceback is shown only
with --debug (or TRANSPORT_DEBUG=1): it may hold children's data.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from commands import (
    audit,
    channels,
    check,
    contacts,
    db,
    demo,
    eligibility,
    imports,
    jobs,
    outbox,
    pupil,
    renewals,
    replies,
    retention,
    tasks,
)
from transport.errors import describe_failure
from transport.gc_tuning import start_up
from web import serve

PASS_THROUGH = (typer.Exit, typer.Abort, typer.exceptions.TyperException, SystemExit)


class Boundary(TyperGroup):
    """Every command runs inside this: an expected failure becomes one sentence on stderr
    and its exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PASS_THROUGH:
            raise
        except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (flushed at exit, never read)
            raise typer.Exit(1) from None  # as rich does: the output was cut short
        except Exception as exc:
            if _debug(ctx):
                raise
            message, code = describe_failure(exc, url=_database(ctx))
            logging.getLogger("transport").debug("stopped at the boundary: %s", type(exc).__name__)
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(code) from None


app = typer.Typer(
    cls=Boundary,
    rich_markup_mode=None,
    help="Make sure no eligible child is left without school transport on day one.",
    no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False,
)  # fmt: skip
app.add_typer(db.app, name="db")
for group in (
    imports,
    check,
    pupil,
    audit,
    eligibility,
    contacts,
    outbox,
    channels,
    renewals,
    tasks,
    replies,
    jobs,
    retention,
    demo,
    serve,
):
    group.register(app)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Config file (TOML). Default: $TRANSPORT_CONFIG, else built-in defaults.",
        dir_okay=False,
    ),
]
DebugOption = Annotated[
    bool,
    typer.Option("--debug", envvar="TRANSPORT_DEBUG", help="Show the traceback of an error."),
]


@app.callback()
def main_options(
    ctx: typer.Context, config: ConfigOption = None, debug: DebugOption = False
) -> None:
    ctx.obj = {"config_path": config, "debug": debug}


def _debug(ctx: Any) -> bool:
    return bool((ctx.find_root().obj or {}).get("debug"))


def _database(ctx: Any) -> str:
    built = (ctx.find_root().obj or {}).get("app")
    return str(built.database) if built is not None else "the database"


def command_named(args: list[str]) -> str | None:
    """The command the arguments name: the first word that is not a root option."""
    for word in (words := iter(args)):
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def keep_only(root: typer.Typer, name: str | None) -> None:
    """Build only the command about to run (typer builds every registered one first: most
    of a short command's start-up). An unknown name keeps all, for the error to list."""
    commands = [c for c in root.registered_commands if c.name == name]
    groups = [g for g in root.registered_groups if g.name == name]
    if commands or groups:
        root.registered_commands, root.registered_groups = commands, groups


def main() -> None:
    start_up()  # no collection until the command has loaded and built its application
    keep_only(app, command_named(sys.argv[1:]))
    app()


if __name__ == "__main__":
    main()
