"""Send what is due, and ask the SMS provider what became of what was sent."""

from __future__ import annotations

from notifications.delivery_status import PollReport, poll
from notifications.dispatch import DispatchReport, dispatch
from services.app import App


def send_due(app: App, *, limit: int | None = None) -> DispatchReport:
    """Quiet hours, rate limits, retries and fallbacks applied (see notifications.dispatch)."""
    return dispatch(
        app.ready().engine,
        app.senders(),
        app.settings.dispatch,
        now=app.clock.now,  # the dispatcher reads the time per wave: a send takes time
        limiter=app.rate_limiter(),
        limit=limit,
    )


def poll_delivery(app: App) -> PollReport:
    """Fetch the delivery status of SMS not yet final."""
    return poll(app.ready().engine, app.senders().sms, now=app.clock.now())
