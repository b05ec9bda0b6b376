"""Email over SMTP: the only module that knows smtplib.

``build_message`` turns our :class:`~notifications.ports.EmailMessage` into a full RFC 5322
message; the file outbox writes exactly the same bytes (``message_bytes``), so importing
this module stays cheap: smtplib is imported inside :meth:`SmtpEmailSender.send`.

The sender speaks the SMTP steps itself (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA) rather
than calling ``send_message``, so that every failure is known by the step it happened in:

- a refusal before the message text went out is definite: 4xx -> retry, 5xx -> permanent
  (a 5xx on RCPT means the address refuses mail: ``channel_status="bounced"``);
- a timeout or a dropped connection once the message text has started to go out may
  hide an accepted message: :class:`UnknownOutcomeError`, never a blind resend.

A failure of the channel's configuration rather than of the message (AUTH refused,
STARTTLS not offered or refused, a TLS handshake that fails, a server that wants a
login we do not give) raises :class:`ChannelConfigError` naming the setting to fix: every
message would fail the same way, so the dispatcher stops the channel for the run.

``send_message`` would also hide a refused recipient in its return value rather than
raising (a known smtplib pitfall); talking to RCPT directly leaves nothing to hide.
"""

from __future__ import annotations

import contextlib
import logging
import re
import ssl
import threading
from typing import TYPE_CHECKING, NoReturn

from notifications.email_mime import build_message, is_international, not_buildable
from notifications.email_mime import message_bytes as message_bytes
from notifications.ports import (
    ChannelConfigError,
    DeliveryError,
    EmailMessage,
    PermanentDeliveryError,
    PolicyRefusalError,
    RetryableDeliveryError,
    UnknownOutcomeError,
)
from transport.clock import Clock, SystemClock

if TYPE_CHECKING:
    import smtplib

log = logging.getLogger(__name__)

