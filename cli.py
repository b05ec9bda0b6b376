"""The transport team's command line. Thin: parse, call the service, print.

Exit codes: 0 success; 1 the command ran and found a problem (a bad bundle, a child at or
above --fail-on); 2 a usage or configuration error.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from transport.bootstrap import App
    from transport.imports.bundle import ImportReport

app = typer.Typer(
    rich_markup_mode=None,
    help="Make sure no eligible child is left without school transport on day one.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold children's data
    add_completion=False,
)
db_app = typer.Typer(
    rich_markup_mode=None, help="Create or migrate the database schema.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
eligibility_app = typer.Typer(
    rich_markup_mode=None, help="The eligibility engine.", no_args_is_help=True
)
app.add_typer(eligibility_app, name="eligibility")
applications_app = typer.Typer(
    rich_markup_mode=None,
    help="Recommend and record decisions on applications.",
    no_args_is_help=True,
)
app.add_typer(applications_app, name="applications")
outbox_app = typer.Typer(
    rich_markup_mode=None,
    help="The outbox: every message, as sent, and sending it.",
    no_args_is_help=True,
)
app.add_typer(outbox_app, name="outbox")
tasks_app = typer.Typer(
    rich_markup_mode=None, help="The transport team's tasks.", no_args_is_help=True
)
app.add_typer(tasks_app, name="tasks")
jobs_app = typer.Typer(
    rich_markup_mode=None, help="Run a scheduled job by hand, for a date.", no_args_is_help=True
)
app.add_typer(jobs_app, name="jobs")
scheduler_app = typer.Typer(
    rich_markup_mode=None, help="The nightly scheduler.", no_args_is_help=True
)
app.add_typer(scheduler_app, name="scheduler")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


class DecisionFormat(StrEnum):
    json = "json"
    text = "text"
    letter = "letter"


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


def _write_csv(columns: list[str], items: list[dict[str, Any]]) -> None:
    """CSV for spreadsheets, with formula-like cells neutralised."""
    import csv

    from transport.check_output import safe_cell

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for item in items:
        writer.writerow(safe_cell("" if item[c] is None else item[c]) for c in columns)


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
    limit: Annotated[int, typer.Option("--limit", min=0, help="Table rows to show (0: all).")] = 50,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Keep this run as a snapshot.")
    ] = True,
) -> None:
    """Which children will have no transport on their next school day, from when, and why."""
    from transport.bulk import full_passes_held
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
    with full_passes_held():  # a list of every child at risk: see transport/bulk.py
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
        data = check_output.as_json(outcome, only_new=only_new)
        # Indented for people; compact (the C encoder, 5x faster) for a large county.
        indent = 2 if len(data["at_risk"]) <= 5000 else None
        typer.echo(json.dumps(data, indent=indent))
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


# ---------------------------------------------------------------- eligibility


def _load(ctx: typer.Context) -> Any:
    """Config only (no database), for commands that may not need one."""
    from transport.config import load_config
    from transport.errors import TransportError

    try:
        return load_config(ctx.obj["config_path"])
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)


@eligibility_app.command("assess")
def eligibility_assess(
    ctx: typer.Context,
    facts_file: Annotated[
        Path | None, typer.Argument(help="Facts JSON (spec/eligibility.md).", dir_okay=False)
    ] = None,
    application: Annotated[
        str | None,
        typer.Option("--application", help="Assess the facts stored with this application."),
    ] = None,
    output: Annotated[
        DecisionFormat, typer.Option("--format", help="json, text, or a decision letter.")
    ] = DecisionFormat.json,
    decided_on: Annotated[
        str | None, typer.Option("--decided-on", help="Letter date (default today).")
    ] = None,
    child: Annotated[
        str, typer.Option("--child", help="Child's first name for a letter from a facts file.")
    ] = "your child",
) -> None:
    """Recommend a decision: eligible or not, on which basis, until when, and why."""
    from transport.assessments import assess_stored, policy_from
    from transport.domain.eligibility import assess
    from transport.errors import TransportError
    from transport.facts_input import read_facts

    if (facts_file is None) == (application is None):
        _fail("give either a FACTS.json file or --application REF", 2)
    letter_day = _parse_date(decided_on, "--decided-on")
    config = _load(ctx)
    policy = policy_from(config.eligibility)
    name, reference = child, application
    try:
        if facts_file is not None:
            facts = read_facts(facts_file)
            decision = assess(facts, policy)
            clock_today = None
        else:
            assert application is not None
            application_ = _build(ctx)
            assessed = assess_stored(application_.engine, application, policy)
            facts, decision = assessed.facts, assessed.decision
            name = _first_name(application_, assessed.pupil_ref)
            clock_today = application_.clock.today()
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)
    if output is DecisionFormat.json:
        typer.echo(
            json.dumps(
                {**decision.as_dict(), "travel_from": facts.travel_from.isoformat()}, indent=2
            )
        )
    elif output is DecisionFormat.text:
        typer.echo(_decision_text(decision))
    else:
        from notifications.letters import LetterContext, decision_letter
        from transport.bootstrap import build

        if clock_today is None:
            clock_today = build(config).clock.today()
        council = config.council
        letter_context = LetterContext(
            council.name,
            council.contact_phone,
            council.renewal_url,
            name,
            reference,
            config.eligibility.review_working_days,
        )
        typer.echo(
            decision_letter(
                decision, facts, decided_on=letter_day or clock_today, context=letter_context
            ),
            nl=False,
        )


def _first_name(application: App, pupil_ref: str) -> str:
    from sqlalchemy import select

    from transport.db.tables import Pupil

    with application.engine.connect() as conn:
        name = conn.execute(select(Pupil.first_name).where(Pupil.pupil_ref == pupil_ref)).scalar()
    return str(name or "your child")


def _decision_text(decision: Any) -> str:
    lines = []
    if decision.eligible:
        lines.append(
            f"ELIGIBLE on {decision.basis}, award until {decision.valid_until} "
            f"({', '.join(decision.review_reasons)})"
        )
    else:
        lines.append("NOT ELIGIBLE")
    for rule in decision.rules:
        mark = "met    " if rule.met else "not met"
        lines.append(f"  {mark}  {rule.code}: {rule.detail} [{rule.source}]")
    lines.extend(f"  note: {note}" for note in decision.notes)
    return "\n".join(lines)


@applications_app.command("assess")
def applications_assess(
    ctx: typer.Context,
    academic_year: Annotated[
        str | None, typer.Option("--academic-year", help="Only this year, e.g. 2026/27.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Assess and report; store nothing.")
    ] = False,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """Recommend a decision for every undecided application and store it with its reasons.
    The application's status does not change: a caseworker decides."""
    from transport.assessments import assess_undecided, policy_from
    from transport.domain.calendar import parse_academic_year

    year = None
    if academic_year is not None:
        year = parse_academic_year(academic_year)
        if year is None:
            raise typer.BadParameter(
                f"expected an academic year like 2026/27, got {academic_year!r}",
                param_hint="--academic-year",
            )
    application = _build(ctx)
    run = assess_undecided(
        application.engine,
        policy_from(application.config.eligibility),
        now=application.clock.now(),
        academic_year=year,
        dry_run=dry_run,
    )
    summary = {
        "assessed": run.assessed,
        "eligible": run.eligible,
        "not_eligible": run.assessed - run.eligible,
        "by_basis": run.by_basis,
        "stored": not dry_run,
    }
    if output is ReportFormat.json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(
        f"{run.assessed} undecided application(s) assessed: {run.eligible} eligible, "
        f"{run.assessed - run.eligible} not eligible"
        + (" (dry run: nothing stored)" if dry_run else "; recommendations stored")
    )
    for basis, count in sorted(run.by_basis.items(), key=lambda item: -item[1]):
        typer.echo(f"  {basis}: {count}")


