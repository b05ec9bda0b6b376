"""An email as it goes on the wire: our EmailMessage turned into a full RFC 5322 message.
The SMTP sender sends these bytes and the file outbox writes exactly the same ones."""

from __future__ import annotations

import email.policy
import email.utils
from datetime import UTC, datetime
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage as MimeMessage

from notifications.ports import EmailMessage, PermanentDeliveryError
from transport.clock import SystemClock

REFERENCE_HEADER = "X-Transport-Reference"


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, but it keeps the classes it makes: the stock one
    builds a new class (a ``type()`` call) every time a header is set or read, which was
    a third of the time it takes to build a message."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = super().__getitem__(name)
        return made


_SMTP = email.policy.SMTP.clone(header_factory=_HeaderClasses())
_SMTPUTF8 = email.policy.SMTPUTF8.clone(header_factory=_HeaderClasses())


def is_international(message: EmailMessage, from_address: str) -> bool:
    """True when an address is not ASCII: such mail needs the SMTPUTF8 extension."""
    return not (message.to.isascii() and from_address.isascii())


def build_message(
    message: EmailMessage, from_address: str, *, now: datetime | None = None
) -> MimeMessage:
    """The full email: headers, a text/plain body and, when there is HTML, an alternative.

    Bodies are UTF-8 in quoted-printable (7-bit clean, so any server takes them); a
    non-ASCII subject is encoded per RFC 2047. ``now`` defaults to the system clock.
    """
    policy = _SMTPUTF8 if is_international(message, from_address) else _SMTP
    mime = MimeMessage(policy=policy)
    mime["From"] = from_address
    mime["To"] = message.to
    mime["Subject"] = message.subject
    instant = (now or SystemClock().now()).astimezone(UTC)
    mime["Date"] = email.utils.format_datetime(instant)
    mime["Message-ID"] = email.utils.make_msgid(domain=_domain(from_address))
    mime[REFERENCE_HEADER] = message.reference
    # Reminders are automatic: ask vacation responders not to answer (RFC 3834).
    mime["Auto-Submitted"] = "auto-generated"
    mime.set_content(message.text, charset="utf-8", cte="quoted-printable")
    if message.html is not None:
        mime.add_alternative(message.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return mime


def not_buildable(exc: Exception) -> PermanentDeliveryError:
    """The error for a message that cannot be made into an email (a header that would
    hold a line break, say): that message fails, nothing went, the run goes on. The
    exception's own text is left out: it may quote the address or the subject."""
    return PermanentDeliveryError(
        f"the email could not be built ({type(exc).__name__}): its subject or address holds "
        "a line break or another character a header cannot carry; correct the name or "
        "address in the council's record (an import now refuses such text)",
        code="not_built",
    )


def message_bytes(mime: MimeMessage) -> bytes:
    """The message as it goes on the wire (CRLF line endings)."""
    return mime.as_bytes()


def _domain(address: str) -> str:
    domain = address.rpartition("@")[2].strip().strip(">") or "localhost"
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "localhost"
