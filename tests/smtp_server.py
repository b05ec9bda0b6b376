"""A real SMTP server for tests (aiosmtpd), on 127.0.0.1 and a free port.

    with SmtpServer() as server:
        sender = SmtpEmailSender(host=server.host, port=server.port, ...)
        sender.send(message)
        (got,) = server.received

It can be told to misbehave: ``refuse_recipient`` (answer RCPT with a code),
``refuse_every_recipient`` (a relay refusing everyone, until ``accept_every_recipient``),
``fail_data`` (answer the next message with a code), ``drop_connection_after_data``
(take the next message, then hang up without answering), ``stall_after_data`` (take
the next message and answer only after a delay, longer than the client's timeout),
``require_auth`` (LOGIN/PLAIN without TLS), ``hang_up_all`` (close every open
connection, as after an idle timeout). ``connections`` counts the connections opened and
each ``Received`` says which one carried it. Pass ``tls_context`` (see
``make_test_certificate``) to offer STARTTLS.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    connection: int  # which connection carried it (numbered from 1 as they opened)

    @cached_property
    def message(self) -> EmailMessage:
        """The message parsed (when first asked: the server itself only keeps bytes)."""
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _DataAction:
    kind: str  # "fail", "drop" or "stall"
    code: int = 0
    text: str = ""
    seconds: float = 0.0


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    received: list[Received] = field(default_factory=list)
    refusals: dict[str, tuple[int, str]] = field(default_factory=dict)
    refuse_everyone: tuple[int, str] | None = None  # a relay refusing every recipient
    data_actions: list[_DataAction] = field(default_factory=list)
    credentials: tuple[str, str] | None = None
    auth_attempts: list[tuple[str, bool]] = field(default_factory=list)
    connections: list[SMTP] = field(default_factory=list)


class _Handler:
    def __init__(self, state: _State) -> None:
        self.state = state

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        with self.state.lock:
            refusal = self.state.refusals.get(address.lower()) or self.state.refuse_everyone
        if refusal is not None:
            code, text = refusal
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.state.lock:
            action = self.state.data_actions.pop(0) if self.state.data_actions else None
        if action is not None and action.kind == "fail":
            return f"{action.code} {action.text}"
        received = Received(
            mail_from=str(envelope.mail_from),
            rcpt_tos=list(envelope.rcpt_tos),
            raw=envelope.original_content or b"",
            connection=self._number(server),
        )
        with self.state.lock:
            self.state.received.append(received)
        if action is not None and action.kind == "drop":
            assert isinstance(server.transport, asyncio.WriteTransport)
            server.transport.abort()  # the message is here, the client never hears so
            return "250 OK"
        if action is not None and action.kind == "stall":
            await asyncio.sleep(action.seconds)
        return "250 Message accepted"

    def _number(self, server: SMTP) -> int:
        with self.state.lock:
            return next(i for i, s in enumerate(self.state.connections, 1) if s is server)

    def authenticate(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        mechanism: str,
        auth_data: Any,
    ) -> AuthResult:
        with self.state.lock:
            credentials = self.state.credentials
        ok = False
        user = ""
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode("utf-8", errors="replace")
            password = auth_data.password.decode("utf-8", errors="replace")
            ok = credentials is not None and (user, password) == credentials
        with self.state.lock:
            self.state.auth_attempts.append((user, ok))
        return AuthResult(success=ok, handled=False)


class _QuietController(Controller):
    def __init__(self, state: _State, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state = state

    def factory(self) -> SMTP:
        # aiosmtpd warns when AUTH is required without TLS: that is the point here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            smtp: SMTP = super().factory()  # type: ignore[no-untyped-call]
        with self.state.lock:
            self.state.connections.append(smtp)  # one SMTP instance per connection
        return smtp


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """A context manager running aiosmtpd in a thread; ``.received`` lists what arrived."""

    host = "127.0.0.1"

    def __init__(self, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.port = free_port()
        self._state = _State()
        self._handler = _Handler(self._state)
        self._controller = _QuietController(
            self._state,
            self._handler,
            hostname=self.host,
            port=self.port,
            server_hostname="smtp.test",  # no reverse DNS lookup for the banner
            authenticator=self._handler.authenticate,
            auth_require_tls=False,
            auth_required=False,
            tls_context=tls_context,
            enable_SMTPUTF8=True,
        )
        self._running = False

    # -- context manager ---------------------------------------------------------------

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        with self._state.lock:
            self._state.connections.clear()  # start() opened one itself, to see it is up
        self._running = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._running:
            self._controller.stop()
            self._running = False

    # -- what arrived ------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        with self._state.lock:
            return list(self._state.received)

    @property
    def auth_attempts(self) -> list[tuple[str, bool]]:
        """(username, succeeded) for every AUTH the server saw."""
        with self._state.lock:
            return list(self._state.auth_attempts)

    @property
    def connections(self) -> int:
        """How many connections clients have opened."""
        with self._state.lock:
            return len(self._state.connections)

    # -- misbehaviour ------------------------------------------------------------------

    def hang_up_all(self) -> None:
        """Close every open connection, as a server does to idle sessions."""
        with self._state.lock:
            servers = list(self._state.connections)
        for smtp in servers:
            transport = smtp.transport
            if transport is not None:
                self._controller.loop.call_soon_threadsafe(transport.close)
        time.sleep(0.1)  # let the loop close them before the test goes on

    def refuse_recipient(
        self, address: str, code: int = 550, message: str = "No such user"
    ) -> None:
        """Answer RCPT TO:<address> with ``code message`` from now on."""
        with self._state.lock:
            self._state.refusals[address.lower()] = (code, message)

    def refuse_every_recipient(
        self, code: int = 554, message: str = "5.7.1 Relay access denied"
    ) -> None:
        """Answer every RCPT with ``code message``, as a smarthost that does not let us
        relay does."""
        with self._state.lock:
            self._state.refuse_everyone = (code, message)

    def accept_every_recipient(self) -> None:
        """The relay is fixed: RCPT is answered as before (per-address refusals stay)."""
        with self._state.lock:
            self._state.refuse_everyone = None

    def fail_data(self, code: int = 451, message: str = "Try again later") -> None:
        """Answer the next message (after its final dot) with ``code message``."""
        self._queue(_DataAction("fail", code=code, text=message))

    def drop_connection_after_data(self) -> None:
        """Keep the next message, then close the connection without answering."""
        self._queue(_DataAction("drop"))

    def stall_after_data(self, seconds: float) -> None:
        """Keep the next message and answer 250 only after ``seconds``."""
        self._queue(_DataAction("stall", seconds=seconds))

    def require_auth(self, username: str, password: str) -> None:
        """From the next connection on, MAIL needs AUTH with these credentials."""
        with self._state.lock:
            self._state.credentials = (username, password)
        self._controller.SMTP_kwargs["auth_required"] = True

    def _queue(self, action: _DataAction) -> None:
        with self._state.lock:
            self._state.data_actions.append(action)


def make_test_certificate(folder: Path) -> tuple[Path, Path] | None:
    """A self-signed certificate for 127.0.0.1 made with the openssl command, as
    (cert.pem, key.pem); None when openssl is not installed."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    args += ["-nodes", "-days", "2"]
    args += ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    args += ["-keyout", str(key), "-out", str(cert)]
    subprocess.run([openssl, *args], check=True, capture_output=True)
    return cert, key


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
