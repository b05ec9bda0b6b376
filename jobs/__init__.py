"""Scheduled work as plain functions `job(app, on) -> counts`; the scheduler only wires
them, and `transport jobs run NAME --on D` runs any of them for a date."""

from __future__ import annotations

from jobs.nightly import nightly
from jobs.outbox_jobs import dispatch_job, poll_job
from jobs.runs import JobFunction

JOBS: dict[str, JobFunction] = {
    "nightly": nightly,
    "dispatch": dispatch_job,
    "poll_status": poll_job,
}
