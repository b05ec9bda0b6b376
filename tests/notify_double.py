"""A local HTTP server that answers like GOV.UK Notify's API (v2), for tests.

    with NotifyDouble() as double:
        sender = NotifySmsSender(api_key=double.key("live"), template_id=double.sms_template,
                                 base_url=double.url)

Like Notify:

- every request carries ``Authorization: Bearer <JWT>``, checked as Notify checks it:
  HS256 only, ``iss`` the service id, signed with the secret of one of that service's
  keys (the last 36 characters of ``{name}-{service_id}-{secret}``), ``iat`` within 30
  seconds of the double's clock either way; otherwise 401/403 ``AuthError`` with Notify's
  messages;
- keys have Notify's three types: ``live``; ``team`` (sends only to the team's addresses
  and numbers, else 400 "Can't send to this recipient using a team-only API key"; no
  letters); ``test`` (nothing goes anywhere; the message is `delivered` at once, or fails
  for Notify's documented test numbers and addresses: 07700900003 and
  temp-fail@simulator.notify a temporary failure, 07700900002 and
  perm-fail@simulator.notify a permanent one);
- POST /v2/notifications/{email,sms,letter} -> 201 with the id; validation errors 400
  (``ValidationError`` / ``BadRequestError``); GET /v2/notifications/{id};
  GET /v2/notifications?reference=; GET /v2/template/{id};
- errors as ``{"status_code": N, "errors": [{"error": TYPE, "message": TEXT}]}``;
- a rate limit per key (``rate_limit`` requests a minute, 3,000 by default) -> 429
  ``RateLimitError``.

With a live key a message stays ``sending`` until the test says (``set_status``); with
``send_callbacks_to(url, token)`` the double posts Notify's delivery receipt on each
change, bearer token and all.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

SERVICE_ID = "6a2b7a10-31c5-4b2a-9c11-0d3c4e5f6a7b"
BOUND = 30  # seconds either way, as Notify
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEST_FAILURES = {
    "07700900003": "temporary-failure",
    "07700900002": "permanent-failure",
    "temp-fail@simulator.notify": "temporary-failure",
    "perm-fail@simulator.notify": "permanent-failure",
}
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def uk_mobile(number: str) -> str | None:
    """``07700900123`` for any common form of a UK mobile, as Notify normalises it."""
    digits = re.sub(r"[\s()+-]", "", number)
    if not digits.isdigit():
        return None
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"07\d{9}", digits) else None


def _error(status: int, kind: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": kind, "message": message}]}


def _stamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment else None


@dataclass
class _Key:
    name: str
    secret: str
    kind: str  # live | team | test
    revoked: bool = False


@dataclass
class _Service:
    id: str
    keys: list[_Key] = field(default_factory=list)
    team: set[str] = field(default_factory=set)  # addresses and numbers of the team
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)


class NotifyDouble:
    """Thread-safe; use as a context manager. ``url`` is e.g. ``http://127.0.0.1:54321``."""

    def __init__(self, *, service_id: str = SERVICE_ID, rate_limit: int = 3000) -> None:
        self._lock = threading.Lock()
        self.service = _Service(service_id)
        self._services = {service_id: self.service}
        self.notifications: dict[str, dict[str, Any]] = {}
        self.rate_limit = rate_limit
        self._recent: dict[str, deque[float]] = {}
        self._failures: list[tuple[int, str, str]] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self.clock_offset = 0.0  # seconds the double's clock is ahead of ours
        self.frozen_at: int | None = None  # the double's clock stopped at this second
        self._callback: tuple[str, str] | None = None
        self.email_template = self.add_template("email", "((body))", subject="((subject))")
        self.sms_template = self.add_template("sms", "((body))")
        self.letter_template = self.add_template("letter", "((body))", subject="((subject))")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> NotifyDouble:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- programming the double -------------------------------------------------------
    def key(self, kind: str = "live", *, name: str = "transport-key", service_id: str = "") -> str:
        """A new API key of this type (for another service with ``service_id``), as
        Notify shows it: ``{name}-{service_id}-{secret}``."""
        assert kind in ("live", "team", "test")
        service = self._service(service_id or self.service.id)
        secret = str(uuid.uuid4())
        with self._lock:
            service.keys.append(_Key(name, secret, kind))
        return f"{name}-{service.id}-{secret}"

    def revoke(self, key: str) -> None:
        with self._lock:
            for item in self.service.keys:
                if key.endswith(item.secret):
                    item.revoked = True

    def add_to_team(self, *recipients: str) -> None:
        with self._lock:
            self.service.team.update(uk_mobile(r) or r.lower() for r in recipients)

    def add_template(self, kind: str, body: str, *, subject: str | None = None) -> str:
        template_id = str(uuid.uuid4())
        self.service.templates[template_id] = {
            "id": template_id,
            "name": f"School transport ({kind})",
            "type": kind,
            "created_at": _stamp(datetime.now(UTC)),
            "updated_at": None,
            "version": 1,
            "created_by": "team@council.example",
            "body": body,
            "subject": subject if kind != "sms" else None,
            "letter_contact_block": None,
        }
        return template_id

    def fail_next(self, status: int, kind: str, message: str, times: int = 1) -> None:
        """The next ``times`` authenticated requests get this error; nothing is created."""
        with self._lock:
            self._failures.extend([(status, kind, message)] * times)

    def set_status(self, notification_id: str, status: str) -> None:
        with self._lock:
            notification = self.notifications[notification_id]
            now = datetime.now(UTC)
            notification.update(status=status, completed_at=_stamp(now))
            receipt = _receipt(notification)
            callback = self._callback
        if callback is not None:
            _post(callback, receipt)

    def send_callbacks_to(self, url: str, token: str) -> None:
        """Post Notify's delivery receipt to ``url`` (bearer ``token``) on every change."""
        self._callback = (url, token)

    def sent(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            found = list(self.notifications.values())
        return [n for n in found if kind is None or n["type"] == kind]

    def _service(self, service_id: str) -> _Service:
        with self._lock:
            return self._services.setdefault(service_id, _Service(service_id))

    # --- answering ----------------------------------------------------------------------
    def answer(
        self, method: str, path: str, query: dict[str, str], body: bytes, authorization: str
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append((method, path))
            found = self._authenticate(authorization)
            if isinstance(found[0], int):
                return found  # type: ignore[return-value]
            service, key = found
            window = self._recent.setdefault(key.secret, deque())
            moment = time.monotonic()
            while window and window[0] < moment - 60:
                window.popleft()
            if len(window) >= self.rate_limit:
                return _error(
                    429,
                    "RateLimitError",
                    f"Exceeded rate limit for key type {key.kind.upper()} of "
                    f"{self.rate_limit} requests per 60 seconds",
                )
            window.append(moment)
            if self._failures:
                return _error(*self._failures.pop(0))
            return self._route(method, path, query, body, service, key)

    def _authenticate(self, header: str) -> tuple[_Service, _Key] | tuple[int, dict[str, Any]]:
        if not header:
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        if header[:7].title() != "Bearer ":
            return _error(
                401, "AuthError", "Unauthorized: authentication bearer scheme must be used"
            )
        token = header[7:]
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.DecodeError:
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        if "iss" not in unverified:
            return _error(403, "AuthError", "Invalid token: iss field not provided")
        service = self._services.get(str(unverified["iss"]))
        if service is None:
            return _error(403, "AuthError", "Invalid token: service not found")
        if algorithm != "HS256":
            return _error(403, "AuthError", "Invalid token: algorithm used is not HS256")
        for key in service.keys:
            try:
                claims = jwt.decode(
                    token, key=key.secret, algorithms=["HS256"], options={"verify_iat": False}
                )
            except jwt.InvalidSignatureError:
                continue
            except jwt.InvalidTokenError:
                return _error(403, "AuthError", "Invalid token: signature, api token not found")
            if key.revoked:
                return _error(403, "AuthError", "Invalid token: API key revoked")
            if "iat" not in claims:
                return _error(403, "AuthError", "Invalid token: iat field not provided")
            now = self.frozen_at or int(time.time() + self.clock_offset)
            if not now - BOUND <= int(claims["iat"]) <= now + BOUND:
                return _error(
                    403,
                    "AuthError",
                    "Error: Your system clock must be accurate to within 30 seconds",
                )
            return service, key
        return _error(403, "AuthError", "Invalid token: API key not found")

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes,
        service: _Service,
        key: _Key,
    ) -> tuple[int, dict[str, Any]]:
        if method == "POST" and (
            found := re.fullmatch(r"/v2/notifications/(email|sms|letter)", path)
        ):
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                return _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
            return self._create(found.group(1), data, service, key)
        if method == "GET" and path == "/v2/notifications":
            reference = query.get("reference")
            listed = [
                _public(n)
                for n in reversed(self.notifications.values())
                if n["_service"] == service.id
                and (reference is None or n["reference"] == reference)
            ]
            return 200, {"notifications": listed, "links": {"current": path}}
        if method == "GET" and (found := re.fullmatch(r"/v2/notifications/([^/]+)", path)):
            notification_id = found.group(1)
            if not UUID_TEXT.match(notification_id):
                return _error(400, "ValidationError", "notification_id is not a valid UUID")
            notification = self.notifications.get(notification_id)
            if notification is None or notification["_service"] != service.id:
                return _error(404, "NoResultFound", "No result found")
            return 200, _public(notification)
        if method == "GET" and (found := re.fullmatch(r"/v2/template/([^/]+)", path)):
            template = service.templates.get(found.group(1))
            if not UUID_TEXT.match(found.group(1)):
                return _error(400, "ValidationError", "template_id is not a valid UUID")
            if template is None:
                return _error(404, "NoResultFound", "No Result Found")
            return 200, dict(template)
        return _error(404, "ResourceNotFound", "Not found")

    def _create(
        self, kind: str, data: dict[str, Any], service: _Service, key: _Key
    ) -> tuple[int, dict[str, Any]]:
        template_id = str(data.get("template_id", ""))
        if not UUID_TEXT.match(template_id):
            return _error(400, "ValidationError", "template_id is not a valid UUID")
        personalisation = data.get("personalisation") or {}
        recipient: str
        if kind == "email":
            recipient = str(data.get("email_address", ""))
            if not EMAIL.match(recipient):
                return _error(400, "ValidationError", "email_address Not a valid email address")
        elif kind == "sms":
            number = uk_mobile(str(data.get("phone_number", "")))
            if number is None:
                return _error(400, "ValidationError", "phone_number Not a UK mobile number")
            recipient = number
        else:
            if key.kind == "team":
                return _error(400, "BadRequestError", "Cannot send letters with a team api key")
            lines = [str(personalisation.get(f"address_line_{n}") or "") for n in range(1, 8)]
            present = [line for line in lines if line.strip()]
            if len(present) < 3:
                return _error(400, "ValidationError", "Address must be at least 3 lines")
            recipient = "\n".join(present)
        if key.kind == "team" and kind != "letter" and recipient.lower() not in service.team:
            return _error(
                400, "BadRequestError", "Can't send to this recipient using a team-only API key"
            )
        template = service.templates.get(template_id)
        if template is None:
            return _error(400, "BadRequestError", "Template not found")
        if template["type"] != kind:
            return _error(
                400,
                "BadRequestError",
                f"{template['type']} template is not suitable for {kind} notification",
            )
        wanted = re.findall(r"\(\(([^)]+)\)\)", f"{template['subject'] or ''} {template['body']}")
        missing = [name for name in wanted if name not in personalisation]
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")

        def fill(text: str | None) -> str | None:
            if text is None:
                return None
            return re.sub(r"\(\(([^)]+)\)\)", lambda m: str(personalisation[m.group(1)]), text)

        notification_id, now = str(uuid.uuid4()), datetime.now(UTC)
        status = "sending" if kind != "letter" else "accepted"
        if key.kind == "test":
            status = TEST_FAILURES.get(
                recipient.lower(), "delivered" if kind != "letter" else "received"
            )
        notification: dict[str, Any] = {
            "id": notification_id,
            "reference": data.get("reference"),
            "email_address": recipient if kind == "email" else None,
            "phone_number": recipient if kind == "sms" else None,
            "line_1": (personalisation.get("address_line_1") if kind == "letter" else None),
            "postcode": recipient.splitlines()[-1] if kind == "letter" else None,
            "type": kind,
            "status": status,
            "template": {"id": template_id, "version": 1, "uri": f"/v2/template/{template_id}/1"},
            "body": fill(template["body"]),
            "subject": fill(template["subject"]),
            "created_at": _stamp(now),
            "created_by_name": None,
            "sent_at": _stamp(now),
            "completed_at": _stamp(now) if key.kind == "test" else None,
            "_service": service.id,
            "_key": key.kind,
            "_personalisation": dict(personalisation),
            "_extra": {k: v for k, v in data.items() if k.endswith("_id") and k != "template_id"},
        }
        self.notifications[notification_id] = notification
        content: dict[str, Any] = {"body": notification["body"]}
        if kind == "email":
            content.update(subject=notification["subject"], from_email="transport@notify.example")
        elif kind == "sms":
            content.update(from_number="COUNCIL")
        else:
            content.update(subject=notification["subject"])
        return 201, {
            "id": notification_id,
            "reference": data.get("reference"),
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": notification["template"],
            "scheduled_for": None,
        }


def _public(notification: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in notification.items() if not k.startswith("_")}


def _receipt(notification: dict[str, Any]) -> dict[str, Any]:
    """Notify's delivery receipt (the body of its status callback)."""
    return {
        "id": notification["id"],
        "reference": notification["reference"],
        "to": notification["email_address"] or notification["phone_number"],
        "status": notification["status"],
        "created_at": notification["created_at"],
        "completed_at": notification["completed_at"],
        "sent_at": notification["sent_at"],
        "notification_type": notification["type"],
        "template_id": notification["template"]["id"],
        "template_version": 1,
    }


def _post(callback: tuple[str, str], payload: dict[str, Any]) -> None:
    url, token = callback
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def _handler_for(double: NotifyDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            auth = self.headers.get("Authorization", "")
            status, payload = double.answer(method, parts.path, query, raw, auth)
            data = json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler
