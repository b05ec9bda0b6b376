"""Email, text messages and letters through GOV.UK Notify: the only module that imports
notifications_python_client (the official client).

We render our own text (notifications/messages.py) and pass it through one template per
channel whose content is only placeholders: an email template with subject
``((subject))`` and body ``((body))``, a text message template ``((body))``, a letter
template with heading ``((subject))`` and body ``((body))`` (the address block goes in
address_line_1.., the contact's name first and the postcode last). The
``reference`` is our outbox id (``outbox-42``), never personal data.

Every Notify or network failure becomes one of the port's errors (``raise ... from exc``):

- HTTP 401/403 (the key is wrong, revoked, of another service, or the clock is off by
  more than 30 s) and 400 "team-only API key" / "trial mode" -> ChannelConfigError naming
  NOTIFY_API_KEY: the channel is down, not the message;
- 400 about the template, the reply-to address or the text sender -> ChannelConfigError
  naming the ``[notify]`` key to fix;
- 400 about the recipient (not a valid email address, not a valid mobile) ->
  PermanentDeliveryError(channel_status="bounced" / "invalid"): the fallback order applies;
- any other 400 -> Permanent(channel_status=None) (our bad request);
- 429 (3,000 requests a minute, or the day's limit) and 5xx -> RetryableDeliveryError,
  tried again after the dispatcher's backoff;
- a request that may have reached Notify (read timeout, an unreadable 2xx) ->
  UnknownOutcomeError: never resent blindly; ``find`` looks it up by its reference.

Statuses (``NotifyStatus``): delivered -> delivered; permanent-failure -> failed, the
address bounced or the number invalid; temporary-failure and technical-failure -> sent
again after the backoff; created, sending, pending, sent (abroad) -> not final. A letter:
accepted -> not final (printing); received -> posted (final, never "delivered");
validation-failed, technical-failure, permanent-failure -> failed.

Privacy: nothing here logs an address, a number or a message text; our error messages
carry Notify's status, error type and message (which quote no recipient). The client's
own warnings (which print Notify's message) are kept below our log level.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from notifications_python_client.errors import APIError, HTTPError, InvalidResponse
from notifications_python_client.notifications import NotificationsAPIClient

from notifications.ports import (
    ChannelConfigError,
    DeliveryError,
    EmailMessage,
    LetterMessage,
    PermanentDeliveryError,
    RetryableDeliveryError,
    SmsMessage,
    SmsStatus,
    UnknownOutcomeError,
)

log = logging.getLogger(__name__)

NOTIFY_URL = "https://api.notifications.service.gov.uk"
KEY_SETTING = "NOTIFY_API_KEY"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# {key name}-{service id}-{secret}: the name may itself hold hyphens.
KEY_FORMAT = re.compile(rf"^(?P<name>.+)-(?P<service>{_UUID})-(?P<secret>{_UUID})$")
UUID_FORMAT = re.compile(rf"^{_UUID}$")
DELIVERED = {"delivered"}
FAILED = {"permanent-failure"}
RETRY = {"temporary-failure", "technical-failure"}
# Letters: accepted (sent to the printer), received (printed and posted); never delivered.
LETTER_POSTED = {"received"}
LETTER_FAILED = {
    "validation-failed",
    "technical-failure",
    "permanent-failure",
    "virus-scan-failed",
    "cancelled",
}
MAX_ADDRESS_LINES = 7  # Notify's address_line_1 .. address_line_7, the postcode last


@dataclass(frozen=True)
class NotifyStatus(SmsStatus):
    """A status in Notify's words (``notification_type`` ``email``, ``sms`` or ``letter``)."""

    notification_type: str = "sms"

    @property
    def _letter(self) -> bool:
        return self.notification_type == "letter"

    @property
    def final(self) -> bool:
        if self._letter:
            return self.status in LETTER_POSTED | LETTER_FAILED
        return self.status in DELIVERED | FAILED | RETRY

    @property
    def failed(self) -> bool:
        return self.status in (LETTER_FAILED if self._letter else FAILED)

    @property
    def retry(self) -> bool:
        return not self._letter and self.status in RETRY

    @property
    def delivered(self) -> bool:
        return not self._letter and self.status in DELIVERED

    @property
    def posted(self) -> bool:
        return self._letter and self.status in LETTER_POSTED

    @property
    def channel_status(self) -> str | None:
        if not self.failed or self._letter:  # a letter's failure may be ours or the printer's
            return None
        return "bounced" if self.notification_type == "email" else "invalid"


