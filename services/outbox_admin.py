"""The team's view of the outbox (the `outbox list` JSON keys are a contract), the manual
settling of a message whose outcome is unknown, and a message previewed for a pupil."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import String, cast, select

from notifications import outbox
from services.app import App
from services.check import risk_of
from services.inform import details_messages
from services.keys import known_keys, pupil_key
from services.renewals import due_pupils, household_messages, kind_of
from transport.audit import AuditContext
from transport.db.engine import writer
from transport.db.queries import renewals as store
from transport.db.queries.inform import details_facts
from transport.db.tables import Contact
from transport.domain.calendar import academic_year_of
from transport.domain.ladder import plan
from transport.errors import NothingToSend, UsageError
from transport.vocabulary import ChannelStatus, OutboxStatus, Reason

RENEWAL_KINDS = ("renewal_invite", "renewal_reminder", "renewal_urgent", "renewal_final")
RETRYABLE = (OutboxStatus.FAILED_PERMANENT, OutboxStatus.FAILED_TEMPORARY)


@dataclass(frozen=True)
class MessageRow:
    """A message as the team sees it (`outbox list`)."""

    id: int
    channel: str
    to: str
    kind: str
    step: str | None
    pupil_refs: tuple[str, ...]
    status: str
    created_at: datetime
    contact_id: int | None
    subject: str | None
    attempts: int
    next_attempt_at: datetime
    provider_id: str | None
    error_code: str | None
    error: str | None  # the last error in words: the provider's, the server's, the network's
    sent_at: datetime | None
    delivered_at: datetime | None
    fallback_of: int | None
    dedupe_key: str


def list_messages(
    app: App,
    *,
    status: str | None = None,
    pupil_ref: str | None = None,
    contact_id: int | None = None,
    limit: int | None = None,
) -> list[MessageRow]:
    table = outbox.OUTBOX
    # What the list shows: not the bodies nor the context (most of a message's size; on
    # PostgreSQL the driver holds every row read).
    columns = [
        table.c[name]
        for name in (
            "id", "channel", "to_address", "kind", "step", "pupil_refs", "status", "created_at",
            "contact_id", "subject", "attempts", "next_attempt_at", "provider_id", "error_code",
            "error_message", "sent_at", "delivered_at", "fallback_of", "dedupe_key",
        )
    ]  # fmt: skip
    stmt = select(*columns).order_by(table.c.created_at.desc(), table.c.id.desc())
    if status:
        stmt = stmt.where(table.c.status == status)
    if contact_id is not None:
        stmt = stmt.where(table.c.contact_id == contact_id)
    if limit:
        stmt = stmt.limit(limit)
    with app.ready().engine.connect() as conn:
        pupil_ref = known_keys(conn, pupil_ref=pupil_ref, contact_id=contact_id).pupil_ref
        if pupil_ref:
            stmt = stmt.where(cast(table.c.pupil_refs, String).like(f'%"{pupil_ref}"%'))
        return [
            MessageRow(
                id=row.id,
                channel=row.channel,
                to=row.to_address,
                kind=row.kind,
                step=row.step,
                pupil_refs=tuple(row.pupil_refs or ()),
                status=row.status,
                created_at=row.created_at,
                contact_id=row.contact_id,
                subject=row.subject,
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at,
                provider_id=row.provider_id,
                error_code=row.error_code,
                error=row.error_message,
                sent_at=row.sent_at,
                delivered_at=row.delivered_at,
                fallback_of=row.fallback_of,
                dedupe_key=row.dedupe_key,
            )
            for row in conn.execute(stmt)
        ]


def resolve_unknown(app: App, message_id: int, *, sent: bool, by: str) -> str:
    """The team settles a message whose outcome is unknown: it went, or send it again."""
    now = app.clock.now()
    with writer(app.ready().engine).begin() as conn:
        if sent:
            moved = outbox.move(
                conn,
                message_id,
                "sent",
                now=now,
                sent_at=now,
                error_message="confirmed sent by the team",
            )
            status = "sent"
        else:
            moved = outbox.move(
                conn,
                message_id,
                "failed_temporary",
                now=now,
                next_attempt_at=now,
                error_message="to be sent again",
            )
            status = "queued to be sent again"
        if not moved:
            raise UsageError(f"message {message_id} is not in status unknown")
        audit = AuditContext(actor=by, at=now)
        audit.record(conn, "resolve", "outbox", (message_id,), {"sent": sent})
    return status


@dataclass(frozen=True)
class Preview:
    """A message rendered for one of a pupil's contacts; nothing is stored or sent."""

    channel: str
    address: str
    usable: bool
    contact_id: int
    subject: str | None
    text: str
    postal_address: tuple[str, ...] = ()  # a letter's address block