@applications_app.command("decide")
def applications_decide(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="Application reference.")],
    approve: Annotated[
        bool | None, typer.Option("--approve/--refuse", help="The decision.", show_default=False)
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who decides (recorded in the audit log).")] = "",
    valid_until: Annotated[
        str | None, typer.Option("--valid-until", help="Override the award's end date.")
    ] = None,
) -> None:
    """Record a caseworker's decision; approval creates the award with the engine's end date."""
    from transport.assessments import decide, policy_from
    from transport.errors import TransportError

    if approve is None:
        _fail("say --approve or --refuse", 2)
    if not by.strip():
        _fail("say who decides with --by NAME (it goes in the audit log)", 2)
    until = _parse_date(valid_until, "--valid-until")
    application = _build(ctx)
    try:
        decided = decide(
            application.engine,
            reference,
            approve=bool(approve),
            by=by.strip(),
            policy=policy_from(application.config.eligibility),
            now=application.clock.now(),
            today=application.clock.today(),
            valid_until=until,
        )
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)
    if decided.award_ref:
        typer.echo(
            f"{reference} approved: award {decided.award_ref} from {decided.valid_from} "
            f"until {decided.valid_until} ({decided.basis})"
        )
    else:
        typer.echo(f"{reference} refused")


# ---------------------------------------------------------------- outbox