def check_key(api_key: str) -> str:
    """The service id in a Notify API key; ValueError naming NOTIFY_API_KEY (never the
    key) when it is missing or not ``{name}-{service id}-{secret}``."""
    found = KEY_FORMAT.match(api_key.strip())
    if not api_key.strip():
        raise ValueError(f"{KEY_SETTING} is not set (needed for backend = notify)")
    if found is None:
        raise ValueError(
            f"{KEY_SETTING} is not a GOV.UK Notify API key: expected the key name, the "
            "service id and the secret (two UUIDs at the end), as Notify shows it once"
        )
    return found.group("service")


def check_id(value: str, setting: str, *, required: bool) -> str:
    value = value.strip()
    if (required or value) and not UUID_FORMAT.match(value):
        what = "is not set" if not value else "is not an id like 2b3c4d5e-...-...: copy it"
        raise ValueError(f"notify.{setting} {what} (from GOV.UK Notify)")
    return value


class _NotifySender:
    """One client per sending thread (the official client is not thread-safe)."""

    channel = ""
    template_setting = ""

    def __init__(
        self, *, api_key: str, template_id: str, base_url: str = "", timeout_seconds: float = 15.0
    ) -> None:
        check_key(api_key)
        self._template_id = check_id(template_id, self.template_setting, required=True)
        if not timeout_seconds > 0:
            raise ValueError(f"notify.timeout_seconds must be > 0, not {timeout_seconds!r}")
        if base_url and not re.match(r"^https?://[^/?#]+(/[^?#]*)?$", base_url):
            raise ValueError(f"notify.base_url must look like https://host, not {base_url!r}")
        self._key = api_key.strip()
        self._base_url = (base_url or NOTIFY_URL).rstrip("/")
        self._timeout = timeout_seconds
        self._local = threading.local()
        # The client warns with Notify's message and the URL; we say it our own way.
        logging.getLogger("notifications_python_client").setLevel(logging.ERROR)

    @property
    def client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
                self._key, base_url=self._base_url, timeout=self._timeout
            )
            self._local.client = client
        return client

    def close(self) -> None:
        client = getattr(self._local, "client", None)
        if client is not None:
            client.request_session.close()
            self._local.client = None

    def _create(self, reference: str, call: Any, **arguments: Any) -> str:
        try:
            created = call(template_id=self._template_id, reference=reference, **arguments)
        except Exception as exc:
            error = translate(exc, channel=self.channel, template=self.template_setting)
            log.debug("%s %s not sent: %s", self.channel, reference, error)
            raise error from exc
        notification_id = created.get("id") if isinstance(created, dict) else None
        if not isinstance(notification_id, str) or not UUID_FORMAT.match(notification_id):
            raise UnknownOutcomeError("GOV.UK Notify answered without a notification id")
        log.debug("%s %s accepted by Notify as %s", self.channel, reference, notification_id)
        return notification_id

    def status(self, provider_id: str) -> NotifyStatus:
        if not UUID_FORMAT.match(provider_id):
            raise PermanentDeliveryError("not a GOV.UK Notify notification id")
        try:
            found = self.client.get_notification_by_id(provider_id)
        except Exception as exc:
            raise translate(exc, channel=self.channel, template=None, look_up=True) from exc
        return NotifyStatus(str(found.get("status")), None, str(found.get("type", self.channel)))

    def find_reference(self, reference: str) -> str | None:
        """After a crash: the id of a notification sent with our ``reference`` (Notify
        keeps them 7 days), None if it never went."""
        try:
            page = self.client.get_all_notifications(reference=reference)
        except Exception as exc:
            raise translate(exc, channel=self.channel, template=None, look_up=True) from exc
        for notification in page.get("notifications", []):
            if notification.get("reference") == reference and notification.get("id"):
                return str(notification["id"])
        return None

    def check(self) -> str:
        """Ask Notify for our template (sends nothing): what was found, or a DeliveryError
        (ChannelConfigError for a refused key, an unknown template or one without our
        placeholders)."""
        try:
            template = self.client.get_template(self._template_id)
        except Exception as exc:
            raise translate(exc, channel=self.channel, template=self.template_setting) from exc
        kind = template.get("type")
        wanted = "sms" if self.channel == "sms" else self.channel
        if kind != wanted:
            raise ChannelConfigError(
                f"notify.{self.template_setting} is a {kind} template, not {wanted}",
                channel=self.channel,
                setting=f"notify.{self.template_setting}",
            )
        missing = [p for p in self.placeholders if f"(({p}))" not in _template_text(template)]
        if missing:
            raise ChannelConfigError(
                f"the Notify template notify.{self.template_setting} lacks "
                + ", ".join(f"(({p}))" for p in missing),
                channel=self.channel,
                setting=f"notify.{self.template_setting}",
            )
        service = check_key(self._key)
        return f"GOV.UK Notify service {service}, template {template.get('name')!r}"

    placeholders: tuple[str, ...] = ("body",)