def preview(
    app: App, pupil_ref: str, *, kind: str, channels: Sequence[str], as_of: date
) -> list[Preview]:
    """What ``kind`` would say to each of the pupil's contacts who can be reached by the
    channels asked. A renewal message is rendered exactly as the ladder would queue it on
    ``as_of`` (the same check, the same code); raises NothingToSend, saying why, when the
    ladder would send nothing."""
    if kind in RENEWAL_KINDS:
        return _renewal_preview(app, pupil_ref, kind=kind, channels=channels, as_of=as_of)
    return _details_preview(app, pupil_ref, channels=channels, as_of=as_of)


def _details_preview(
    app: App, pupil_ref: str, *, channels: Sequence[str], as_of: date
) -> list[Preview]:
    """The transport details of the pupil's arrangement for the school year under way (or,
    after its last day, the next), as `transport inform` would send them."""
    with app.ready().engine.connect() as conn:
        pupil_ref = pupil_key(conn, pupil_ref)
        facts = [
            fact
            for fact in details_facts(conn, as_of, pupil_ref=pupil_ref, told=True)
            if fact.first_day.year_ends >= as_of
        ]
        if not facts:
            raise NothingToSend(
                f"nothing to send: pupil {pupil_ref} has no arrangement (with an award) for "
                f"the school year under way or the next on {as_of}"
            )
        fact = min(facts, key=lambda found: found.academic_year)
        if fact.first_day.assumed:
            raise NothingToSend(
                f"nothing to send: the first school day of {fact.academic_year}/"
                f"{(fact.academic_year + 1) % 100:02d} at pupil {pupil_ref}'s school is not "
                "known (no term dates); details wait for it (a complete_arrangement task)"
            )
        if fact.missing:
            raise NothingToSend(
                f"nothing to send: pupil {pupil_ref}'s arrangement has no "
                f"{' or '.join(fact.missing)} (a complete_arrangement task)"
            )
        found = [
            Preview(
                message.channel,
                message.to_address,
                True,
                message.contact_id,
                new.subject,
                new.body_text,
                tuple(new.context.get("address", ())),
            )
            for message, new in details_messages(conn, [fact], app.settings.council, as_of)
            if message.channel in channels
        ]
    if not found:
        raise NothingToSend(_no_channel(pupil_ref, channels))
    return found


