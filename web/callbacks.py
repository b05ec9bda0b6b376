"""The ASGI app of `transport serve`: what Twilio and GOV.UK Notify call back, and
``GET /healthz``.

Each callback is verified before anything is read from it:

- Twilio's (``/callbacks/twilio/status``, ``/callbacks/twilio/inbound``): the
  ``X-Twilio-Signature`` checked by the twilio package's RequestValidator, with
  TWILIO_AUTH_TOKEN, against ``[web] public_url`` + the path: the address Twilio was
  given, never the request's own Host or scheme (we sit behind the council's proxy);
- Notify's (``/callbacks/notify/status``, ``/callbacks/notify/inbound``): the bearer
  token NOTIFY_CALLBACK_TOKEN, compared in constant time.

An unverified request gets 403 and changes nothing; it is logged by path and reason,
never with its body. A body over 64 KB gets 413 before it is read further. A callback
about a message we do not know gets 200 (the provider would only retry) and is logged by
id. Then one use case (services/callbacks.py) does the work.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from services import callbacks
from services.app import App

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class _TooLarge(Exception):
    pass


@dataclass(frozen=True)
class Verifiers:
    """What the callbacks are checked with (empty: that provider's callbacks are refused)."""

    public_url: str
    twilio_auth_token: str
    notify_callback_token: str

    @classmethod
    def of(cls, app: App) -> Verifiers:
        config = app.config
        return cls(
            config.web.public_url.rstrip("/"),
            config.secrets.twilio_auth_token,
            config.secrets.notify_callback_token,
        )

    def missing(self) -> list[str]:
        """What each provider's callbacks need and lack (to say so at start)."""
        lacking = []
        if not (self.public_url and self.twilio_auth_token):
            lacking.append("Twilio's callbacks need web.public_url and TWILIO_AUTH_TOKEN")
        if not self.notify_callback_token:
            lacking.append("Notify's callbacks need NOTIFY_CALLBACK_TOKEN")
        return lacking


def create_app(app: App) -> Starlette:
    verifiers = Verifiers.of(app)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def twilio_status(request: Request) -> Response:
        form = await _twilio_form(request, verifiers)
        if isinstance(form, Response):
            return form
        sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
        if not sid or not status:
            return _bad(request, "no MessageSid or MessageStatus")
        await run_in_threadpool(
            callbacks.twilio_status, app, sid=sid, status=status, error_code=form.get("ErrorCode")
        )
        return PlainTextResponse("", status_code=200)

    async def twilio_inbound(request: Request) -> Response:
        form = await _twilio_form(request, verifiers)
        if isinstance(form, Response):
            return form
        sid, sender = form.get("MessageSid") or form.get("SmsSid", ""), form.get("From", "")
        if not sid or not sender:
            return _bad(request, "no MessageSid or From")
        await run_in_threadpool(
            callbacks.text_received,
            app,
            provider="twilio",
            provider_id=sid,
            from_number=sender,
            text=form.get("Body", ""),
        )
        return Response(TWIML_EMPTY, media_type="text/xml")

    async def notify_status(request: Request) -> Response:
        data = await _notify_json(request, verifiers)
        if isinstance(data, Response):
            return data
        fields = [data.get(k) for k in ("id", "status", "notification_type")]
        if not all(isinstance(value, str) and value for value in fields):
            return _bad(request, "no id, status or notification_type")
        notification_id, status, kind = (str(value) for value in fields)
        await run_in_threadpool(
            callbacks.notify_status,
            app,
            notification_id=notification_id,
            status=status,
            notification_type=kind,
        )
        return JSONResponse({})

    async def notify_inbound(request: Request) -> Response:
        data = await _notify_json(request, verifiers)
        if isinstance(data, Response):
            return data
        fields = [data.get(k) for k in ("id", "source_number")]
        if not all(isinstance(value, str) and value for value in fields):
            return _bad(request, "no id or source_number")
        message = data.get("message")
        await run_in_threadpool(
            callbacks.text_received,
            app,
            provider="notify",
            provider_id=str(fields[0]),
            from_number=str(fields[1]),
            text=message if isinstance(message, str) else "",
        )
        return JSONResponse({})

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/callbacks/twilio/status", twilio_status, methods=["POST"]),
            Route("/callbacks/twilio/inbound", twilio_inbound, methods=["POST"]),
            Route("/callbacks/notify/status", notify_status, methods=["POST"]),
            Route("/callbacks/notify/inbound", notify_inbound, methods=["POST"]),
        ]
    )


async def _body(request: Request) -> bytes:
    """The body, at most MAX_BODY bytes: _TooLarge as soon as it is more (whatever the
    Content-Length says)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _read(request: Request) -> bytes | Response:
    try:
        return await _body(request)
    except _TooLarge:
        log.warning("refused %s: the body is over %d bytes", request.url.path, MAX_BODY)
        return PlainTextResponse("request body too large", status_code=413)


async def _twilio_form(request: Request, verifiers: Verifiers) -> dict[str, str] | Response:
    body = await _read(request)
    if isinstance(body, Response):
        return body
    if not (verifiers.public_url and verifiers.twilio_auth_token):
        return _refuse(request, "web.public_url or TWILIO_AUTH_TOKEN is not set")
    signature = request.headers.get("x-twilio-signature", "")
    if not signature:
        return _refuse(request, "no X-Twilio-Signature")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return _refuse(request, "a body that is not UTF-8")
    form = dict(pairs)
    # The URL Twilio was given and signed: ours as the world sees it, never the Host the
    # request claims (a proxy, or a forger, sets that).
    url = verifiers.public_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    validator = RequestValidator(verifiers.twilio_auth_token)
    if not validator.validate(url, form, signature):
        return _refuse(request, "the signature does not match")
    return form


async def _notify_json(request: Request, verifiers: Verifiers) -> dict[str, Any] | Response:
    body = await _read(request)
    if isinstance(body, Response):
        return body
    expected = verifiers.notify_callback_token
    if not expected:
        return _refuse(request, "NOTIFY_CALLBACK_TOKEN is not set")
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode("utf-8"), expected.encode("utf-8")
    ):
        return _refuse(request, "the bearer token does not match")
    try:
        data = json.loads(body)
    except ValueError:
        return _bad(request, "a body that is not JSON")
    if not isinstance(data, dict):
        return _bad(request, "a body that is not a JSON object")
    return data


def _refuse(request: Request, why: str) -> Response:
    log.warning("refused %s from %s: %s", request.url.path, _client(request), why)
    return PlainTextResponse("forbidden", status_code=403)


def _bad(request: Request, why: str) -> Response:
    log.warning("bad request to %s: %s", request.url.path, why)
    return PlainTextResponse("bad request", status_code=400)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"
