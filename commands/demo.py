"""`transport demo`: a synthetic county in the configured database, checked in late August."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated

import typer

from commands.options import app_from
from transport.domain.calendar import academic_year_of


def demo(
    ctx: typer.Context,
    pupils: Annotated[int, typer.Option("--pupils", min=1, help="Pupils in the county.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="Academic year starting that September (default: the current one)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Add the demo county even to a database with other data."),
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Children to list (0: all).")] = 25,
) -> None:
    """Build a synthetic county in the configured database and run the late-August check."""
    from commands.check import CheckFormat, show
    from commands.views import console, literal
    from commands.views.imports import print_report, progress_bar
    from services import demo as demo_county
    from services.check import run_check

    app = app_from(ctx, create=True)
    out = console()
    demo_county.refuse_real_data(app, force=force)
    year = year if year is not None else academic_year_of(app.clock.today())
    out.print(
        literal(
            f"Building a synthetic county of {pupils} pupils for {year}/{(year + 1) % 100:02d} "
            f"in {app.database} ..."
        )
    )
    progress, finish = progress_bar(app.settings.imports.progress_min_rows)
    try:
        county = demo_county.build_county(
            app, pupils=pupils, seed=seed, year=year, progress=progress
        )
    finally:
        finish()
    print_report(county.report)
    if not county.report.ok:
        raise typer.Exit(1)
    outcome = run_check(app, as_of=county.as_of)
    show(app, outcome, CheckFormat.table, only_new=False, limit=limit or None)
    me = sys.argv[0] if sys.argv[0].endswith("transport") else "transport"
    first = outcome.result.at_risk[0].pupil_ref if outcome.result.at_risk else None
    lines = [
        f"{me} check --as-of {county.as_of} --format json",
        f"{me} check --as-of {county.as_of} --fail-on critical",
        f"{me} check --as-of {county.as_of + timedelta(days=1)} --new-since-last",
        f"{me} check --as-of {county.as_of} --school <URN>",
        f"{me} check --as-of {county.as_of} --format html --output report.html",
        *([f"{me} pupil {first} --as-of {county.as_of}"] if first else []),
        f"{me} --help",
    ]
    tried = "\nTry next:\n" + "\n".join(f"  {line}" for line in lines)
    out.print(literal(tried), soft_wrap=True)  # commands to copy: never cut in two


def register(root: typer.Typer) -> None:
    root.command("demo")(demo)
