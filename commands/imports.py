"""`transport import` and `transport generate`: bundles in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commands.options import ReportFormat, actor_from, app_from
from transport.errors import UsageError


def import_(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder of the council's CSV files: schools.csv, terms.csv, pupils.csv...",
            metavar="DIR",
            exists=True,  # a folder that is not there is a usage error (exit 2)
            file_okay=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and count; write nothing.")
    ] = False,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="Report format.")
    ] = ReportFormat.text,
    complete: Annotated[
        bool,
        typer.Option(
            "--complete",
            help="Every file present is the council's complete export of its kind: pupils "
            "it does not list become left; awards, applications and arrangements it does "
            "not list are removed (audited).",
        ),
    ] = False,
    allow_large_removal: Annotated[
        bool,
        typer.Option(
            "--allow-large-removal",
            help="With --complete: remove even more than [import] max_removed_share of a "
            "table's rows.",
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who imports (the audit log's actor). Default: the OS user."),
    ] = None,
) -> None:
    """Import a council's CSV bundle: all files in one transaction, nothing written on any error."""
    from commands.views import echo_json
    from commands.views.imports import print_report, progress_bar
    from services.imports import import_folder

    actor = actor_from(by)
    if allow_large_removal and not complete:
        raise UsageError("--allow-large-removal goes with --complete")
    app = app_from(ctx, create=True)
    progress, finish = progress_bar(app.settings.imports.progress_min_rows)
    try:
        report = import_folder(
            app,
            directory,
            dry_run=dry_run,
            complete=complete,
            allow_large_removal=allow_large_removal,
            progress=progress,
            actor=actor,
        )
    finally:
        finish()
    if output is ReportFormat.json:
        echo_json(report.as_dict())
    else:
        print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def generate(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the bundle into.", file_okay=False)
    ],
    pupils: Annotated[int, typer.Option("--pupils", min=1, help="Pupils in the county.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    year: Annotated[
        int, typer.Option("--year", help="Academic year starting that September.")
    ] = 2026,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a folder that already holds files.")
    ] = False,
) -> None:
    """Write a synthetic import bundle of any size (for tests and benchmarks). Refuses a
    folder that already holds files (it may be a council's export), unless --force."""
    from transport import synthetic
    from transport.gc_tuning import started

    started()  # no application to build: the collector runs from here
    if out.exists() and any(out.iterdir()) and not force:
        raise UsageError(
            f"{out} already holds files (a council's export?): choose an empty or new "
            "folder, or pass --force to overwrite the bundle's files in it"
        )
    written = synthetic.generate_bundle(out, pupils=pupils, seed=seed, year=year)
    for name, rows in written.items():
        typer.echo(f"{name}: {rows} rows")


def register(root: typer.Typer) -> None:
    root.command("import")(import_)
    root.command("generate")(generate)
