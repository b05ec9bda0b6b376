"""A local HTTP server that answers like Twilio's Messages API (REST 2010-04-01), for tests.

    with TwilioDouble() as double:
        sender = TwilioSmsSender(account_sid=double.account_sid, auth_token=double.auth_token,
                                 from_number="+447700900000", api_base_url=double.url)
        double.fail_next(400, 21610, "Attempt to send to unsubscribed recipient")

Like Twilio: HTTP basic auth (401/20003 on a wrong token), form-encoded create answered
with 201 and the message JSON, status "queued" (or "accepted" when sent through a
messaging service), ``date_sent`` null until the message is sent, lists newest first with
``next_page_uri`` paging, errors as ``{"code", "message", "more_info", "status"}``.
"""

from __future__ import annotations

import base64
import json
import operator
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

ACCOUNT_SID = "AC" + "d0" * 16
AUTH_TOKEN = "double-auth-token"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
PREFIX = "/2010-04-01/Accounts/"
GSM7 = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"  # two septets each
SENT_STATES = {"sent", "delivered", "undelivered", "failed"}


def num_segments(body: str) -> int:
    """Segments as Twilio counts them: GSM-7 160/153, otherwise UCS-2 70/67 code units."""
    if all(c in GSM7 or c in GSM7_EXTENDED for c in body):
        units, single, multi = sum(2 if c in GSM7_EXTENDED else 1 for c in body), 160, 153
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else -(-units // multi)


def _rfc2822(moment: datetime | None) -> str | None:
    return format_datetime(moment, usegmt=True) if moment else None


def _error(status: int, code: int | None, message: str) -> dict[str, Any]:
    more_info = f"https://www.twilio.com/docs/errors/{code}" if code else None
    return {"code": code, "message": message, "more_info": more_info, "status": status}


@dataclass(frozen=True)
class SentSms:
    sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None = None


class TwilioDouble:
    """Thread-safe; use as a context manager. ``url`` is e.g. ``http://127.0.0.1:54321``."""

    def __init__(self, *, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._messages: dict[str, dict[str, Any]] = {}  # insertion order = creation order
        self._sent: list[SentSms] = []
        self._failures: list[tuple[int, int | None, str]] = []
        self._delays: list[float] = []
        self._rejected: dict[str, tuple[int, int, str]] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        # The account's own numbers and messaging services (`channels check` asks).
        self.numbers: set[str] = {"+447700900000", "+447700900001"}
        self.services: set[str] = {"MG" + "ab" * 16}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> TwilioDouble:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing.set()  # wakes handlers sleeping in delay_next
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- programming the double -------------------------------------------------------
    def fail_next(
        self, status: int, code: int | None = None, message: str = "Error", times: int = 1
    ) -> None:
        """The next ``times`` API requests (of any kind) get this error; nothing is created."""
        with self._lock:
            self._failures.extend([(status, code, message)] * times)

    def delay_next(self, seconds: float) -> None:
        """The next request waits before answering. A create still creates the message first
        (as when Twilio accepted it but the answer never arrived)."""
        with self._lock:
            self._delays.append(seconds)

    def reject_number(
        self,
        number: str,
        status: int = 400,
        code: int = 21610,
        message: str = "Attempt to send to unsubscribed recipient",
    ) -> None:
        """Every create to ``number`` fails with this error."""
        with self._lock:
            self._rejected[number] = (status, code, message)

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        with self._lock:
            message = self._messages[sid]
            now = datetime.now(UTC)
            message.update(status=status, error_code=error_code, date_updated=_rfc2822(now))
            message["error_message"] = f"Error {error_code}" if error_code else None
            if status in SENT_STATES and message["date_sent"] is None:
                message["date_sent"] = _rfc2822(now)
                message["_sent_at"] = now

    @property
    def sent(self) -> list[SentSms]:
        with self._lock:
            return list(self._sent)

    # --- answering ----------------------------------------------------------------------
    def answer(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        form: dict[str, str],
        authorization: str,
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append((method, path))
            expected = f"{self.account_sid}:{self.auth_token}".encode()
            account = path.removeprefix(PREFIX).split("/", 1)[0].removesuffix(".json")
            service = re.fullmatch(r"/v1/Services/(\w+)", path)  # messaging.twilio.com
            if service and authorization == "Basic " + base64.b64encode(expected).decode():
                if service.group(1) in self.services:
                    return 200, {"sid": service.group(1), "account_sid": self.account_sid}
                return 404, _error(404, 20404, f"The requested resource {path} was not found")
            if service:
                return 401, _error(401, 20003, "Authenticate")
            if not path.startswith(PREFIX) or not path.endswith(".json"):
                return 404, _error(404, 20404, "The requested resource was not found")
            if authorization != "Basic " + base64.b64encode(expected).decode() or (
                account != self.account_sid
            ):
                return 401, _error(401, 20003, "Authenticate")
            if self._failures:
                return self._failures[0][0], _error(*self._failures.pop(0))
            delay = self._delays.pop(0) if self._delays else 0.0
            rest = path.removeprefix(f"{PREFIX}{account}/")
            if method == "GET" and path == f"{PREFIX}{account}.json":
                status, payload = 200, {"sid": account, "status": "active", "type": "Full"}
            elif method == "GET" and rest == "IncomingPhoneNumbers.json":
                wanted = query.get("PhoneNumber")
                owned = sorted(n for n in self.numbers if wanted in (None, n))
                status, payload = (
                    200,
                    {
                        "incoming_phone_numbers": [
                            {"phone_number": n, "sid": "PN" + "0" * 32} for n in owned
                        ],
                        "page": 0,
                        "page_size": 50,
                        "next_page_uri": None,
                        "uri": path,
                    },
                )
            elif method == "POST" and rest == "Messages.json":
                status, payload = self._create(form)
            elif method == "GET" and rest == "Messages.json":
                status, payload = 200, self._list(path, query)
            elif method == "GET" and (found := re.fullmatch(r"Messages/(\w+)\.json", rest)):
                message = self._messages.get(found.group(1))
                status, payload = (
                    (200, _public(message))
                    if message
                    else (404, _error(404, 20404, f"The requested resource {path} was not found"))
                )
            else:
                status, payload = 405, _error(405, 20004, "Method not allowed")
        if delay:
            self._closing.wait(delay)
        return status, payload

    def _create(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        to, body = form.get("To", ""), form.get("Body", "")
        sender, service = form.get("From"), form.get("MessagingServiceSid")
        if not to:
            return 400, _error(400, 21604, "A 'To' phone number is required.")
        if not sender and not service:
            return 400, _error(400, 21603, "A 'From' phone number is required.")
        if not body:
            return 400, _error(400, 21602, "Message body is required.")
        if not E164.match(to):
            return 400, _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self._rejected:
            return self._rejected[to][0], _error(*self._rejected[to])
        sid, now = "SM" + secrets.token_hex(16), datetime.now(UTC)
        message: dict[str, Any] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "to": to,
            "from": sender,
            "messaging_service_sid": service,
            "body": body,
            "status": "queued" if sender else "accepted",
            "direction": "outbound-api",
            "num_segments": str(num_segments(body)),
            "num_media": "0",
            "date_created": _rfc2822(now),
            "date_updated": _rfc2822(now),
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "uri": f"{PREFIX}{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {"media": f"{PREFIX}{self.account_sid}/Messages/{sid}/Media.json"},
            "_sent_at": None,
        }
        self._messages[sid] = message
        self._sent.append(SentSms(sid, to, body, sender, service, form.get("StatusCallback")))
        return 201, _public(message)

    def _list(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        def keep(message: dict[str, Any]) -> bool:
            dates = [k for k in ("DateSent", "DateSent>", "DateSent<") if k in query]
            if not all(_date_filter(message["_sent_at"], k, query[k]) for k in dates):
                return False
            fields = [(p, f) for p, f in (("To", "to"), ("From", "from")) if p in query]
            return all(message[f] == query[p] for p, f in fields)

        matching = [m for m in reversed(self._messages.values()) if keep(m)]  # newest first
        size, page = int(query.get("PageSize", 50)), int(query.get("Page", 0))
        records = matching[page * size : (page + 1) * size]

        def page_uri(number: int) -> str:
            return f"{path}?{urlencode({**query, 'Page': number, 'PageSize': size})}"

        more = (page + 1) * size < len(matching)
        return {
            "messages": [_public(m) for m in records],
            "page": page,
            "page_size": size,
            "uri": page_uri(page),
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1) if more else None,
            "previous_page_uri": page_uri(page - 1) if page else None,
        }


def _date_filter(sent_at: datetime | None, key: str, value: str) -> bool:
    """Twilio's DateSent filters: ``YYYY-MM-DD`` compares days, a full timestamp moments."""
    compare = {"DateSent": operator.eq, "DateSent>": operator.ge, "DateSent<": operator.le}[key]
    if sent_at is None:
        return False
    if len(value) == 10:
        return bool(compare(sent_at.date(), date.fromisoformat(value)))
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return bool(compare(sent_at, moment))


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if not key.startswith("_")}


def _handler_for(double: TwilioDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            auth = self.headers.get("Authorization", "")
            status, payload = double.answer(method, parts.path, query, form, auth)
            data = json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up waiting (a delayed answer)
                pass

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler
