"""The configuration of GOV.UK Notify and of `transport serve` (see transport/config.py,
which reads and checks every section)."""

from __future__ import annotations

from dataclasses import dataclass

# GOV.UK Notify allows 3,000 requests a minute per key (sends and look-ups together):
# the channels sent through it may use at most this many a second between them, leaving
# a sixth of the minute for the delivery look-ups (`outbox poll`, at most
# NOTIFY_POLL_PER_SECOND).
NOTIFY_MAX_PER_SECOND = 40.0
NOTIFY_POLL_PER_SECOND = 10.0
# Letters through Notify have no setting of their own: they go at most this fast, and
# count against the same budget.
NOTIFY_LETTER_PER_SECOND = 2.0


@dataclass(frozen=True)
class NotifyConfig:
    """GOV.UK Notify, for the channels whose backend is "notify" (NOTIFY_API_KEY from the
    environment). Each template holds only placeholders: our own text goes through them."""

    base_url: str = ""  # blank: Notify's own; set for a test double or a proxy
    email_template_id: str = ""  # subject ((subject)), body ((body))
    sms_template_id: str = ""  # body ((body))
    letter_template_id: str = ""  # body ((body)); the address from the contact
    email_reply_to_id: str = ""  # optional: one of the service's reply-to addresses
    sms_sender_id: str = ""  # optional: one of the service's text message senders
    timeout_seconds: float = 15.0


@dataclass(frozen=True)
class WebConfig:
    """`transport serve`: what providers call back (delivery receipts, replies)."""

    # The address the providers are given, as the world sees it (behind the council's
    # reverse proxy): Twilio signs each request for this URL + the path, never for ours.
    public_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8080
