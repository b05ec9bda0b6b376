"""The sending jobs: dispatch what is due, and poll SMS delivery statuses."""

from __future__ import annotations

from datetime import date

from notifications.delivery_status import PollReport
from notifications.dispatch import DispatchReport
from services.app import App
from services.sending import poll_delivery, send_due


def dispatch_job(app: App, on: date, *, limit: int | None = None) -> DispatchReport:
    return send_due(app, limit=limit)


def poll_job(app: App, on: date) -> PollReport:
    return poll_delivery(app)
