"""Apply the retention rule for a day (`transport retention apply`, and the nightly job):
settled messages older than [retention] message_bodies_days redacted to their metadata,
their files in the file outbox deleted, and pupils left for more than [retention]
left_pupils_years purged with everything about them (transport/db/queries/retention.py).

One transaction; one audit event per run that changed anything, with counts only (pupils
by school and academic year of leaving: no name, no reference of a purged child). A run
that finds nothing to do writes nothing, so it can run every night, and twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from notifications.file_outbox import message_files_before
from services.app import App
from transport.audit import AuditContext
from transport.db.engine import writer
from transport.db.queries import retention as store
from transport.db.queries.replies import redact_replies, redact_reply_tasks
from transport.db.queries.retention import PurgeCounts
from transport.domain.retention import Cutoffs, RetentionRule

ACTION = "retention"


@dataclass
class RetentionReport:
    rule: RetentionRule
    cutoffs: Cutoffs
    dry_run: bool
    messages_redacted: int = 0
    replies_redacted: int = 0  # texts received: their words and number
    reply_tasks_redacted: int = 0  # read_reply tasks about an unknown number: the number
    purge: PurgeCounts = field(default_factory=PurgeCounts)
    outbox_files: int = 0  # message files deleted from the file outbox
    audited: bool = False

    @property
    def changes(self) -> int:
        return (
            self.messages_redacted
            + self.replies_redacted
            + self.reply_tasks_redacted
            + self.purge.pupils
            + sum(self.purge.rows.values())
            + self.purge.refs_dropped
            + self.outbox_files
        )

    def as_dict(self) -> dict[str, Any]:
        cut = self.cutoffs
        return {
            "as_of": cut.as_of.isoformat(),
            "dry_run": self.dry_run,
            "message_bodies_days": self.rule.message_bodies_days,
            "messages_created_before": cut.messages_before.isoformat(),
            "left_pupils_years": self.rule.left_pupils_years,
            "pupils_left_before": cut.left_before.isoformat(),
            "messages_redacted": self.messages_redacted,
            "replies_redacted": self.replies_redacted,
            "reply_tasks_redacted": self.reply_tasks_redacted,
            "outbox_files_deleted": self.outbox_files,
            "purged": self.purge.as_dict(),
            "changes": self.changes,
            "audited": self.audited,
        }


def apply_retention(
    app: App, *, as_of: date, actor: str, dry_run: bool = False, trigger: str = "command"
) -> RetentionReport:
    """Redact and purge what the rule says has been kept long enough on ``as_of``
    (``dry_run``: only count it). ``trigger`` (the command, the nightly job) is noted in
    the audit event."""
    settings = app.settings.retention
    cutoffs = settings.rule.cutoffs(as_of)
    report = RetentionReport(settings.rule, cutoffs, dry_run)
    now = app.clock.now()
    before = datetime.combine(
        cutoffs.messages_before, time.min, tzinfo=ZoneInfo(app.settings.council.timezone)
    )
    files = message_files_before(settings.outbox_dir, before)
    report.outbox_files = len(files)
    engine = app.ready().engine
    if dry_run:
        with engine.connect() as conn:
            report.messages_redacted = store.redact_messages(conn, before, now=now, apply=False)
            report.reply_tasks_redacted = redact_reply_tasks(conn, before=before, apply=False)
            report.replies_redacted = redact_replies(conn, before=before, now=now, apply=False)
            report.purge = store.purge(conn, cutoffs, apply=False)
        return report
    with writer(engine).begin() as conn:
        report.messages_redacted = store.redact_messages(conn, before, now=now, apply=True)
        # The tasks first: they find their texts by the number the texts are about to lose.
        report.reply_tasks_redacted = redact_reply_tasks(conn, before=before, apply=True)
        report.replies_redacted = redact_replies(conn, before=before, now=now, apply=True)
        report.purge = store.purge(conn, cutoffs, apply=True)
        if report.changes:
            report.audited = True
            detail = {**report.as_dict(), "trigger": trigger}
            AuditContext(actor=actor, at=now).record(conn, ACTION, "record", (as_of,), detail)
    _delete(files)
    return report


def _delete(files: list[Path]) -> None:
    """After the commit: a file that cannot be deleted stops the run loudly (the record's
    changes stand; the next run finds the file again)."""
    for path in files:
        path.unlink(missing_ok=True)