def _senders(application: App) -> Any:
    from jobs.outbox_jobs import senders
    from transport.errors import TransportError

    try:
        return senders(application)
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)


@outbox_app.command("send")
def outbox_send(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Send at most N messages.")
    ] = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """Send the messages that are due (quiet hours, rate limits and retries applied)."""
    from jobs.outbox_jobs import dispatch_job
    from notifications.dispatch import DispatchReport
    from transport.errors import TransportError

    application = _build(ctx)
    try:
        report = DispatchReport(**dispatch_job(application, application.clock.today(), limit=limit))
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)
    if output is ReportFormat.json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    typer.echo(
        f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
        f"unknown {report.unknown}, re-sent by the other channel {report.fallbacks}"
    )
    if report.stale or report.reconciled_sent or report.reconciled_resend:
        typer.echo(
            f"recovered after a stop: {report.stale} left sending, {report.reconciled_sent} "
            f"found sent at the provider, {report.reconciled_resend} queued again"
        )
    if report.sms_waiting:
        typer.echo(f"{report.sms_waiting} SMS wait for the end of quiet hours ({report.sms_from})")
    for code, count in sorted(report.by_error.items()):
        typer.echo(f"  error {code}: {count}")


@outbox_app.command("poll")
def outbox_poll(ctx: typer.Context) -> None:
    """Fetch the delivery status of SMS not yet final; an undelivered SMS is a failure of
    that channel and the notice goes by email instead."""
    from notifications.status import poll

    application = _build(ctx)
    report = poll(application.engine, _senders(application).sms, now=application.clock.now())

    typer.echo(
        f"checked {report.checked}: delivered {report.delivered}, undelivered "
        f"{report.undelivered}, still pending {report.pending}, lookup errors {report.errors}, "
        f"re-sent by email {report.fallbacks}"
    )


class OutboxStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    delivered = "delivered"
    failed_temporary = "failed_temporary"
    failed_permanent = "failed_permanent"
    unknown = "unknown"


@outbox_app.command("list")
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
    from notifications.listing import list_messages

    application = _build(ctx)
    with application.engine.connect() as conn:
        items = list_messages(
            conn,
            status=status.value if status else None,
            pupil_ref=pupil,
            contact_id=contact,
            limit=limit or None,
        )
    if output is Format.json:
        typer.echo(json.dumps(items, indent=2))
        return
    if output is Format.csv:
        columns = [
            "id",
            "created_at",
            "channel",
            "to",
            "kind",
            "step",
            "pupil_refs",
            "status",
            "attempts",
            "error_code",
            "provider_id",
        ]
        _write_csv(columns, [{**i, "pupil_refs": " ".join(i["pupil_refs"])} for i in items])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Outbox ({len(items)} messages)", title_justify="left")
    for column in (
        "Id",
        "Created",
        "Channel",
        "To",
        "Kind",
        "Step",
        "Children",
        "Status",
        "Tries",
        "Error",
    ):
        table.add_column(column)
    for item in items:
        table.add_row(
            str(item["id"]),
            item["created_at"][:16].replace("T", " "),
            item["channel"],
            item["to"],
            item["kind"],
            item["step"] or "",
            " ".join(item["pupil_refs"]),
            item["status"],
            str(item["attempts"]),
            item["error_code"] or "",
        )
    Console().print(table)


class Channel(StrEnum):
    email = "email"
    sms = "sms"


@outbox_app.command("preview")
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
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (default today).")] = None,
) -> None:
    """Render a message for a pupil's household without sending or storing anything."""
    from sqlalchemy.exc import NoResultFound

    from notifications.households import child_line, message_context, recipients
    from notifications.messages import KINDS, render
    from notifications.sms_encoding import segments

    if kind not in KINDS:
        raise typer.BadParameter(f"expected one of {', '.join(KINDS)}", param_hint="--kind")
    day = _parse_date(as_of, "--as-of")
    application = _build(ctx)
    today = day or application.clock.today()
    with application.engine.connect() as conn:
        people = recipients(conn, pupil)
        try:
            child = child_line(conn, pupil, as_of=today)
        except NoResultFound:
            _fail(f"no pupil {pupil!r}", 2)
    if not people:
        _fail(f"pupil {pupil} has no contact to write to (UNREACHABLE)", 1)
    for person in people:
        context = message_context(application.config.council, person, [child])
        for name in [channel.value] if channel else ["email", "sms"]:
            address = person.address(name)
            usable = "" if person.usable(name) else " (not usable)"
            if not address:
                continue
            rendered = render(kind, name, context)
            typer.echo(f"--- {name} to {address}{usable} (contact {person.contact_id})")
            if name == "email":
                typer.echo(f"Subject: {rendered.subject}\n\n{rendered.text}")
            else:
                encoding, count = segments(rendered.text)
                size = f"{len(rendered.text)} characters, {encoding}, {count} segment(s)"
                typer.echo(f"{rendered.text}\n[{size}]")