def _template_text(template: dict[str, Any]) -> str:
    return f"{template.get('subject') or ''}\n{template.get('body') or ''}"


class NotifyEmailSender(_NotifySender):
    """``EmailSender`` through Notify: our subject and text in ((subject)) and ((body))."""

    channel = "email"
    template_setting = "email_template_id"
    placeholders = ("subject", "body")

    def __init__(self, *, reply_to_id: str = "", **options: Any) -> None:
        super().__init__(**options)
        self._reply_to = check_id(reply_to_id, "email_reply_to_id", required=False)

    def send(self, message: EmailMessage) -> str:
        extra = {"email_reply_to_id": self._reply_to} if self._reply_to else {}
        return self._create(
            message.reference,
            self.client.send_email_notification,
            email_address=message.to,
            personalisation={"subject": message.subject, "body": message.text},
            **extra,
        )


class NotifySmsSender(_NotifySender):
    """``SmsSender`` through Notify: our text in ((body))."""

    channel = "sms"
    template_setting = "sms_template_id"

    def __init__(self, *, sms_sender_id: str = "", **options: Any) -> None:
        super().__init__(**options)
        self._sender = check_id(sms_sender_id, "sms_sender_id", required=False)

    def send(self, message: SmsMessage) -> str:
        extra = {"sms_sender_id": self._sender} if self._sender else {}
        return self._create(
            message.reference,
            self.client.send_sms_notification,
            phone_number=message.to,
            personalisation={"body": message.body},
            **extra,
        )

    def find(self, to: str, body: str, since: datetime) -> str | None:
        """Not used: Notify finds a message by its reference (``find_reference``)."""
        return None


class NotifyLetterSender(_NotifySender):
    """``LetterSender`` through Notify, which prints and posts it: the address block (the
    contact's name, the address lines, the town, the postcode last) in address_line_1..,
    our heading and text in ((subject)) and ((body))."""

    channel = "letter"
    template_setting = "letter_template_id"
    placeholders = ("subject", "body")

    def send(self, message: LetterMessage) -> str:
        lines = [line.strip() for line in message.address if line and line.strip()]
        if len(lines) < 3:
            raise PermanentDeliveryError(
                "GOV.UK Notify needs at least 3 address lines (a name, a line, a postcode)",
                channel_status="invalid",
            )
        if len(lines) > MAX_ADDRESS_LINES:  # keep the name first and the postcode last
            middle = ", ".join(lines[MAX_ADDRESS_LINES - 2 : -1])
            lines = [*lines[: MAX_ADDRESS_LINES - 2], middle, lines[-1]]
        personalisation = {f"address_line_{n}": line for n, line in enumerate(lines, start=1)}
        personalisation.update(subject=message.heading, body=message.text)
        return self._create(
            message.reference,
            self.client.send_letter_notification,
            personalisation=personalisation,
        )


# --- errors -----------------------------------------------------------------------------


