"""The nightly job: the day's risk snapshot, the renewal ladder, the transport details due,
the caseworker tasks and the team's digest, then retention, for one date. Every step can
be re-run for the same date: nothing is recorded or sent twice, and retention finds
nothing more to do.

Retention runs last, in its own transaction: when it fails, the snapshot, reminders,
tasks and digest stand (they were committed), and the job run is recorded as failed with
the reason, so the failure is loud but never costs a family its reminder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from jobs.records import renewal_record
from services.app import App
from services.renewals import RenewalRun, run_renewals
from services.retention import RetentionReport, apply_retention
from transport.audit import os_user
from transport.errors import TransportError, failure_record

TRIGGER = "nightly job"


class RetentionFailed(TransportError):
    """The nightly's retention step failed after its other steps were done."""

    exit_code = 2


@dataclass
class NightlyRun:
    renewals: RenewalRun
    retention: RetentionReport

    @property
    def counts(self) -> dict[str, Any]:
        kept = self.retention
        return {
            **renewal_record(self.renewals.counts),
            "retention": {
                "messages_redacted": kept.messages_redacted,
                "pupils_purged": kept.purge.pupils,
                "rows_deleted": sum(kept.purge.rows.values()),
                "outbox_files_deleted": kept.outbox_files,
            },
        }

    def as_dict(self) -> dict[str, Any]:
        return self.counts


def nightly(app: App, on: date) -> NightlyRun:
    """Snapshot, ladder, tasks, digest; then retention as of ``on``."""
    renewals = run_renewals(app, on, save_snapshot=True, digest=True, inform=True)
    try:
        retention = apply_retention(app, as_of=on, actor=_os_user(), trigger=TRIGGER)
    except Exception as exc:
        sentence = failure_record(exc, url=app.database)
        raise RetentionFailed(
            "retention failed (the snapshot, reminders, tasks and digest were done and "
            f"stand): {sentence}"
        ) from exc
    return NightlyRun(renewals, retention)


def _os_user() -> str:
    """The audit log's actor for the nightly's retention: who runs the scheduler."""
    return os_user() or TRIGGER
