"""SMS through Twilio's Messages API: the only module that imports twilio.

Every Twilio or network failure becomes one of the port's errors (``raise ... from exc``):

- 21610 (the recipient sent STOP) -> PermanentDeliveryError(channel_status="opted_out");
- 21211 / 21614 (not a valid / not a mobile number) -> Permanent(channel_status="invalid");
- 20003 / HTTP 401 (credentials refused), 21606 / 21212 / 21659 (the From number is not
  ours or not valid), a messaging service that does not exist (21701, or 20404 on a
  create through one) -> ChannelConfigError naming the setting to fix: the channel is
  down, not the message;
- any other 4xx except 429 (our bad request) -> Permanent(channel_status=None);
- 429, 5xx, a connection that was never made -> RetryableDeliveryError;
- a create that may have reached Twilio (read timeout, connection dropped after sending,
  an unreadable 2xx) -> UnknownOutcomeError: Twilio has no idempotency key, so never
  resend blindly; reconcile with ``find``. Look-ups (``status``/``find``) change nothing,
  so the same failures there are simply retryable.

Privacy: nothing here logs a phone number or a message body, and our error messages carry
only HTTP statuses and Twilio error codes (Twilio's own ``msg`` often quotes the number).
Twilio's HTTP client logs query strings (``To=...``) at INFO; ours does not.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException  # type: ignore[import-untyped]
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from notifications.ports import (
    ChannelConfigError,
    DeliveryError,
    PermanentDeliveryError,
    RetryableDeliveryError,
    SmsMessage,
    SmsStatus,
    UnknownOutcomeError,
)

log = logging.getLogger(__name__)

OPTED_OUT = {"21610"}  # the recipient replied STOP
INVALID_NUMBER = {"21211", "21614"}  # not a valid number / not a mobile
BAD_CREDENTIALS = {"20003"}  # Authenticate (also any HTTP 401)
BAD_FROM_NUMBER = {"21606", "21212", "21659"}  # From is not ours / not a valid sender
NO_MESSAGING_SERVICE = {"21701"}  # the messaging service does not exist
CREDENTIAL_SETTINGS = "TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN"
# find(): how many of the newest messages to one number to look through, and how far
# Twilio's clock (date_created, whole seconds) may be behind ours.
FIND_LIMIT = 200
CLOCK_SKEW = timedelta(minutes=2)
_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
# Twilio "smart encoding" may replace these before storing the body; compare without them.
_SMART = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}
)


class TwilioSmsSender:
    """``SmsSender`` over the real twilio client. Each thread that sends keeps one client
    and its HTTP session (keep-alive), so a pool of sending threads shares no socket."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        messaging_service_sid: str = "",
        api_base_url: str = "",
        timeout_seconds: float = 15.0,
        status_callback: str = "",
    ) -> None:
        if not account_sid.strip():
            raise ValueError("TWILIO_ACCOUNT_SID is not set (needed for sms.backend = twilio)")
        if not auth_token.strip():
            raise ValueError("TWILIO_AUTH_TOKEN is not set (needed for sms.backend = twilio)")
        if bool(from_number.strip()) == bool(messaging_service_sid.strip()):
            raise ValueError("set exactly one of sms.from_number and sms.messaging_service_sid")
        if not timeout_seconds > 0:
            raise ValueError(f"sms.timeout_seconds must be > 0, not {timeout_seconds!r}")
        if api_base_url:
            parts = urlsplit(api_base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
                raise ValueError(
                    "sms.api_base_url must look like http://host:port (optionally with a path "
                    f"prefix), not {api_base_url!r}"
                )
        self._sender: dict[str, str] = (
            {"from_": from_number.strip()}
            if from_number.strip()
            else {"messaging_service_sid": messaging_service_sid.strip()}
        )
        self._via_service = "messaging_service_sid" in self._sender
        # Where Twilio posts each status change (`transport serve`), when it is set up.
        self._create_extra = {"status_callback": status_callback} if status_callback else {}
        self._credentials = (account_sid, auth_token)
        self._base_url = api_base_url.rstrip("/")
        self._timeout = timeout_seconds
        self._local = threading.local()

    @property
    def _client(self) -> Any:
        """This thread's client: each sending thread keeps its own HTTP session."""
        client = getattr(self._local, "client", None)
        if client is None:
            http = _HttpClient(self._base_url, timeout=self._timeout)
            # A non-empty environment stops the client reading TWILIO_* (edge, region,
            # credentials) from os.environ: our config is the only source.
            client = Client(*self._credentials, http_client=http, environment={"TWILIO_EDGE": ""})
            self._local.client = client
        return client

    def send(self, message: SmsMessage) -> str:
        try:
            created = self._client.messages.create(
                to=message.to, body=message.body, **self._sender, **self._create_extra
            )
        except Exception as exc:
            error = _translate(exc, may_have_sent=True, via_service=self._via_service)
            log.debug("sms %s not sent: %s", message.reference, error)
            raise error from exc
        sid = getattr(created, "sid", None)
        if not isinstance(sid, str) or not sid:
            raise UnknownOutcomeError("Twilio answered without a message SID")
        log.debug("sms %s accepted by Twilio as %s", message.reference, sid)
        return sid

    def status(self, provider_id: str) -> SmsStatus:
        if not _SID.match(provider_id):
            raise PermanentDeliveryError("not a Twilio message SID")
        try:
            fetched = self._client.messages(provider_id).fetch()
        except Exception as exc:
            raise _translate(exc, may_have_sent=False) from exc
        code = fetched.error_code
        return SmsStatus(str(fetched.status), None if code is None else str(code))

    def check(self) -> str:
        """Sends nothing: the credentials (the account) and our sender (one of its numbers,
        or its messaging service). Raises ChannelConfigError naming what to fix."""
        sid = self._credentials[0]
        try:
            self._client.api.v2010.accounts(sid).fetch()
            if self._via_service:
                service = self._sender["messaging_service_sid"]
                self._client.messaging.v1.services(service).fetch()
                return f"Twilio account {sid}, messaging service {service}"
            number = self._sender["from_"]
            owned = self._client.incoming_phone_numbers.list(phone_number=number, limit=1)
        except Exception as exc:
            raise _translate(exc, may_have_sent=False, via_service=self._via_service) from exc
        if not owned:
            raise ChannelConfigError(
                f"{number} is not a number of Twilio account {sid}; check sms.from_number",
                channel="sms",
                setting="sms.from_number",
            )
        return f"Twilio account {sid}, sender {number}"

    def find(self, to: str, body: str, since: datetime) -> str | None:
        """The newest message to ``to`` created at or after ``since`` (less CLOCK_SKEW)
        whose body is ``body`` (compared after Twilio's smart encoding).

        Filters on ``date_created`` here rather than Twilio's ``DateSent>`` filter: a
        message still queued or accepted has no ``date_sent`` yet and would be missed."""
        if since.tzinfo is None or since.utcoffset() is None:
            raise ValueError("since must be timezone-aware")
        earliest, wanted = since - CLOCK_SKEW, _comparable(body)
        try:
            for record in self._client.messages.stream(to=to, limit=FIND_LIMIT, page_size=50):
                created = record.date_created
                if created is not None and created < earliest:
                    continue
                if _comparable(record.body or "") == wanted:
                    return str(record.sid)
        except Exception as exc:
            raise _translate(exc, may_have_sent=False) from exc
        return None


def _comparable(body: str) -> str:
    return unicodedata.normalize("NFC", body).translate(_SMART).strip()


def _translate(
    exc: Exception, *, may_have_sent: bool, via_service: bool | None = None
) -> DeliveryError:
    """Our error for a failure of the twilio client (or of requests beneath it).
    ``via_service`` is given for a create: True when it went through a messaging service."""
    unknown_or_retry = UnknownOutcomeError if may_have_sent else RetryableDeliveryError
    if isinstance(exc, TwilioException):
        status, code = _status_and_code(exc)
        label = f"Twilio error {code}" if code else "Twilio error"
        if status is None:
            return RetryableDeliveryError(f"{label} ({type(exc).__name__})", code=code)
        config = _config_error(status, code, via_service)
        if config is not None:
            return config
        where = f"{label}, HTTP {status}"
        if code in OPTED_OUT:
            return PermanentDeliveryError(
                f"{where}: the recipient has opted out (STOP)",
                code=code,
                channel_status="opted_out",
            )
        if code in INVALID_NUMBER:
            return PermanentDeliveryError(
                f"{where}: not a valid mobile number", code=code, channel_status="invalid"
            )
        if status == 429 or status >= 500:
            return RetryableDeliveryError(f"{where}: try again later", code=str(status))
        if 400 <= status < 500:
            return PermanentDeliveryError(f"{where}: request refused", code=code or str(status))
        return RetryableDeliveryError(where, code=code or str(status))
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.ProxyError):
        return RetryableDeliveryError(f"could not connect to Twilio ({type(exc).__name__})")
    if isinstance(exc, requests.ConnectionError) and _never_connected(exc):
        return RetryableDeliveryError("could not connect to Twilio (connection failed)")
    if isinstance(exc, requests.ReadTimeout):
        return unknown_or_retry("no answer from Twilio in time (read timeout)")
    if isinstance(exc, requests.RequestException | ValueError | OSError):
        # Dropped after the request went out, or a 2xx we cannot read.
        return unknown_or_retry(f"the exchange with Twilio broke off ({type(exc).__name__})")
    raise exc  # a bug of ours, not a delivery problem


