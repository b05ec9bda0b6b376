"""`transport eligibility` and `transport applications`: the engine's recommendation,
and a caseworker's decision."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from commands.options import ReportFormat, app_from, date_option
from transport.domain.calendar import parse_academic_year
from transport.errors import UsageError

eligibility_app = typer.Typer(
    rich_markup_mode=None, help="The eligibility engine.", no_args_is_help=True
)
applications_app = typer.Typer(
    rich_markup_mode=None,
    help="Recommend and record decisions on applications.",
    no_args_is_help=True,
)


class DecisionFormat(StrEnum):
    json = "json"
    text = "text"
    letter = "letter"


@eligibility_app.command("assess")
def eligibility_assess(
    ctx: typer.Context,
    facts_file: Annotated[
        Path | None,
        typer.Argument(
            help="Facts JSON: the child's facts for one application.",
            metavar="FACTS.json",
            exists=True,  # a file that is not there is a usage error (exit 2)
            dir_okay=False,
        ),
    ] = None,
    application: Annotated[
        str | None,
        typer.Option("--application", help="Assess the facts stored with this application."),
    ] = None,
    output: Annotated[
        DecisionFormat, typer.Option("--format", help="json, text, or a decision letter.")
    ] = DecisionFormat.json,
    decided_on: Annotated[
        date | None, date_option("--decided-on", help="Letter date (default today).")
    ] = None,
    child: Annotated[
        str, typer.Option("--child", help="Child's first name for a letter from a facts file.")
    ] = "your child",
) -> None:
    """Recommend a decision: eligible or not, on which basis, until when, and why."""
    from commands.views import echo_json
    from commands.views.eligibility import decision_text
    from services import eligibility

    if (facts_file is None) == (application is None):
        raise UsageError("give either a FACTS.json file or --application REF")
    app = app_from(ctx)
    if facts_file is not None:
        found = eligibility.from_facts_file(app, facts_file, child=child)
    else:
        assert application is not None
        found = eligibility.from_application(app, application)
    if output is DecisionFormat.json:
        echo_json({**found.decision.as_dict(), "travel_from": found.facts.travel_from.isoformat()})
    elif output is DecisionFormat.text:
        typer.echo(decision_text(found.decision))
    else:
        typer.echo(eligibility.letter(app, found, decided_on=decided_on), nl=False)


def academic_year(value: str) -> int:
    year = parse_academic_year(value)
    if year is None:
        raise typer.BadParameter(f"expected an academic year like 2026/27, got {value!r}")
    return year


@applications_app.command("assess")
def applications_assess(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option("--academic-year", parser=academic_year, help="Only this year, e.g. 2026/27."),
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
    from commands.views import echo_json
    from commands.views.eligibility import assess_json
    from services.assessments import assess_undecided

    run = assess_undecided(app_from(ctx), academic_year=year, dry_run=dry_run)
    if output is ReportFormat.json:
        echo_json(assess_json(run))
        return
    typer.echo(
        f"{run.assessed} undecided application(s) assessed: {run.eligible} eligible, "
        f"{run.assessed - run.eligible} not eligible"
        + (" (dry run: nothing stored)" if dry_run else "; recommendations stored")
    )
    for basis, count in run.by_basis:
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
        date | None, date_option("--valid-until", help="Override the award's end date.")
    ] = None,
) -> None:
    """Record a caseworker's decision; approval creates the award with the engine's end date."""
    from services.assessments import decide

    if approve is None:
        raise UsageError("say --approve or --refuse")
    if not by.strip():
        raise UsageError("say who decides with --by NAME (it goes in the audit log)")
    decided = decide(
        app_from(ctx), reference, approve=approve, by=by.strip(), valid_until=valid_until
    )
    if decided.award_ref:
        typer.echo(
            f"{reference} approved: award {decided.award_ref} from {decided.valid_from} "
            f"until {decided.valid_until} ({decided.basis})"
        )
    else:
        typer.echo(f"{reference} refused")


def register(root: typer.Typer) -> None:
    root.add_typer(eligibility_app, name="eligibility")
    root.add_typer(applications_app, name="applications")
