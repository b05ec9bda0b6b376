"""The dispatcher: claim due messages, send each outside any transaction, settle it.

Temporary failures are retried with backoff; permanent ones mark the contact's channel
(STOP, invalid number, bounced address) and send the same notice by the other usable
channel; an unknown outcome is never re-sent blindly but reconciled with the provider.

A channel whose configuration is wrong (``ChannelConfigError``: credentials refused, a
sender number that is not ours, TLS refused) is down for the rest of the run: the message
that found out goes back to `queued` as it was before the claim (the attempt not counted,
no error recorded, no fallback, the contact untouched), nothing more is sent by that
channel in this run (messages it had claimed go back to `queued` too), and the other
channel carries on. ``DispatchReport.channels_down`` names the setting to fix.

A relay that refuses recipients for its own policy (SMTP 5.7.x at RCPT) is not a bounce:
the message is retried, no contact is marked, no other channel used. When it refuses
three different recipients in one run (counted across the threads), it refuses
everyone: the channel is down as above, and the messages it refused are held, due at
once, for the first run after it works. A failure inside one message's send that is not
a delivery error (a sender's own fault) settles that message as unknown; the run goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from jinja2 import TemplateError
from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from notifications import outbox
from notifications.households import address_for, with_address
from notifications.messages import render
from notifications.ports import (
    ChannelConfigError,
    DeliveryError,
    EmailMessage,
    LetterMessage,
    PermanentDeliveryError,
    PolicyRefusalError,
    RetryableDeliveryError,
    SmsMessage,
    UnknownOutcomeError,
)
from notifications.recheck import DETAILS, recheck
from notifications.recovery import recover
from notifications.senders import Senders
from notifications.sending_rules import (
    QUIET_HOURS_OFF,
    Backoff,
    QuietHours,
    RateLimiter,
    RelayBreaker,
)
from transport.db.engine import writer
from transport.db.queries.inform import mark_informed
from transport.db.queries.renewals import PERSON_COLUMNS, carried, contact_fact, steps_by_phone
from transport.db.tables import Contact
from transport.domain.ladder import fallback_channel
from transport.domain.working_days import is_working_day

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unknown: int = 0
    fallbacks: int = 0
    stale: int = 0
    reconciled_sent: int = 0
    reconciled_resend: int = 0
    channels_marked: int = 0
    sms_waiting: int = 0  # due, but held by quiet hours
    sms_from: str | None = None  # when quiet hours end
    by_error: dict[str, int] = field(default_factory=dict)
    # channel -> why it is down for this run, naming the setting to fix (no personal data)
    channels_down: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # said on every send, e.g. no quiet hours
    # This run's claims: its messages are those it claimed (another run's are not its own).
    claims: set[str] = field(default_factory=set, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            key: dict(value)
            if isinstance(value, dict)
            else list(value)
            if isinstance(value, list)
            else value
            for key, value in vars(self).items()
            if key != "claims"
        }

    def channel_down(self, error: ChannelConfigError) -> None:
        """Record that ``error.channel`` cannot send (the first reason found is kept)."""
        self.channels_down.setdefault(error.channel, down_sentence(error))


def down_sentence(error: ChannelConfigError) -> str:
    """``"sms: Twilio refused the credentials (20003); check ..."``: the adapter's message
    (which names no recipient), with the setting to fix named if it does not already."""
    text = str(error).strip()
    if error.setting not in text:
        text = f"{text.rstrip('.')}; check {error.setting}"
    return f"{error.channel}: {text}"


@dataclass(frozen=True)
class DispatchSettings:
    quiet: QuietHours
    backoff: Backoff
    batch_size: int = 50
    stale_after: timedelta = timedelta(minutes=10)
    workers: int = 1  # sending threads


def dispatch(
    engine: Engine,
    senders: Senders,
    settings: DispatchSettings,
    *,
    now: Callable[[], datetime],
    limiter: RateLimiter,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> DispatchReport:
    """Send what is due, up to ``limit`` messages. Safe to run twice at once.
    ``progress`` is told how many messages each wave handed to the providers.

    A claimed batch goes out in waves of ``settings.workers`` messages, sent by that many
    threads. One short transaction records the outcomes of the wave just sent and marks
    the next wave as attempted, before any of it goes. A crash therefore leaves at most
    two waves attempted but not settled; they become `unknown` and are reconciled with
    the provider (SMS) or listed for the team (email), never re-sent blindly."""
    report = DispatchReport()
    if not settings.quiet.enabled:
        report.warnings.append(QUIET_HOURS_OFF)
        log.warning(QUIET_HOURS_OFF)
    recover(engine, senders, stale_after=settings.stale_after, now=now(), report=report)
    workers = settings.workers
    pool = ThreadPoolExecutor(workers, thread_name_prefix="dispatch") if workers > 1 else None
    # Sent but not yet recorded: settled in the transaction that marks the next wave.
    unsettled: list[tuple[Any, str, str | DeliveryError]] = []

    down = report.channels_down  # also filled by recover(), and by the sending threads
    breaker = RelayBreaker()  # a relay that refuses every recipient for its own policy
    held: list[tuple[int, str]] = []  # (message, channel) a relay refused for its policy

    def send(row: Any) -> str | DeliveryError:
        if row.channel in down:
            return _NotSent(row.channel)  # the channel went down during this wave
        limiter.wait(row.channel)
        result = _send(senders, row, dated=now().astimezone(settings.quiet.tz).date())
        if isinstance(result, PolicyRefusalError):
            held.append((row.id, row.channel))
            count = breaker.refused(row.channel, row.to_address)
            if count is not None:
                report.channel_down(relay_refuses_everyone(result, count))
        if isinstance(result, ChannelConfigError):
            report.channel_down(result)
        return result

    try:
        remaining = limit
        while remaining is None or remaining > 0:
            moment = now()
            channels = ["email", "sms"] if settings.quiet.sms_allowed(moment) else ["email"]
            if is_working_day(moment.astimezone(settings.quiet.tz).date()):
                channels.append("letter")  # letters go on working days only
            channels = [channel for channel in channels if channel not in down]
            if not channels:
                break
            size = settings.batch_size if remaining is None else min(settings.batch_size, remaining)
            token, rows = outbox.claim(engine, now=moment, channels=channels, limit=size)
            if not rows:
                break
            report.claims.add(token)
            for start in range(0, len(rows), workers):
                wave = rows[start : start + workers]
                # Claimed for a channel that went down since: back to the queue, unsent.
                idle = [row for row in wave if row.channel in down]
                wave = [row for row in wave if row.channel not in down]
                with writer(engine).begin() as conn:
                    _settle_all(conn, unsettled, settings, now=now(), report=report)
                    release(conn, [row.id for row in idle], token, now=now())
                    outbox.cancel_blocked(conn, [row.id for row in wave], token, now=now())
                    wave = recheck(conn, wave, token, now=now())  # still true? (just before)
                    marked = outbox.mark_attempts(conn, [row.id for row in wave], token, now=now())
                unsettled = []
                # A row not marked was taken for a dead claim meanwhile: not ours to send.
                wave = [row for row in wave if row.id in marked]
                results = list(pool.map(send, wave)) if pool else [send(row) for row in wave]
                unsettled = [
                    (row, token, result) for row, result in zip(wave, results, strict=True)
                ]
                if progress is not None:
                    progress(len(wave))
            # Recorded before the next claim, so a fallback it queues goes in this run.
            with writer(engine).begin() as conn:
                _settle_all(conn, unsettled, settings, now=now(), report=report)
            unsettled = []
            if remaining is not None:
                remaining -= len(rows)
        # A relay that refused everyone: what it refused goes first once it works again.
        tripped = [row_id for row_id, channel in held if channel in down]
        if tripped:
            with writer(engine).begin() as conn:
                outbox.hold(conn, tripped, now=now())
    except BaseException:
        if unsettled:  # record what went out before the failure, if the database still can
            try:
                with writer(engine).begin() as conn:
                    _settle_all(conn, unsettled, settings, now=now(), report=report)
            except Exception:  # the database itself may be what failed: no traceback
                log.error(
                    "could not record %d sent messages; they will be reconciled", len(unsettled)
                )
                log.debug("recording the sent messages failed", exc_info=True)
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        senders.close()
    moment = now()
    if not settings.quiet.sms_allowed(moment):
        report.sms_waiting = outbox.due_count(engine, now=moment, channel="sms")
        if report.sms_waiting:
            report.sms_from = settings.quiet.next_allowed(moment).isoformat()
    return report


def _settle_all(
    conn: Connection,
    sent: list[tuple[Any, str, str | DeliveryError]],
    settings: DispatchSettings,
    *,
    now: datetime,
    report: DispatchReport,
) -> None:
    delivered = [(row.id, token, result) for row, token, result in sent if isinstance(result, str)]
    report.sent += outbox.mark_sent(conn, delivered, now=now)
    for row, _, result in sent:  # transport details that went: the family is told
        if isinstance(result, str) and row.kind == DETAILS and row.channel in ("email", "sms"):
            told = (row.context or {}).get("children") or []
            on = now.astimezone(settings.quiet.tz).date()
            mark_informed(conn, row.id, row.academic_year, told, on=on)
    for row, token, result in sent:
        if isinstance(result, ChannelConfigError):
            release(conn, [row.id], token, now=now)
        elif not isinstance(result, str):
            settle(conn, row, token, result, settings, now=now, report=report)


def relay_refuses_everyone(refusal: PolicyRefusalError, count: int) -> ChannelConfigError:
    """The channel stops: its relay refused ``count`` different recipients for its own
    policy (5.7.x) in this run. Nothing is marked on the contacts; the refused messages
    are held for the first run after the relay works."""
    return ChannelConfigError(
        f"the relay refused {count} different recipients in this run for its own policy, "
        f"not for their addresses ({refusal}): it refuses everyone; check the relay "
        f"settings {refusal.setting} (may this server relay our mail?). No contact was "
        "marked and nothing went by another channel; the refused messages are sent by the "
        "first run after the relay works",
        channel=refusal.channel,
        setting=refusal.setting,
        code=refusal.code,
    )


class _NotSent(ChannelConfigError):
    """Stands for a send not made because its channel is down for this run."""

    def __init__(self, channel: str) -> None:
        super().__init__(f"{channel} is down for this run", channel=channel, setting="")


def release(conn: Connection, message_ids: Sequence[int], token: str, *, now: datetime) -> int:
    """Put claimed messages back in the queue as if never claimed: `queued`, the claim's
    attempt not counted, no attempt time, no error recorded. Only this claim's rows that
    are still `sending` move. Returns how many moved."""
    if not message_ids:
        return 0
    table = outbox.OUTBOX
    result = conn.execute(
        update(table)
        .where(
            table.c.id.in_(list(message_ids)),
            table.c.status == "sending",
            table.c.claim_token == token,
        )
        .values(
            status="queued",
            attempts=table.c.attempts - 1,
            claimed_at=None,
            claim_token=None,
            attempted_at=None,
            updated_at=now,
        )
    )
    return int(result.rowcount or 0)


def _send(senders: Senders, row: Any, *, dated: date) -> str | DeliveryError:
    reference = f"outbox-{row.id}"
    try:
        if row.channel == "email":
            return senders.email.send(
                EmailMessage(
                    row.to_address, row.subject or "", row.body_text, row.body_html, reference
                )
            )
        if row.channel == "letter":
            return _send_letter(senders, row, reference, dated)
        return senders.sms.send(SmsMessage(row.to_address, row.body_text, reference))
    except DeliveryError as exc:
        return exc
    except Exception as exc:
        # A fault of ours or of a client library, inside one message's send: that message
        # is settled (it may have gone, so it is never resent blindly: an SMS is looked up
        # at the provider, an email waits for `outbox resolve`) and the run goes on.
        log.error(
            "outbox %s: the %s sender stopped with an unexpected %s; outcome unknown",
            row.id,
            row.channel,
            type(exc).__name__,
        )
        log.debug("outbox %s: unexpected failure", row.id, exc_info=True)
        return UnknownOutcomeError(
            f"the {row.channel} sender stopped with an unexpected {type(exc).__name__}; "
            "the message may or may not have gone",
            code="unexpected",
        )


def _send_letter(senders: Senders, row: Any, reference: str, dated: date) -> str:
    if senders.letter is None:
        raise ChannelConfigError(
            "no letter backend is configured", channel="letter", setting="letter.backend"
        )
    context = row.context or {}
    address = tuple(context.get("address") or ())
    if not address:
        raise PermanentDeliveryError("the letter has no postal address in its context")
    council = context.get("council") or {}
    return senders.letter.send(
        LetterMessage(
            address=address,
            heading=row.subject or "",
            text=row.body_text,
            council_name=str(council.get("name", "")),
            council_phone=str(council.get("contact_phone", "")),
            dated=dated,
            reference=reference,
        )
    )


def settle(
    conn: Connection,
    row: Any,
    token: str,
    failure: DeliveryError,
    settings: DispatchSettings,
    *,
    now: datetime,
    report: DispatchReport,
) -> None:
    """Record one failed send (in the caller's transaction): unknown, retried later, or
    failed for good, then marking the contact's channel and falling back."""
    code = failure.code or type(failure).__name__
    report.by_error[code] = report.by_error.get(code, 0) + 1
    error = {"error_code": failure.code, "error_message": str(failure)[:500]}
    log.debug("outbox %s: %s (%s)", row.id, type(failure).__name__, failure.code)
    if isinstance(failure, UnknownOutcomeError):
        outbox.move(conn, row.id, "unknown", now=now, token=token, **error)
        report.unknown += 1
    elif isinstance(failure, RetryableDeliveryError) and not settings.backoff.exhausted(
        row.attempts
    ):
        when = now + settings.backoff.delay(row.attempts)
        outbox.move(
            conn,
            row.id,
            "failed_temporary",
            now=now,
            token=token,
            next_attempt_at=when,
            **error,
        )
        report.retrying += 1
    else:
        outbox.move(conn, row.id, "failed_permanent", now=now, token=token, **error)
        report.failed += 1
        if isinstance(failure, PolicyRefusalError):
            return  # the relay's policy, not the family's address: no mark, no fallback
        status = failure.channel_status if isinstance(failure, PermanentDeliveryError) else None
        channel_failed(conn, row, status, now=now, report=report)


STATUS_COLUMN = {"email": "email_status", "sms": "mobile_status", "letter": "address_status"}


def channel_failed(
    conn: Connection, row: Any, status: str | None, *, now: datetime, report: DispatchReport
) -> None:
    """Record what the failure says about the contact's channel, then send the same
    notice by the next channel in the one order (reminders.md) that the contact can use
    and that has not already carried it to the household (issue 23, item 7)."""
    if row.contact_id is None:
        return
    if status is not None:
        conn.execute(
            update(Contact)
            .where(Contact.id == row.contact_id)
            .values({STATUS_COLUMN[row.channel]: status, "status_changed_at": now})
        )
        report.channels_marked += 1
    contact = conn.execute(select(Contact).where(Contact.id == row.contact_id)).one()
    if contact.do_not_contact or not row.context:
        return  # blocked (safeguarding): no other channel either
    used = carried(conn, row)
    order = ("sms", "email") if row.channel == "email" else ("email", "sms")
    found = fallback_channel(contact_fact(contact), order, used={*used, row.channel})
    if not found:
        if not used:  # nothing reached the household: the team phones (phone_family)
            steps_by_phone(conn, row)
        return
    (other,) = found
    person = {name: getattr(contact, name) for name in PERSON_COLUMNS}
    context = with_address(other, row.context, person)
    try:
        rendered = render(row.kind, other, context)
    except (TemplateError, KeyError, ValueError):  # a context older than its templates
        log.warning("outbox %s: no fallback (its context cannot be rendered again)", row.id)
        return
    added = outbox.enqueue(
        conn,
        [
            outbox.NewMessage(
                dedupe_key=f"{row.dedupe_key[:180]}|fallback:{other}",
                kind=row.kind,
                channel=other,
                to_address=address_for(other, person) or "",
                body_text=rendered.text,
                subject=rendered.subject,
                body_html=rendered.html,
                pupil_refs=tuple(row.pupil_refs),
                contact_id=row.contact_id,
                step=row.step,
                academic_year=row.academic_year,
                context=context,
                fallback_of=row.id,
            )
        ],
        now=now,
    )
    report.fallbacks += added
