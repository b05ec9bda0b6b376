"""The transport team's command line. Thin: parse, call the service, print.

Exit codes: 0 success; 1 the command ran and found a problem (a bad bundle, a child at or
above --fail-on); 2 a usage or configuration error.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from transport.bootstrap import App
    from transport.imports.bundle import ImportReport

app = typer.Typer(
    help="Make sure no eligible child is left without school transport on day one.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold children's data
    add_completion=False,
)
db_app = typer.Typer(help="Create or migrate the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


class FailOn(StrEnum):
    none = "none"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Config file (TOML). Default: $TRANSPORT_CONFIG, else built-in defaults.",
        dir_okay=False,
    ),
]


@app.callback()
def main_options(ctx: typer.Context, config: ConfigOption = None) -> None:
    ctx.obj = {"config_path": config}


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _build(ctx: typer.Context) -> App:
    from transport.bootstrap import build
    from transport.config import load_config
    from transport.errors import TransportError

    try:
        return build(load_config(ctx.obj["config_path"])).ready()
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"expected a date as YYYY-MM-DD, got {value!r}", param_hint=option
        ) from None


# ---------------------------------------------------------------- db


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the schema, or migrate it to the newest revision."""
    from transport.bootstrap import build
    from transport.config import load_config
    from transport.db.schema import current_revision, upgrade
    from transport.errors import TransportError

    try:
        application = build(load_config(ctx.obj["config_path"]))
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)
    before = upgrade(application.engine)
    after = current_revision(application.engine)
    typer.echo(f"schema at revision {after} (was {before or 'empty'})")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the schema revision of the database."""
    from transport.bootstrap import build
    from transport.config import load_config
    from transport.db.schema import HEAD, current_revision
    from transport.errors import TransportError

    try:
        application = build(load_config(ctx.obj["config_path"]))
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)
    revision = current_revision(application.engine)
    typer.echo(f"{revision or 'empty'} (code needs {HEAD})")


# ---------------------------------------------------------------- import


@app.command("import")
def import_(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder of CSV files (spec/import-bundle.md).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and count; write nothing.")
    ] = False,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="Report format.")
    ] = ReportFormat.text,
) -> None:
    """Import a council's CSV bundle: all files in one transaction, nothing written on any error."""
    from transport.imports.bundle import import_bundle

    application = _build(ctx)
    progress, finish = _progress_bar(application.config.imports.progress_min_rows)
    try:
        report = import_bundle(
            application.engine,
            directory,
            now=application.clock.now(),
            dry_run=dry_run,
            max_errors=application.config.imports.max_errors,
            actor="import",
            progress=progress,
        )
    finally:
        finish()
    if output is ReportFormat.json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _print_import_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _progress_bar(min_rows: int) -> tuple[Any, Any]:
    """A progress bar on stderr for large bundles when a person is watching."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    tasks: dict[str, Any] = {}

    def update(file: str, done: int, total: int) -> None:
        if total < min_rows:
            return
        if file not in tasks:
            if not tasks:
                bar.start()
            tasks[file] = bar.add_task(f"importing {file}", total=total)
        if done % 2000 == 0 or done >= total:
            bar.update(tasks[file], completed=done)

    return update, bar.stop


def _print_import_report(report: ImportReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if report.files:
        table = Table(
            title=f"Import of {report.directory}" + (" (dry run)" if report.dry_run else "")
        )
        for column in ("File", "Rows", "Added", "Updated", "Unchanged"):
            table.add_column(column, justify="left" if column == "File" else "right")
        for f in report.files:
            table.add_row(f.file, str(f.rows), str(f.added), str(f.updated), str(f.unchanged))
        console.print(table)
    for name in report.ignored:
        console.print(f"note: {name} is not a bundle file; ignored")
    if report.ok:
        verdict = "nothing written (dry run)" if report.dry_run else "imported"
        console.print(f"[bold green]OK[/]: {verdict}")
        return
    err = Console(stderr=True)
    for problem in report.problems.items:
        err.print(f"error: {problem}", markup=False, highlight=False)
    if report.problems.more:
        err.print(f"error: ... and {report.problems.more} more errors (stopped counting)")
    err.print(f"[bold red]{len(report.problems)} error(s)[/]: nothing was written")


# ---------------------------------------------------------------- check


@app.command("check")
def check(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date D (YYYY-MM-DD); default today.")
    ] = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", min=0, help="Window in days (default 120).")
    ] = None,
    school: Annotated[
        str | None, typer.Option("--school", help="Only pupils at this URN, now or next year.")
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 if a child is at or above this severity.")
    ] = FailOn.none,
    new_since_last: Annotated[
        bool,
        typer.Option(
            "--new-since-last", help="List only children not at risk in the previous day's check."
        ),
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Table rows to show (0: all).")
    ] = 200,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Keep this run as a snapshot.")
    ] = True,
) -> None:
    """Which children will have no transport on their next school day, from when, and why."""
    from transport.checking import run_check
    from transport.domain.risk import SEVERITY_ORDER, Thresholds

    day = _parse_date(as_of, "--as-of")
    application = _build(ctx)
    risk = application.config.risk
    outcome = run_check(
        application.engine,
        as_of=day or application.clock.today(),
        horizon_days=risk.horizon_days if horizon is None else horizon,
        thresholds=Thresholds(risk.critical_days, risk.high_days, risk.medium_days),
        now=application.clock.now(),
        school_urn=school,
        save=save,
    )
    _print_check(application, outcome, output, only_new=new_since_last, limit=limit or None)
    if fail_on is not FailOn.none:
        worst = SEVERITY_ORDER.index(fail_on.value)
        if any(SEVERITY_ORDER.index(r.severity) <= worst for r in outcome.result.at_risk):
            raise typer.Exit(1)


def _print_check(
    application: App, outcome: Any, output: Format, *, only_new: bool, limit: int | None
) -> None:
    from transport import check_output

    if output is Format.json:
        typer.echo(json.dumps(check_output.as_json(outcome, only_new=only_new), indent=2))
        return
    if output is Format.csv:
        sys.stdout.write(check_output.as_csv(outcome, only_new=only_new))
        return
    from rich.console import Console

    from transport.db.risk_facts import pupil_names, school_names

    shown = check_output.listed(outcome, only_new=only_new)[: limit or None]
    with application.engine.connect() as conn:
        pupils = pupil_names(conn, [risk.pupil_ref for risk in shown])
        schools = school_names(conn)
    console = Console()
    for renderable in check_output.render_table(
        outcome, pupils=pupils, schools=schools, only_new=only_new, limit=limit
    ):
        console.print(renderable)


# ---------------------------------------------------------------- demo and generator


@app.command("demo")
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
    from rich.console import Console

    from transport import demo as demo_county
    from transport.checking import run_check
    from transport.domain.calendar import academic_year_of
    from transport.domain.risk import Thresholds
    from transport.errors import TransportError

    application = _build(ctx)
    console = Console()
    try:
        demo_county.refuse_real_data(application.engine, force=force)
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)
    year = year if year is not None else academic_year_of(application.clock.today())
    console.print(
        f"Building a synthetic county of {pupils} pupils for {year}/{(year + 1) % 100:02d} "
        f"in {application.config.database.url} ..."
    )
    progress, finish = _progress_bar(application.config.imports.progress_min_rows)
    try:
        county = demo_county.build_county(
            application.engine,
            pupils=pupils,
            seed=seed,
            year=year,
            now=application.clock.now(),
            progress=progress,
        )
    finally:
        finish()
    _print_import_report(county.report)
    if not county.report.ok:
        raise typer.Exit(1)
    risk = application.config.risk
    outcome = run_check(
        application.engine,
        as_of=county.as_of,
        horizon_days=risk.horizon_days,
        thresholds=Thresholds(risk.critical_days, risk.high_days, risk.medium_days),
        now=application.clock.now(),
    )
    _print_check(application, outcome, Format.table, only_new=False, limit=limit or None)
    me = sys.argv[0] if sys.argv[0].endswith("transport") else "transport"
    console.print(
        "\nTry next:\n"
        f"  {me} check --as-of {county.as_of} --format json\n"
        f"  {me} check --as-of {county.as_of} --fail-on critical\n"
        f"  {me} check --as-of {county.as_of + timedelta(days=1)} --new-since-last\n"
        f"  {me} check --as-of {county.as_of} --school <URN>\n"
        f"  {me} --help",
        highlight=False,
    )


@app.command("generate")
def generate(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the bundle into.", file_okay=False)
    ],
    pupils: Annotated[int, typer.Option("--pupils", min=1, help="Pupils in the county.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    year: Annotated[
        int, typer.Option("--year", help="Academic year starting that September.")
    ] = 2026,
) -> None:
    """Write a synthetic import bundle of any size (for tests and benchmarks)."""
    from transport import synthetic

    written = synthetic.generate_bundle(out, pupils=pupils, seed=seed, year=year)
    for name, rows in written.items():
        typer.echo(f"{name}: {rows} rows")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