def translate(
    exc: Exception, *, channel: str, template: str | None, look_up: bool = False
) -> DeliveryError:
    """Our error for a failure of the Notify client (or of requests beneath it).
    ``template``: the config key of the template the request used (None for a look-up).
    ``look_up``: the request changes nothing, so a broken exchange is simply retryable."""
    unknown_or_retry = RetryableDeliveryError if look_up else UnknownOutcomeError
    if isinstance(exc, InvalidResponse):
        return unknown_or_retry("GOV.UK Notify answered with something that is not JSON")
    if isinstance(exc, HTTPError) and exc.response is not None:
        return _http_error(exc, channel=channel, template=template)
    cause = exc.__cause__ if isinstance(exc, APIError) else exc
    if isinstance(cause, requests.ConnectTimeout | requests.exceptions.ProxyError):
        return RetryableDeliveryError(
            f"could not connect to GOV.UK Notify ({type(cause).__name__})"
        )
    if isinstance(cause, requests.ConnectionError) and _never_connected(cause):
        return RetryableDeliveryError("could not connect to GOV.UK Notify (connection failed)")
    if isinstance(cause, requests.ReadTimeout):
        return unknown_or_retry("no answer from GOV.UK Notify in time (read timeout)")
    if isinstance(cause, requests.RequestException | ValueError | OSError):
        return unknown_or_retry(
            f"the exchange with GOV.UK Notify broke off ({type(cause).__name__})"
        )
    raise exc  # a bug of ours, not a delivery problem


def _http_error(exc: HTTPError, *, channel: str, template: str | None) -> DeliveryError:
    status = int(exc.status_code)
    kind, text = _first_error(exc)
    shown = f"GOV.UK Notify {status} {kind}: {text}".rstrip(": ")
    lowered = text.lower()

    def config(setting: str, advice: str) -> ChannelConfigError:
        return ChannelConfigError(
            f"{shown}; {advice}", channel=channel, setting=setting, code=str(status)
        )

    if status in (401, 403):
        if "clock" in lowered:
            return config(
                KEY_SETTING, "set the system clock right (NTP), then check NOTIFY_API_KEY"
            )
        return config(KEY_SETTING, "check NOTIFY_API_KEY (a live key of this service)")
    if status == 429:
        return RetryableDeliveryError(f"{shown}: tried again later", code="429")
    if status >= 500:
        return RetryableDeliveryError(f"{shown}: tried again later", code=str(status))
    if "team-only" in lowered or "team api key" in lowered:
        return config(
            KEY_SETTING, "a team-only key sends only to the team's own addresses: use a live key"
        )
    if "trial mode" in lowered:
        return config(KEY_SETTING, "the Notify service is in trial mode: ask Notify to go live")
    if "not allowed to send" in lowered:
        return config(KEY_SETTING, "the Notify service may not send this kind of message")
    if template and ("template" in lowered or "personalisation" in lowered):
        return config(f"notify.{template}", f"check notify.{template} and its text")
    if "reply_to" in lowered:
        return config("notify.email_reply_to_id", "check notify.email_reply_to_id")
    if "sms_sender" in lowered:
        return config("notify.sms_sender_id", "check notify.sms_sender_id")
    if "email_address" in lowered:
        return PermanentDeliveryError(f"{shown}", code=str(status), channel_status="bounced")
    if "phone_number" in lowered or (
        channel == "letter" and ("address" in lowered or "postcode" in lowered)
    ):
        return PermanentDeliveryError(f"{shown}", code=str(status), channel_status="invalid")
    return PermanentDeliveryError(f"{shown}: request refused", code=str(status))


def _first_error(exc: HTTPError) -> tuple[str, str]:
    """Notify's error type and message: ``{"status_code", "errors": [{"error", "message"}]}``."""
    try:
        body = exc.response.json()  # type: ignore[union-attr]
        first = body["errors"][0]
        return str(first.get("error", "")), str(first.get("message", ""))[:300]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return "", ""


def _never_connected(exc: requests.ConnectionError) -> bool:
    """Refused, unreachable, DNS failure, connect timeout: the request never left us."""
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError is a subclass