def _config_error(
    status: int, code: str | None, via_service: bool | None
) -> ChannelConfigError | None:
    """The channel's configuration is wrong (whatever the message): which setting to fix."""
    shown = code or str(status)
    if status == 401 or code in BAD_CREDENTIALS:
        return ChannelConfigError(
            f"Twilio refused the credentials ({shown}); check {CREDENTIAL_SETTINGS}",
            channel="sms",
            setting=CREDENTIAL_SETTINGS,
            code=shown,
        )
    if via_service is None:  # a look-up: the sender is not involved
        return None
    if code in BAD_FROM_NUMBER:
        setting = "sms.messaging_service_sid" if via_service else "sms.from_number"
        return ChannelConfigError(
            f"Twilio refused our sender ({shown}): it is not a valid sending number of this "
            f"account; check {setting}",
            channel="sms",
            setting=setting,
            code=shown,
        )
    if via_service and (code in NO_MESSAGING_SERVICE or code == "20404"):
        return ChannelConfigError(
            f"Twilio does not know our messaging service ({shown}); check "
            "sms.messaging_service_sid",
            channel="sms",
            setting="sms.messaging_service_sid",
            code=shown,
        )
    return None


def _status_and_code(exc: Exception) -> tuple[int | None, str | None]:
    """HTTP status and Twilio code. TwilioRestException/TwilioServiceException carry
    ``.status``/``.code``; a failed list page raises a bare TwilioException whose second
    argument is the raw response."""
    status = getattr(exc, "status", None)
    code = getattr(exc, "code", None)
    if status is None and len(exc.args) > 1:
        status = getattr(exc.args[1], "status_code", None)
    status = status if isinstance(status, int) else None
    return status, (str(code) if code is not None and code != status else None)


