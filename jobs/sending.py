"""The sending jobs: dispatch what is due, and poll SMS delivery statuses.

A dispatch that finds a channel down (its configuration refused, or a relay that refuses
everyone) is a failed run, with the reason, and `transport jobs run dispatch` exits 2:
what the scheduler runs every few minutes must not look `ok` while no email reaches a
family, and the team's digest that would say so waits in the queue of the dead channel.
"""

from __future__ import annotations

from datetime import date

from notifications.delivery_status import PollReport
from notifications.dispatch import DispatchReport
from services.app import App
from services.sending import held_digests, poll_delivery, send_due
from transport.errors import TransportError


class ChannelDownError(TransportError):
    """A dispatch found a channel that cannot send; the run is recorded as failed."""

    exit_code = 2


def dispatch_job(app: App, on: date, *, limit: int | None = None) -> DispatchReport:
    report = send_due(app, limit=limit)
    if report.channels_down:
        raise ChannelDownError(down_reason(report, held_digests(app, report.channels_down)))
    return report


def down_reason(report: DispatchReport, digests: list[str]) -> str:
    """The failed run's reason: each channel down and why, what this run still did, and
    the team's digests that wait behind the dead channel."""
    parts = [
        f"channel down, its messages stay queued: {why}" for why in report.channels_down.values()
    ]
    parts.append(f"this run sent {report.sent}, retrying {report.retrying}, failed {report.failed}")
    if digests:
        parts.append(
            f"the team's digest of {', '.join(digests)} waits in the queue and cannot arrive "
            "while its channel is down: read it with `transport digest --as-of D`; "
            "`transport health` is what a monitor should run"
        )
    return "; ".join(parts)


def poll_job(app: App, on: date) -> PollReport:
    return poll_delivery(app)
