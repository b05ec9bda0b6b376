"""Safeguarding: block a contact (never messaged from that moment: their not-yet-sent
messages are cancelled) and lift a block, both audited with who and why; list contacts
with their blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from services.app import App
from services.keys import known_keys
from transport.audit import AuditContext
from transport.db.engine import writer
from transport.db.queries import contacts as store
from transport.db.queries.contacts import ContactRow
from transport.errors import UsageError
from transport.imports.values import BadValue, parse_mobile


@dataclass(frozen=True)
class BlockResult:
    contact_ids: tuple[int, ...]  # every person the reference named
    changed: tuple[int, ...]  # those whose block this changed
    cancelled: tuple[int, ...] = ()  # messages cancelled


def _who(app: App, reference: str) -> list[int]:
    """The persons a reference names: an id, an email (any case), or a mobile in any
    UK form. None found is a usage error."""
    text = reference.strip()
    with app.ready().engine.connect() as conn:
        if text.isdigit():
            found = store.find(conn, contact_id=int(text), email=None, mobile=None)
        elif "@" in text:
            found = store.find(conn, contact_id=None, email=text, mobile=None)
        else:
            try:
                mobile = parse_mobile(text)
            except BadValue:
                raise UsageError(
                    f"expected a contact id, an email or a mobile, got {reference!r}"
                ) from None
            found = store.find(conn, contact_id=None, email=None, mobile=mobile)
    if not found:
        raise UsageError(f"no contact {reference!r}")
    return found


def _checked(by: str, reason: str) -> tuple[str, str]:
    if not by.strip():
        raise UsageError("say who you are with --by")
    if not reason.strip():
        raise UsageError("say why with --reason")
    return by.strip(), reason.strip()


def block(app: App, reference: str, *, by: str, reason: str) -> BlockResult:
    by, reason = _checked(by, reason)
    ids = _who(app, reference)
    audit = AuditContext(actor=by, at=app.clock.now())
    with writer(app.engine).begin() as conn:
        newly, cancelled = store.block(conn, ids, audit=audit, reason=reason)
    return BlockResult(tuple(ids), tuple(newly), tuple(cancelled))


def unblock(app: App, reference: str, *, by: str, reason: str) -> BlockResult:
    by, reason = _checked(by, reason)
    ids = _who(app, reference)
    audit = AuditContext(actor=by, at=app.clock.now())
    with writer(app.engine).begin() as conn:
        lifted = store.unblock(conn, ids, audit=audit, reason=reason)
    return BlockResult(tuple(ids), tuple(lifted))


def list_contacts(
    app: App, *, pupil_ref: str | None, blocked_only: bool = False, limit: int | None = None
) -> tuple[list[ContactRow], int]:
    """The first ``limit`` contacts listed, and how many there are in all."""
    with app.ready().engine.connect() as conn:
        keys = known_keys(conn, pupil_ref=pupil_ref)
        return store.list_contacts(
            conn, pupil_ref=keys.pupil_ref, blocked_only=blocked_only, limit=limit
        )


@dataclass(frozen=True)
class ResetResult:
    contact_ids: tuple[int, ...]  # the persons whose bounce mark is (or would be) cleared
    dry_run: bool


_CODE = re.compile(r"^[245]\.\d{1,3}(?:\.\d{1,3})?$")


def reset_bounces(
    app: App, *, since: date, code: str | None, by: str, dry_run: bool
) -> ResetResult:
    """Clear the email `bounced` marks made since ``since`` (the council's day), only those
    whose failed message's reply carried ``code`` when given: after a relay's past
    misconfiguration marked good addresses bounced. Audited; never an opt-out or an
    invalid number."""
    if code is not None and not _CODE.match(code):
        raise UsageError(
            f"--code: expected an enhanced status code like 5.7 or 5.7.1, got {code!r}"
        )
    if not dry_run and not by.strip():
        raise UsageError("say who you are with --by (it goes in the audit log)")
    start = datetime.combine(since, time(), tzinfo=ZoneInfo(app.settings.council.timezone))
    engine = app.ready().engine
    if dry_run:
        with engine.connect() as conn:
            return ResetResult(tuple(store.bounced_since(conn, start, code=code)), True)
    audit = AuditContext(actor=by.strip(), at=app.clock.now())
    detail = {"since": since.isoformat(), "code": code, "reason": "contacts reset-status"}
    with writer(engine).begin() as conn:
        found = store.bounced_since(conn, start, code=code)
        cleared = store.clear_bounces(conn, found, audit=audit, detail=detail)
    return ResetResult(tuple(cleared), False)
