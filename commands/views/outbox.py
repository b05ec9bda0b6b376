"""The outbox as people read it: the messages table, a send's summary, a preview."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.table import Table

from commands.views import literal, plain
from notifications.dispatch import DispatchReport
from notifications.sms_encoding import segments
from services.outbox_admin import MessageRow, Preview

MESSAGE_COLUMNS = [
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
    "error",
    "provider_id",
]


def messages_table(rows: Sequence[MessageRow]) -> Table:
    table = Table(title=f"Outbox ({len(rows)} messages)", title_justify="left")
    for column in ("Id", "Created", "Channel", "To", "Kind", "Step", "Children", "Status",
                   "Tries", "Error"):  # fmt: skip
        table.add_column(column)
    for row in rows:
        error = " ".join(part for part in (row.error_code, row.error) if part)
        table.add_row(
            str(row.id),
            row.created_at.isoformat()[:16].replace("T", " "),
            row.channel,
            literal(row.to),
            row.kind,
            row.step or "",
            literal(" ".join(row.pupil_refs)),
            row.status,
            str(row.attempts),
            literal(error),
        )
    return table


def send_summary(report: DispatchReport) -> Iterator[str]:
    yield (
        f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
        f"unknown {report.unknown}, re-sent by the other channel {report.fallbacks}"
    )
    if report.stale or report.reconciled_sent or report.reconciled_resend:
        yield (
            f"recovered after a stop: {report.stale} left sending, {report.reconciled_sent} "
            f"found sent at the provider, {report.reconciled_resend} queued again"
        )
    if report.sms_waiting:
        yield f"{report.sms_waiting} SMS wait for the end of quiet hours ({report.sms_from})"
    for code, count in sorted(report.by_error.items()):
        yield f"  error {code}: {count}"


def preview_text(found: Preview) -> str:
    usable = "" if found.usable else " (not usable)"
    head = f"--- {found.channel} to {plain(found.address)}{usable} (contact {found.contact_id})"
    if found.channel == "email":
        return f"{head}\nSubject: {found.subject}\n\n{found.text}"
    encoding, count = segments(found.text)
    size = f"{len(found.text)} characters, {encoding}, {count} segment(s)"
    return f"{head}\n{found.text}\n[{size}]"