def _never_connected(exc: requests.ConnectionError) -> bool:
    """Refused, unreachable, DNS failure, connect timeout: the request never left us."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError is a subclass


class _HttpClient(TwilioHttpClient):  # type: ignore[misc]
    """TwilioHttpClient with a timeout, quiet logging, and optionally another scheme, host
    and path prefix (the API path and query kept): every URL the twilio client builds,
    next-page links included, starts with https://api.twilio.com (or an edge/region host)."""

    def __init__(self, base_url: str, *, timeout: float) -> None:
        super().__init__(timeout=timeout, logger=logging.getLogger(__name__ + ".http"))
        self._base = urlsplit(base_url) if base_url else None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self._base is not None:
            parts = urlsplit(url)
            path = self._base.path.rstrip("/") + parts.path
            url = urlunsplit((self._base.scheme, self._base.netloc, path, parts.query, ""))
        return super().request(method, url, *args, **kwargs)

    def log_request(self, kwargs: dict[str, Any]) -> None:
        # The stock client logs query parameters (To=+44...) at INFO: path only, here.
        self.logger.debug("Twilio %s %s", kwargs["method"], urlsplit(kwargs["url"]).path)

    def log_response(self, status_code: int, response: Any) -> None:
        self.logger.debug("Twilio answered %s", status_code)
