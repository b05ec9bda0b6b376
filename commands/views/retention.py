"""What a retention run did (or, dry, would do), for people."""

from __future__ import annotations

import typer

from commands.views import console
from services.retention import RetentionReport

ROWS = {
    "outbox": "messages deleted",
    "pupil_contacts": "contact links",
    "contacts": "contacts (linked to no remaining pupil)",
    "tasks": "tasks",
    "reminder_steps": "reminder steps",
    "awards": "awards",
    "applications": "applications",
    "application_assessments": "assessments",
    "arrangements": "arrangements",
    "risk_snapshots": "risk snapshot rows",
}


def print_report(report: RetentionReport) -> None:
    from commands.views.tables import Sheet, number, prose, value

    cut, rule = report.cutoffs, report.rule
    verb = "would be" if report.dry_run else "were"
    typer.echo(
        f"Retention as of {cut.as_of.isoformat()}"
        + (" (dry run: nothing written)" if report.dry_run else "")
    )
    typer.echo(
        f"  message bodies: kept {rule.message_bodies_days} days "
        f"(settled messages created before {cut.messages_before.isoformat()} are redacted)"
    )
    typer.echo(
        f"  pupils who left: kept {rule.left_pupils_years} years "
        f"(pupils left before {cut.left_before.isoformat()} are purged)"
    )
    if not report.changes:
        typer.echo("Nothing to do: nothing has been kept longer than the rule allows.")
        return
    table = Sheet(f"What {verb} removed", [prose("What"), number("Rows")], title_style="")
    table.add_row("messages redacted to metadata", str(report.messages_redacted))
    table.add_row("texts received, redacted", str(report.replies_redacted))
    if report.reply_tasks_redacted:
        table.add_row(
            "tasks about an unknown number, its number redacted",
            str(report.reply_tasks_redacted),
        )
    table.add_row("message files deleted from the file outbox", str(report.outbox_files))
    table.add_row("pupils purged", str(report.purge.pupils))
    for name, label in ROWS.items():
        if name in report.purge.rows:
            table.add_row(label, str(report.purge.rows[name]))
    if report.purge.refs_dropped:
        table.add_row(
            "kept messages no longer naming a purged pupil", str(report.purge.refs_dropped)
        )
    console().print(table)
    if report.purge.leavers:
        leavers = Sheet(
            "Pupils purged by school and year left",
            [value("School URN"), value("Year left"), number("Pupils")],
            title_style="",
        )
        for count in report.purge.leavers:
            row = count.as_dict()
            leavers.add_row(row["school_urn"], str(row["academic_year"]), str(row["pupils"]))
        console().print(leavers)
    if report.audited:
        typer.echo("Recorded in the audit log (action retention).")