@outbox_app.command("resolve")
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
    from notifications.listing import resolve_unknown
    from transport.errors import TransportError

    if sent is None or not by.strip():
        _fail("say --sent or --resend, and --by NAME", 2)
    application = _build(ctx)
    try:
        status = resolve_unknown(
            application.engine,
            message_id,
            sent=bool(sent),
            by=by.strip(),
            now=application.clock.now(),
        )
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)
    typer.echo(f"message {message_id}: {status}")


# ---------------------------------------------------------------- reminders, tasks, digest, jobs


@app.command("remind")
def remind(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date D (default today).")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; write nothing.")
    ] = False,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """Run the renewal ladder for a date: queue the due reminders (one per household) and
    open the team's tasks. `transport outbox send` then sends them."""
    from jobs.nightly import remind as run_remind

    day = _parse_date(as_of, "--as-of")
    application = _build(ctx)
    run = run_remind(application, day or application.clock.today(), dry_run=dry_run)
    messages = [
        {
            key: m[key]
            for key in ("channel", "to_address", "kind", "step", "pupil_refs", "contact_id")
        }
        | {"contact_name": m["contact_name"], "subject": m["subject"]}
        for m in run.ladder.messages
    ]
    if output is ReportFormat.json:
        typer.echo(
            json.dumps(
                {
                    **run.counts,
                    "dry_run": dry_run,
                    "messages": messages,
                    "unreachable": run.ladder.unreachable,
                },
                indent=2,
                default=list,
            )
        )
        return
    counts = run.ladder.counts()
    verb = "would queue" if dry_run else "queued"
    typer.echo(
        f"{counts['renewal_due']} children due a renewal reminder; "
        f"{counts['steps_due']} ladder steps due {counts['by_step']}; "
        f"{verb} {len(messages) if dry_run else counts['queued']} messages; "
        f"{counts['unreachable']} unreachable"
    )
    for message in messages:
        typer.echo(
            f"  {message['step']:<9} {message['channel']:<5} {message['to_address']:<32} "
            f"{message['contact_name']}: {' '.join(message['pupil_refs'])}"
        )
    if run.tasks is not None:
        typer.echo(f"tasks: {run.tasks.opened} opened, {run.tasks.closed} closed")


class TaskStatus(StrEnum):
    open = "open"
    done = "done"
    closed = "closed"
    all = "all"


@tasks_app.command("list")
def tasks_list(
    ctx: typer.Context,
    status: Annotated[
        TaskStatus, typer.Option("--status", help="open, done, closed or all.")
    ] = TaskStatus.open,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help="phone_family, fix_contact, chase_application or confirm_arrangement."
        ),
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
) -> None:
    """The team's tasks, the most urgent first."""
    from transport.tasks import list_tasks

    application = _build(ctx)
    with application.engine.connect() as conn:
        items = list_tasks(
            conn, status=None if status is TaskStatus.all else status.value, kind=kind
        )
    if output is Format.json:
        typer.echo(json.dumps(items, indent=2))
        return
    columns = ["id", "due_on", "kind", "pupil_ref", "pupil_name", "school_urn", "reason", "status"]
    if output is Format.csv:
        _write_csv(columns, items)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Tasks ({len(items)})", title_justify="left")
    for column in ("Id", "Due", "Kind", "Pupil", "Name", "School", "Why", "Status"):
        table.add_column(column)
    for item in items:
        table.add_row(*(str(item[c] or "") for c in columns))
    Console().print(table)


@tasks_app.command("done")
def tasks_done(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="Task id.")],
    note: Annotated[str, typer.Option("--note", help="What was done.")],
    by: Annotated[str, typer.Option("--by", help="Who did it.")] = "transport team",
) -> None:
    """Mark a task done, with a note (kept in the audit log)."""
    from transport.errors import TransportError
    from transport.tasks import mark_done

    if not note.strip():
        _fail("say what was done with --note", 2)
    application = _build(ctx)
    try:
        mark_done(
            application.engine, task_id, by=by, note=note.strip(), now=application.clock.now()
        )
    except TransportError as exc:
        _fail(str(exc), exc.exit_code)
    typer.echo(f"task {task_id} done")


