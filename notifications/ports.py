"""Small ports for sending, and the errors every adapter translates vendor errors into.

Only `smtp_email.py` knows smtplib, only `twilio_sms.py` knows twilio and only
`pdf_letter.py` knows the PDF library; the dispatcher sees these types alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


class DeliveryError(Exception):
    """A send failed. ``code`` is the provider's error code (Twilio 21610, SMTP 550...)."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class RetryableDeliveryError(DeliveryError):
    """Try again later: a timeout before sending, 429, 5xx, SMTP 4xx, a refused connection."""


class PolicyRefusalError(RetryableDeliveryError):
    """The relay refused a recipient for a policy of its own (SMTP 5.7.x at RCPT: "relay
    access denied", "sender not authorised"): not about the address, so the contact is
    not marked and no other channel is used; the message is retried later. When such
    refusals meet several different recipients in one run, the relay refuses everyone:
    the dispatcher stops ``channel`` as a configuration error naming ``setting``."""

    def __init__(
        self, message: str, *, channel: str, setting: str, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.channel = channel
        self.setting = setting


class PermanentDeliveryError(DeliveryError):
    """Never retry. ``channel_status`` says what this means for the contact's channel:
    ``opted_out`` (STOP), ``invalid`` (not a mobile), ``bounced`` (the address refuses
    mail), or None when the channel itself is fine (e.g. our own bad request)."""

    def __init__(
        self, message: str, *, code: str | None = None, channel_status: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.channel_status = channel_status


class UnknownOutcomeError(DeliveryError):
    """The request may have reached the provider (a timeout after sending): the message
    may have gone. Never resend blindly; reconcile."""


class ChannelConfigError(DeliveryError):
    """The channel itself cannot send, whatever the message: its configuration is wrong
    (credentials refused, a sender number that is not ours, TLS refused). Not a failure
    of the message: the dispatcher stops the channel for the run and leaves its messages
    queued. ``channel`` is ``"email"`` or ``"sms"``; ``setting`` names the config key or
    environment variable to fix (``"TWILIO_AUTH_TOKEN"``, ``"email.starttls"``...). The
    message holds no address, number or message text."""

    def __init__(
        self, message: str, *, channel: str, setting: str, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.channel = channel
        self.setting = setting


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str | None
    reference: str  # our outbox id, carried in a header for support and reconciliation


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str
    reference: str


# Twilio delivery errors that say the number itself will not work.
NUMBER_FAILED = {"30004": "opted_out", "30005": "invalid", "30006": "invalid"}


@dataclass(frozen=True)
class LetterMessage:
    """A letter to post: the address block (the contact's name, the address lines, the
    town, the postcode last), its heading and text, the council's name and phone for its
    head, and the day it is dated."""

    address: tuple[str, ...]
    heading: str
    text: str
    council_name: str
    council_phone: str
    dated: date
    reference: str  # our outbox id: printed on the letter, never personal data


@dataclass(frozen=True)
class SmsStatus:
    """A delivery status from the provider: queued, sending, sent, delivered,
    undelivered, failed (Twilio's words), with its error code if any.

    Another provider's adapter subclasses it with its own words (GOV.UK Notify's
    ``NotifyStatus``); the poller and the status callbacks read only the properties."""

    status: str
    error_code: str | None = None

    @property
    def final(self) -> bool:
        """Nothing more will happen to the message at the provider."""
        return self.status in ("delivered", "undelivered", "failed")

    @property
    def failed(self) -> bool:
        """It did not reach the person, and trying again will not help."""
        return self.status in ("undelivered", "failed")

    @property
    def retry(self) -> bool:
        """It did not reach the person, but sending it again may (Notify's
        temporary and technical failures); never for Twilio."""
        return False

    @property
    def delivered(self) -> bool:
        """It reached the person (a letter never does: it is posted, see ``final``)."""
        return self.status == "delivered"

    @property
    def posted(self) -> bool:
        """A letter was printed and posted (a provider that posts letters says so)."""
        return False

    @property
    def channel_status(self) -> str | None:
        """What a failure says about the contact's address or number, if anything."""
        return NUMBER_FAILED.get(self.error_code or "") if self.failed else None


DeliveryStatus = SmsStatus  # the same type for every channel whose provider reports one


class EmailSender(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Send; return the provider's id (the Message-ID). Raise a DeliveryError."""
        ...


class LetterSender(Protocol):
    def send(self, message: LetterMessage) -> str:
        """Write or hand over the letter; return the provider's id. Raise a
        DeliveryError (an address that cannot take post: PermanentDeliveryError with
        ``channel_status="invalid"``)."""
        ...


class StatusReader(Protocol):
    def status(self, provider_id: str) -> SmsStatus:
        """The provider's current status of a sent message."""
        ...


class SmsSender(Protocol):
    def send(self, message: SmsMessage) -> str:
        """Send; return the provider's id (Twilio's SID). Raise a DeliveryError."""
        ...

    def status(self, provider_id: str) -> SmsStatus:
        """The provider's current status of a sent message."""
        ...

    def find(self, to: str, body: str, since: datetime) -> str | None:
        """After a crash: the id of a message with this body sent to ``to`` since
        ``since``, if the provider has one; None if it never went."""
        ...
