"""The outbox as people read it: the messages table, a send's summary, a preview."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from commands.views import plain
from commands.views.tables import Sheet, number, prose, value
from notifications.sms_encoding import segments
from services.outbox_admin import MessageRow, Preview
from services.sending import SendRun
from transport.domain.dates_text import day, short_moment

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


def messages_table(rows: Sequence[MessageRow], tz: tzinfo) -> Sheet:
    table = Sheet(f"Outbox ({len(rows)} messages)", [
        number("Id"), value("Created"), value("Channel", under="Created"), value("To"),
        value("Kind", under="To"),
        value("Step", optional=True), value("Children"), value("Status"),
        number("Tries", optional=True), prose("Error", optional=True),
    ])  # fmt: skip
    for row in rows:
        error = " ".join(part for part in (row.error_code, row.error) if part)
        table.add_row(
            str(row.id),
            short_moment(row.created_at, tz),
            row.channel,
            row.to,
            row.kind,
            row.step,
            "\n".join(row.pupil_refs),
            row.status,
            str(row.attempts),
            error,
        )
    return table


STATUS_WORDS = {
    "sent": "sent",
    "delivered": "delivered",
    "failed_temporary": "retrying",
    "failed_permanent": "failed",
    "unknown": "outcome unknown (transport outbox resolve)",
    "queued": "still queued",
    "cancelled": "cancelled",
}


def send_summary(run: SendRun, tz: ZoneInfo) -> Iterator[str]:
    """What the send did, channel by channel, in words, with each failure's cause."""
    report = run.report
    if not run.by_channel and not report.sms_waiting and not report.channels_down:
        yield "Nothing was due to send."
    for channel, outcomes in sorted(run.by_channel.items()):
        parts = []
        for status in STATUS_WORDS:
            codes = {code: n for (s, code), n in outcomes.items() if s == status}
            if not codes:
                continue
            total = sum(codes.values())
            causes = ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items()) if code)
            parts.append(f"{total} {STATUS_WORDS[status]}" + (f" ({causes})" if causes else ""))
        name = "SMS" if channel == "sms" else channel
        yield f"By {name}: " + ("; ".join(parts) or "nothing") + "."
    if report.sms_waiting:
        until = ""
        if report.sms_from:
            local = datetime.fromisoformat(report.sms_from).astimezone(tz)
            until = f" at {local:%H:%M} on {day(local)}"
        yield f"{report.sms_waiting} SMS wait for the end of quiet hours{until}."
    if report.fallbacks:
        yield f"{report.fallbacks} notice(s) re-sent by the other channel."
    if report.stale or report.reconciled_sent or report.reconciled_resend:
        yield (
            f"recovered after a stop: {report.stale} left sending, {report.reconciled_sent} "
            f"found sent at the provider, {report.reconciled_resend} queued again."
        )
    if report.failed or report.retrying:
        yield (
            "Each error in words: transport outbox list --status failed_temporary "
            "(or failed_permanent)."
        )


def preview_text(found: Preview) -> str:
    usable = "" if found.usable else " (not usable)"
    head = f"--- {found.channel} to {plain(found.address)}{usable} (contact {found.contact_id})"
    if found.channel == "email":
        return f"{head}\nSubject: {found.subject}\n\n{found.text}"
    if found.channel == "letter":
        address = "\n".join(plain(line) for line in found.postal_address)
        return f"{head}\n{address}\n\n{found.subject}\n\n{found.text}"
    encoding, count = segments(found.text)
    size = f"{len(found.text)} characters, {encoding}, {count} segment(s)"
    return f"{head}\n{found.text}\n[{size}]"
