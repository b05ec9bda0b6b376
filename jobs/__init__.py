"""Scheduled work as plain functions `job(app, on) -> report`; the scheduler only wires
them, and `transport jobs run NAME --on D` runs any of them for a date."""

from __future__ import annotations

from jobs.nightly import nightly
from jobs.runs import JobFunction
from jobs.sending import dispatch_job, poll_job

JOBS: dict[str, JobFunction] = {
    "nightly": nightly,
    "dispatch": dispatch_job,
    "poll_status": poll_job,
}
