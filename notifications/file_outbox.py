"""The default senders: write each message to a folder and send nothing.

A new user (or a demo, or a council trying the service) can run every job without an
SMTP server or a Twilio account and read what would have gone:

- ``FileEmailOutbox`` writes ``<folder>/<reference>.eml``, the very bytes the SMTP sender
  would transmit (open it in any mail client);
- ``FileSmsOutbox`` writes ``<folder>/<reference>.sms.json`` with ``to``, ``body`` and
  ``reference``;
- ``FileLetterOutbox`` writes ``<folder>/letters/<reference>.pdf``, an A4 letter for the
  post room.

Writes are atomic (a temporary file in the same folder, then ``os.replace``), so a crash
never leaves half a message; writing the same reference again replaces the file, so a
retried send is harmless. The id returned is ``file:<filename>``. Files are created
readable by their owner only (0600), and a folder created for them is 0700, whatever the
umask: they hold parents' addresses and children's names.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from notifications.email_mime import build_message, message_bytes, not_buildable
from notifications.ports import (
    EmailMessage,
    LetterMessage,
    PermanentDeliveryError,
    RetryableDeliveryError,
    SmsMessage,
    SmsStatus,
)
from transport.clock import Clock, SystemClock

ID_PREFIX = "file:"
EMAIL_SUFFIX = ".eml"
SMS_SUFFIX = ".sms.json"
LETTER_SUFFIX = ".pdf"
LETTERS = "letters"  # the post room's folder, inside the outbox folder


class FileEmailOutbox:
    """``EmailSender`` that writes ``<folder>/<reference>.eml``."""

    def __init__(self, folder: Path, from_address: str, *, clock: Clock | None = None) -> None:
        self.folder = Path(folder)
        self.from_address = from_address
        self._clock: Clock = clock or SystemClock()

    def send(self, message: EmailMessage) -> str:
        try:
            data = message_bytes(build_message(message, self.from_address, now=self._clock.now()))
        except (ValueError, TypeError) as exc:
            raise not_buildable(exc) from exc
        name = _file_name(message.reference) + EMAIL_SUFFIX
        _write_atomically(self.folder / name, data)
        return ID_PREFIX + name

    def path_of(self, provider_id: str) -> Path:
        """The file a returned id names."""
        return self.folder / provider_id.removeprefix(ID_PREFIX)


class FileSmsOutbox:
    """``SmsSender`` that writes ``<folder>/<reference>.sms.json``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def send(self, message: SmsMessage) -> str:
        name = _file_name(message.reference) + SMS_SUFFIX
        record = {"to": message.to, "body": message.body, "reference": message.reference}
        data = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        _write_atomically(self.folder / name, data.encode("utf-8"))
        return ID_PREFIX + name

    def status(self, provider_id: str) -> SmsStatus:
        """A written message counts as delivered: there is nothing further to wait for."""
        return SmsStatus("delivered")

    def find(self, to: str, body: str, since: datetime) -> str | None:
        """The id of a written message with this ``to`` and ``body``, if there is one.

        ``since`` is not used: file times follow the wall clock, not the service's clock,
        and a rewrite of the same reference is harmless anyway.
        """
        if not self.folder.is_dir():
            return None
        for path in sorted(self.folder.glob("*" + SMS_SUFFIX)):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(record, dict) and record.get("to") == to and record.get("body") == body:
                return ID_PREFIX + path.name
        return None

    def path_of(self, provider_id: str) -> Path:
        """The file a returned id names."""
        return self.folder / provider_id.removeprefix(ID_PREFIX)


class FileLetterOutbox:
    """``LetterSender`` that writes ``<folder>/letters/<reference>.pdf``, an A4 letter for
    the post room (see notifications/pdf_letter.py). Written is sent; `transport outbox
    posted` records the day the post room posted it."""

    def __init__(
        self, folder: Path, *, return_address: tuple[str, ...] = (), font: str = ""
    ) -> None:
        self.folder = Path(folder) / LETTERS
        self.return_address = return_address
        self.font = font

    def send(self, message: LetterMessage) -> str:
        from notifications.pdf_letter import letter_pdf  # fpdf2 loads only to write one

        name = _file_name(message.reference) + LETTER_SUFFIX
        data = letter_pdf(message, return_address=self.return_address, font=self.font)
        _write_atomically(self.folder / name, data)
        return ID_PREFIX + f"{LETTERS}/{name}"

    def path_of(self, provider_id: str) -> Path:
        """The file a returned id names."""
        return self.folder.parent / provider_id.removeprefix(ID_PREFIX)


def _file_name(reference: str) -> str:
    """A safe file name for a reference: letters, digits, ``.``, ``_`` and ``-`` only."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", reference)
    if name.startswith("."):
        name = "_" + name[1:]
    if not name:
        raise PermanentDeliveryError("a message without a reference cannot be written")
    return name


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all; create the folder if missing."""
    try:
        _make_private_folders(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)  # mkstemp's mode already; said here, as it matters
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise RetryableDeliveryError(f"cannot write {path.name} in {path.parent}: {exc}") from exc


def _make_private_folders(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each 0700 whatever the umask; a folder
    that exists already is left as it is."""
    missing: list[Path] = []
    while not folder.is_dir() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(created, 0o700)


def message_files_before(folder: Path, before: datetime) -> list[Path]:
    """The message files (``.eml``, ``.sms.json``, and the letters' ``.pdf``) in
    ``folder`` last written before ``before``: what retention deletes. File times are the
    wall clock's."""
    cutoff = before.timestamp()
    found: list[Path] = []
    places = ((folder, (EMAIL_SUFFIX, SMS_SUFFIX)), (folder / LETTERS, (LETTER_SUFFIX,)))
    for place, suffixes in places:
        if place.is_dir():
            found.extend(
                path
                for path in place.iterdir()
                if path.name.endswith(suffixes)
                and path.is_file()
                and path.stat().st_mtime < cutoff
            )
    return sorted(found)
