"""The nightly job: the day's risk snapshot, the renewal ladder, the caseworker tasks and
the team's digest, for one date. Every step can be re-run for the same date: nothing is
recorded or sent twice."""

from __future__ import annotations

from datetime import date

from services.app import App
from services.renewals import RenewalRun, run_renewals


def nightly(app: App, on: date) -> RenewalRun:
    """Snapshot, ladder, tasks, digest."""
    return run_renewals(app, on, save_snapshot=True, digest=True)