@app.command("digest")
def digest(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (default today).")] = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """The team's morning digest, in the terminal (the nightly job also emails it)."""
    from jobs.nightly import thresholds
    from notifications.digest import digest_data, render_digest
    from transport.checking import run_check

    day = _parse_date(as_of, "--as-of")
    application = _build(ctx)
    on = day or application.clock.today()
    outcome = run_check(
        application.engine,
        as_of=on,
        horizon_days=application.config.risk.horizon_days,
        thresholds=thresholds(application),
        now=application.clock.now(),
        save=False,
    )
    with application.engine.connect() as conn:
        data = digest_data(conn, outcome, config=application.config, now=application.clock.now())
    if output is ReportFormat.json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    subject, text, _ = render_digest(data)
    typer.echo(f"{subject}\n\n{text}", nl=False)


@jobs_app.command("run")
def jobs_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="nightly, dispatch or poll_status.")],
    on: Annotated[
        str | None, typer.Option("--on", help="The date to run it for (default today).")
    ] = None,
) -> None:
    """Run one job for a date, recorded in job_runs like a scheduled run."""
    from jobs import JOBS
    from jobs.runs import run_job

    if name not in JOBS:
        raise typer.BadParameter(f"expected one of {', '.join(JOBS)}", param_hint="NAME")
    day = _parse_date(on, "--on")
    application = _build(ctx)
    counts = run_job(application, name, day or application.clock.today(), JOBS[name])
    typer.echo(json.dumps(counts, indent=2, default=str))


@scheduler_app.command("run")
def scheduler_run(ctx: typer.Context) -> None:
    """Run the scheduler until SIGTERM: the nightly job, dispatch and status polling, in
    the council's timezone. Exit 0 when stopped; 3 when another scheduler is active on
    this database; 4 when another took over its lease."""
    from jobs.scheduler import ScheduleSettings, run_scheduler

    application = _build(ctx)
    settings = application.config.scheduler
    try:
        schedule = ScheduleSettings(
            nightly_time=settings.nightly_time,
            dispatch_minutes=settings.dispatch_minutes,
            poll_minutes=settings.poll_minutes,
            lease_seconds=settings.lease_seconds,
            timezone=application.config.council.timezone,
        )
    except ValueError as exc:
        _fail(f"config key 'scheduler.nightly_time': {exc}", 2)
    raise typer.Exit(run_scheduler(application, schedule))


@app.command("simulate")
def simulate(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First day to replay (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day to replay (YYYY-MM-DD).")],
    reply_rate: Annotated[
        float,
        typer.Option(
            "--reply-rate", min=0.0, max=1.0, help="Share of families who apply after each message."
        ),
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for the replies.")] = 1,
    output: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """Replay the nightly ladder day by day on a copy of the data (in memory) with families
    replying at a given rate: what each family would get, the tasks opened, and who would
    still be at risk on each school's first day. Writes and sends nothing."""
    from jobs.simulate import simulate as run_simulation

    first, last = _parse_date(start, "--from"), _parse_date(end, "--to")
    assert first is not None and last is not None
    if last < first:
        raise typer.BadParameter("--to is before --from", param_hint="--to")
    application = _build(ctx)
    sim = run_simulation(
        application.engine,
        application.config,
        start=first,
        end=last,
        reply_rate=reply_rate,
        seed=seed,
    )
    data = sim.as_dict()
    if output is Format.json:
        typer.echo(json.dumps(data, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    totals = data["totals"]
    console.print(
        f"[bold]Simulated {first} to {last}[/] (reply rate {reply_rate:.0%}, seed {seed}): "
        f"{totals['messages']} messages to {totals['families']} families, "
        f"{totals['replies']} replies, {totals['unreachable_children']} children unreachable"
    )
    steps = Table(title="Messages by step and channel", title_justify="left")
    steps.add_column("Step")
    steps.add_column("Messages", justify="right")
    for key, count in totals["by_step"].items():
        steps.add_row(key, str(count))
    console.print(steps)
    tasks = Table(title="Tasks opened", title_justify="left")
    tasks.add_column("Kind")
    tasks.add_column("Opened", justify="right")
    for kind, count in sorted(totals["tasks_opened"].items()):
        tasks.add_row(kind, str(count))
    console.print(tasks)
    firsts = Table(title="Still at risk on the school's first day", title_justify="left")
    for column in ("First day", "Children", "By reason"):
        firsts.add_column(column)
    for day, children in data["at_risk_on_first_day"].items():
        reasons = Counter(reason for child in children for reason in child["reasons"])
        firsts.add_row(
            day, str(len(children)), ", ".join(f"{k} {v}" for k, v in reasons.most_common())
        )
    console.print(firsts)


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