# 5xx answers to RCPT that are about the session or our own set-up, not the address.
_NOT_ABOUT_THE_RECIPIENT = frozenset({500, 502, 503, 504, 530, 534, 535, 538})
# Answers that say we must log in or use TLS first, at any step: our configuration.
_LOG_IN_FIRST = frozenset({530, 534, 535})
CREDENTIAL_SETTINGS = "SMTP_USERNAME / SMTP_PASSWORD"
TLS_SETTING = "email.starttls"
# What to check when the relay refuses everyone (5.7.x at RCPT for every recipient).
RELAY_SETTINGS = "email.host / email.port / SMTP_USERNAME / email.from_address"
# An RFC 3463 enhanced status code at the start of a reply's text: "5.7.1 Relay denied".
_ENHANCED = re.compile(r"^\s*([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
# TLS failures that are a dropped connection, not a refusal: retried like any other.
_TLS_CONNECTION_LOST: tuple[type[ssl.SSLError], ...] = (
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
    ssl.SSLSyscallError,
)


class SmtpEmailSender:
    """Sends one email per call over SMTP; implements ``EmailSender``.

    A session (connect, EHLO, STARTTLS, AUTH) carries up to ``messages_per_connection``
    messages, one after another; each thread that sends keeps a session of its own, and
    ``close()`` ends them all. A refusal ends only its own mail transaction (RSET).

    ``starttls=True`` (the default in config) upgrades the connection before anything
    else is said and refuses to go on in clear if the server does not offer STARTTLS.
    ``ssl_context`` defaults to ``ssl.create_default_context()`` (system CAs, hostname
    checked); pass one to trust a council's private CA. Credentials come from
    SMTP_USERNAME / SMTP_PASSWORD (``Secrets``); no username means no AUTH.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        from_address: str,
        starttls: bool,
        username: str = "",
        password: str = "",
        timeout_seconds: float = 30.0,
        local_hostname: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        clock: Clock | None = None,
        messages_per_connection: int = 100,
    ) -> None:
        self.host = host
        self.port = port
        self.from_address = from_address
        self.starttls = starttls
        self.username = username
        self._password = password
        self.timeout_seconds = timeout_seconds
        self.local_hostname = local_hostname
        self._ssl_context = ssl_context
        self._clock: Clock = clock or SystemClock()
        if messages_per_connection < 1:
            raise ValueError("email.messages_per_connection must be at least 1")
        self.messages_per_connection = messages_per_connection
        # Each sending thread keeps its own session; all are listed for close().
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sessions: list[_Session] = []

    def __repr__(self) -> str:  # never show the password
        return (
            f"SmtpEmailSender(host={self.host!r}, port={self.port}, "
            f"starttls={self.starttls}, username={self.username!r})"
        )

    def send(self, message: EmailMessage) -> str:
        """Send ``message``; return its Message-ID. Raises a DeliveryError."""
        try:
            mime = build_message(message, self.from_address, now=self._clock.now())
            payload = _dot_stuffed(message_bytes(mime))
        except (ValueError, TypeError) as exc:  # before any word to the server
            raise not_buildable(exc) from exc
        message_id = str(mime["Message-ID"])
        try:
            self._deliver(message, payload)
        except DeliveryError as exc:
            log.debug(
                "email not sent: reference=%s error=%s code=%s",
                message.reference,
                type(exc).__name__,
                exc.code,
            )
            raise
        log.debug("email accepted by the SMTP server: reference=%s", message.reference)
        return message_id

    def check(self) -> str:
        """Sends nothing: connect, EHLO, STARTTLS and AUTH as a send would, then QUIT.
        Raises the DeliveryError a send would (ChannelConfigError naming what to fix)."""
        import ssl as tls

        session = self._open()
        encrypted = isinstance(session.smtp.sock, tls.SSLSocket)
        self.close()
        login = (
            f"logged in as {self.username}" if self.username else "no login (SMTP_USERNAME unset)"
        )
        return f"SMTP {self.host}:{self.port}, {'TLS' if encrypted else 'no TLS'}, {login}"

    def close(self) -> None:
        """QUIT every open session (each thread that sent keeps one)."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            _close(session.smtp, politely=True)

    # -- the SMTP conversation ---------------------------------------------------------

    def _deliver(self, message: EmailMessage, payload: bytes) -> None:
        session = getattr(self._local, "session", None)
        if session is not None and session.sent >= self.messages_per_connection:
            self._drop(session, politely=True)
            session = None
        if session is not None:
            try:
                self._transact(session, message, payload)
                return
            except _SessionLost:
                # The server closed a reused session (idle timeout, restart) before the
                # message text went: nothing was delivered, so a new session may carry it.
                log.info("SMTP session closed by the server; opening a new one")
        session = self._open()
        try:
            self._transact(session, message, payload)
        except _SessionLost as lost:
            raise RetryableDeliveryError(str(lost)) from lost.__cause__

    def _open(self) -> _Session:
        """Connect, EHLO, STARTTLS and AUTH: a session ready for MAIL, kept by this thread."""
        import smtplib

        where = f"{self.host}:{self.port}"
        step = "connect"
        try:
            smtp = smtplib.SMTP(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout_seconds,
            )
        except smtplib.SMTPConnectError as exc:
            raise RetryableDeliveryError(
                f"SMTP server {where} refused the session: {exc.smtp_code} {_text(exc.smtp_error)}",
                code=str(exc.smtp_code),
            ) from exc
        except OSError as exc:
            raise RetryableDeliveryError(f"cannot connect to SMTP server {where}: {exc}") from exc

        try:
            step = "EHLO"
            smtp.ehlo_or_helo_if_needed()
            if self.starttls:  # true means never in clear, on loopback too
                step = "STARTTLS"
                if not smtp.has_extn("starttls"):
                    raise ChannelConfigError(
                        f"SMTP server {where} does not offer STARTTLS and email.starttls is "
                        "true: not sending in clear (nor the password). Check "
                        "email.host/email.port (587 usually offers STARTTLS), or set "
                        "email.starttls = false only for a trusted relay on this machine.",
                        channel="email",
                        setting=TLS_SETTING,
                    )
                smtp.starttls(context=self._ssl_context or ssl.create_default_context())
                step = "EHLO"
                smtp.ehlo_or_helo_if_needed()  # again: STARTTLS forgets what was said before
            if self.username:
                step = "AUTH"
                self._login(smtp, where)
        except DeliveryError:
            _close(smtp, politely=False)
            raise
        except smtplib.SMTPResponseException as exc:
            _close(smtp, politely=False)
            if step == "STARTTLS" and 500 <= exc.smtp_code < 600:
                raise ChannelConfigError(
                    f"SMTP server {where} refused STARTTLS: {exc.smtp_code} "
                    f"{_text(exc.smtp_error)}. Check email.host/email.port and email.starttls.",
                    channel="email",
                    setting=TLS_SETTING,
                    code=str(exc.smtp_code),
                ) from exc
            self._refused(step, exc.smtp_code, exc.smtp_error, "", exc)
        except smtplib.SMTPNotSupportedError as exc:  # no AUTH offered
            _close(smtp, politely=False)
            raise ChannelConfigError(
                f"SMTP server {where} does not offer AUTH but SMTP_USERNAME is set: {exc}. "
                "Check email.host/email.port and email.starttls (many servers offer AUTH "
                "only after STARTTLS).",
                channel="email",
                setting=CREDENTIAL_SETTINGS,
            ) from exc
        except smtplib.SMTPException as exc:
            _close(smtp, politely=False)
            if isinstance(exc, smtplib.SMTPServerDisconnected):
                self._lost(step, where, exc)
            if step == "AUTH":  # e.g. "No suitable authentication method found."
                raise ChannelConfigError(
                    f"SMTP AUTH with {where} failed: {exc}. Check {CREDENTIAL_SETTINGS}.",
                    channel="email",
                    setting=CREDENTIAL_SETTINGS,
                ) from exc
            raise PermanentDeliveryError(f"SMTP {step} with {where} failed: {exc}") from exc
        except OSError as exc:  # timeouts, resets, TLS failures
            _close(smtp, politely=False)
            if isinstance(exc, ssl.SSLError) and not isinstance(exc, _TLS_CONNECTION_LOST):
                raise ChannelConfigError(
                    f"the TLS handshake with SMTP server {where} failed "
                    f"({getattr(exc, 'reason', None) or type(exc).__name__}). Check "
                    "email.host (the name on its certificate) and email.starttls.",
                    channel="email",
                    setting=TLS_SETTING,
                ) from exc
            self._lost(step, where, exc)
        session = _Session(smtp)
        self._local.session = session
        with self._lock:
            self._sessions.append(session)
        return session

    def _drop(self, session: _Session, *, politely: bool) -> None:
        if getattr(self._local, "session", None) is session:
            self._local.session = None
        with self._lock:
            if session in self._sessions:
                self._sessions.remove(session)
        _close(session.smtp, politely=politely)

    def _transact(self, session: _Session, message: EmailMessage, payload: bytes) -> None:
        """One mail transaction (MAIL, RCPT, DATA, the message) on an open session;
        ``payload``: the message's bytes, dot-stuffed, ended by CRLF.CRLF.

        A definite refusal leaves the session usable (RSET); a broken session is dropped.
        A broken *reused* session before the message text went raises ``_SessionLost``."""
        import smtplib

        smtp = session.smtp
        where = f"{self.host}:{self.port}"
        reused = session.sent > 0 or session.refused > 0
        step = "MAIL"
        code = 0
        try:
            international = is_international(message, self.from_address)
            options: list[str] = []
            if international:
                if not smtp.has_extn("smtputf8"):
                    raise PermanentDeliveryError(
                        f"SMTP server {where} does not offer SMTPUTF8, needed for a "
                        "non-ASCII email address"
                    )
                options = ["SMTPUTF8", "BODY=8BITMIME"]

            code, reply = smtp.mail(self.from_address, options)
            if code != 250:
                self._refused(step, code, reply, message.to)

            step = "RCPT"
            code, reply = smtp.rcpt(message.to)
            if code not in (250, 251):
                self._refused(step, code, reply, message.to)

            step = "DATA"
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                self._refused(step, code, reply, message.to)

            # From here the server may accept the message at any moment.
            step = "message"
            smtp.send(payload)
            code, reply = smtp.getreply()
            if code != 250:
                self._refused(step, code, reply, message.to)
            session.sent += 1
        except DeliveryError as exc:
            # A refusal: the transaction is over, the session may carry the next one.
            session.refused += 1
            if code == 421 or isinstance(exc, UnknownOutcomeError) or not _reset(smtp):
                self._drop(session, politely=False)
            raise
        except smtplib.SMTPResponseException as exc:
            self._drop(session, politely=False)
            if step == "message":
                raise UnknownOutcomeError(
                    f"unreadable answer from {where} after the message was sent: "
                    f"{exc.smtp_code} {_text(exc.smtp_error)}",
                    code=str(exc.smtp_code),
                ) from exc
            self._refused(step, exc.smtp_code, exc.smtp_error, message.to, exc)
        except (smtplib.SMTPException, OSError) as exc:  # timeouts, resets, disconnects
            self._drop(session, politely=False)
            if reused and step != "message":
                raise _SessionLost(f"SMTP {step} with {where} failed: {exc}") from exc
            if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                self._lost(step, where, exc)
            raise PermanentDeliveryError(f"SMTP {step} with {where} failed: {exc}") from exc

    def _login(self, smtp: smtplib.SMTP, where: str) -> None:
        import smtplib

        try:
            smtp.login(self.username, self._password)
        except smtplib.SMTPAuthenticationError as exc:
            text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            if 400 <= exc.smtp_code < 500:
                raise RetryableDeliveryError(
                    f"SMTP server {where} could not authenticate now: {text}",
                    code=str(exc.smtp_code),
                ) from exc
            raise ChannelConfigError(
                f"SMTP server {where} rejected the login for user {self.username!r}: {text}. "
                "Check SMTP_USERNAME and SMTP_PASSWORD.",
                channel="email",
                setting=CREDENTIAL_SETTINGS,
                code=str(exc.smtp_code),
            ) from exc

    def _refused(
        self,
        step: str,
        code: int,
        reply: bytes | str,
        recipient: str,
        cause: BaseException | None = None,
    ) -> NoReturn:
        """Raise for a definite refusal, read by its enhanced status code (RFC 3463) where
        the reply has one: at AUTH or STARTTLS 5.7.x, and 530/534/535 anywhere, is our
        configuration; at RCPT 5.1.x, 5.2.1 or a bare 5xx is a bad address (bounced),
        5.7.x is the relay's policy (retried, nothing marked); 4.x.x and 5.2.2 are
        temporary; any other 5xx is permanent."""
        text = _text(reply)
        if recipient:  # server replies often echo the address: keep it out of errors and logs
            text = re.sub(re.escape(recipient), "<recipient>", text, flags=re.IGNORECASE)
        where = f"{self.host}:{self.port}"
        enhanced = enhanced_code(text)
        said = f"{code} {text}"
        if code in _LOG_IN_FIRST or (
            step in ("AUTH", "STARTTLS") and enhanced and enhanced.startswith("5.7.")
        ):  # "authentication required" / "must issue STARTTLS first" / login refused
            raise ChannelConfigError(
                f"SMTP {step} refused at {where} until we log in or use TLS: {said}. "
                f"Check {CREDENTIAL_SETTINGS} and email.starttls.",
                channel="email",
                setting=CREDENTIAL_SETTINGS,
                code=str(code),
            ) from cause
        temporary = enhanced == "5.2.2" or (enhanced or "").startswith("4.")
        if 500 <= code < 600 and not temporary:
            if step == "RCPT" and enhanced and enhanced.startswith("5.7."):
                raise PolicyRefusalError(
                    f"SMTP RCPT refused by the relay's policy at {where}, not for the address: "
                    f"{said}; retried later",
                    channel="email",
                    setting=RELAY_SETTINGS,
                    code=str(code),
                ) from cause
            about_recipient = (
                step == "RCPT"
                and code not in _NOT_ABOUT_THE_RECIPIENT
                and (enhanced is None or enhanced.startswith("5.1.") or enhanced == "5.2.1")
            )
            detail = "the recipient's address refuses mail" if about_recipient else "refused"
            raise PermanentDeliveryError(
                f"SMTP {step} {detail} at {where}: {said}",
                code=str(code),
                channel_status="bounced" if about_recipient else None,
            ) from cause
        raise RetryableDeliveryError(
            f"SMTP {step} temporarily refused at {where}: {said}",
            code=str(code) if code > 0 else None,
        ) from cause

    @staticmethod
    def _lost(step: str, where: str, exc: BaseException) -> NoReturn:
        """The connection failed (timeout, reset, TLS): before the message -> retry."""
        if step == "message":
            raise UnknownOutcomeError(
                f"connection to {where} lost after the message was sent, before the server "
                f"answered; it may have been accepted: {exc}"
            ) from exc
        raise RetryableDeliveryError(f"SMTP {step} with {where} failed: {exc}") from exc


def enhanced_code(text: str) -> str | None:
    """The RFC 3463 enhanced status code a reply's text starts with ("5.7.1"), if any."""
    found = _ENHANCED.match(text)
    return found.group(1) if found else None


def _dot_stuffed(data: bytes) -> bytes:
    """DATA payload: CRLF line endings, leading dots doubled, ended by CRLF.CRLF."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", errors="replace")
    return reply


class _Session:
    """One open SMTP connection, ready for the next mail transaction."""

    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp
        self.sent = 0
        self.refused = 0


class _SessionLost(Exception):
    """A reused session broke before the message text went out: nothing was delivered."""


def _reset(smtp: smtplib.SMTP) -> bool:
    """RSET after a refusal, so the session can carry the next message."""
    import smtplib

    try:
        code, _reply = smtp.rset()
    except (smtplib.SMTPException, OSError):
        return False
    return bool(code == 250)


def _close(smtp: smtplib.SMTP, *, politely: bool) -> None:
    """QUIT after success (its failure changes nothing); otherwise just hang up."""
    import smtplib

    if politely:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
    smtp.close()