def _renewal_preview(
    app: App, pupil_ref: str, *, kind: str, channels: Sequence[str], as_of: date
) -> list[Preview]:
    """The ladder's own plan for the pupil's household on ``as_of`` (brothers and sisters
    due the same step share one message), rendered by the ladder's own code."""
    settings = app.settings
    with app.ready().engine.connect() as conn:
        pupil_ref = pupil_key(conn, pupil_ref)
        risks = {
            ref: risk
            for ref in store.household_of(conn, pupil_ref)
            if (risk := risk_of(app, conn, ref, as_of)) is not None
            and Reason.NO_APPLICATION in risk.reasons
            and risk.uncovered_from is not None
        }
        due = [(ref, risk.uncovered_from) for ref, risk in risks.items() if risk.uncovered_from]
        assumed = {
            ref: (risk.uncovered_assumed, risk.uncovered_term)
            for ref, risk in risks.items()
            if risk.uncovered_assumed
        }
        if pupil_ref not in {ref for ref, _ in due}:
            raise NothingToSend(
                f"nothing to send: pupil {pupil_ref} is not due a renewal reminder on "
                f"{as_of} (no missing application within the check's window)"
            )
        contacts = store.contact_facts(conn, [ref for ref, _ in due])
        recorded = store.done_steps(conn, [(ref, academic_year_of(r)) for ref, r in due])
        planned = plan(due_pupils(due, contacts, recorded), settings.renewals.ladder, as_of)
        mine = next((item for item in planned if item.pupil_ref == pupil_ref), None)
        if mine is None:
            raise NothingToSend(
                f"nothing to send: the step due for pupil {pupil_ref} on {as_of} was "
                "already sent (see `transport outbox list --pupil`)"
            )
        if kind_of(mine.step) != kind:
            raise NothingToSend(
                f"nothing to send as {kind}: on {as_of} the ladder sends pupil {pupil_ref}'s "
                f"household the {mine.step.step} step ({kind_of(mine.step)})"
            )
        rendered = [
            (message, new)
            for message, new in household_messages(
                conn, settings.renewals, settings.council, planned, as_of, assumed
            )
            if pupil_ref in message.pupil_refs and message.channel in channels
        ]
    if not rendered:
        if mine.sends:
            used = " and ".join(sorted({channel for _, channel in mine.sends}))
            raise NothingToSend(
                f"nothing to send by {' or '.join(channels)}: the {mine.step.step} step "
                f"goes to pupil {pupil_ref}'s household by {used} (the ladder's channels "
                "and the family's preference)"
            )
        raise NothingToSend(_no_channel(pupil_ref, channels))
    return [
        Preview(
            message.channel,
            message.to_address,
            True,
            message.contact_id,
            message.subject,
            new.body_text,
            tuple(new.context.get("address", ())),
        )
        for message, new in rendered
    ]


def _no_channel(pupil_ref: str, channels: Sequence[str]) -> str:
    words = {"email": "an email address", "sms": "a mobile", "letter": "a postal address"}
    asked = " or ".join(words[c] for c in channels)
    return f"nothing to send: no contact of pupil {pupil_ref} has {asked} that can be used"


@dataclass(frozen=True)
class RetryResult:
    requeued: list[int]
    refused: dict[int, str]  # message id -> why it was not queued again


def retry(
    app: App,
    *,
    ids: Sequence[int] = (),
    status: str | None = None,
    since: date | None = None,
    by: str,
) -> RetryResult:
    """Queue failed messages again (audited): those named, or every one in ``status``
    (created on or after ``since``). A message to an address or number the record knows
    will not work (opted out, invalid, bounced) is not queued again: that failure was not
    ours to fix."""
    now = app.clock.now()
    table = outbox.OUTBOX
    stmt = select(
        table.c.id, table.c.status, table.c.channel, Contact.email_status, Contact.mobile_status
    ).outerjoin(Contact, Contact.id == table.c.contact_id)
    if ids:
        stmt = stmt.where(table.c.id.in_(list(ids)))
    else:
        stmt = stmt.where(table.c.status == status)
        if since is not None:
            stmt = stmt.where(table.c.created_at >= datetime.combine(since, time(), tzinfo=UTC))
    requeued: list[int] = []
    refused: dict[int, str] = {}
    with writer(app.ready().engine).begin() as conn:
        rows = conn.execute(stmt.order_by(table.c.id)).all()
        found = {row.id for row in rows}
        for missing in sorted(set(ids) - found):
            refused[missing] = "no such message"
        for row in rows:
            channel_status = row.email_status if row.channel == "email" else row.mobile_status
            if row.status not in RETRYABLE:
                refused[row.id] = f"it is {row.status}, not failed"
            elif channel_status not in (None, ChannelStatus.OK):
                refused[row.id] = f"the contact's {row.channel} is {channel_status}"
            elif outbox.requeue(conn, row.id, now=now):
                requeued.append(row.id)
            else:
                refused[row.id] = "it changed meanwhile"
        if requeued:
            audit = AuditContext(actor=by, at=now)
            audit.record(conn, "retry", "outbox", tuple(requeued), {"count": len(requeued)})
    return RetryResult(requeued, refused)
