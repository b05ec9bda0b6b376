"""SMTP refusals read by their enhanced status code, through the dispatcher on a real
database and the real SMTP sender against aiosmtpd (issue 22.4): a relay's policy
refusal (5.7.x at RCPT) is retried with nothing marked and nothing sent by another
channel; three different recipients refused so in one run, counted across the sending
threads, stop the channel."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from notifications.dispatch import DispatchReport, DispatchSettings, dispatch
from notifications.senders import Senders
from notifications.sending_rules import Backoff, QuietHours, RelayBreaker
from notifications.smtp_email import RELAY_SETTINGS, SmtpEmailSender
from tests.fakes import FakeSms
from tests.integration.test_dispatch import LONDON, TUESDAY_10AM, Clock, no_limit, queue, rows
from tests.smtp_server import SmtpServer
from transport.db.engine import writer
from transport.db.tables import Contact, OutboxMessage, Pupil, PupilContact, School, table_of

RELAY = "5.7.1 Relay access denied"


def contacts(engine: Engine, count: int) -> list[int]:
    """``count`` parents of P1 (Sam), each with an address of their own: a message is
    checked against the record just before it goes (notifications/recheck.py)."""
    ids = []
    with writer(engine).begin() as conn:
        conn.execute(insert(table_of(School)).values(urn="100001", name="Oak Primary"))
        conn.execute(insert(table_of(Pupil)).values(
            pupil_ref="P1", first_name="Sam", last_name="O'Brien",
            date_of_birth=date(2016, 5, 1), school_urn="100001",
        ))  # fmt: skip
        for i in range(count):
            contact_id = int(conn.execute(
                insert(table_of(Contact)).values(
                    identity=f"p{i}", name=f"Parent {i}", email=f"parent{i}@example.com",
                    mobile=f"+4477009001{i:02d}", preferred_channel="both",
                    email_status="ok", mobile_status="ok",
                ).returning(table_of(Contact).c.id)
            ).scalar_one())  # fmt: skip
            conn.execute(insert(table_of(PupilContact)).values(
                pupil_ref="P1", name=f"Parent {i}", contact_id=contact_id
            ))  # fmt: skip
            ids.append(contact_id)
    return ids


def queue_to(engine: Engine, contact_ids: list[int]) -> list[int]:
    """One email per contact, each to its own address."""
    made = []
    for index, contact_id in enumerate(contact_ids):
        message_id = queue(engine, contact_id, "email", f"e{index}")
        with writer(engine).begin() as conn:
            conn.execute(
                table_of(OutboxMessage)
                .update()
                .where(table_of(OutboxMessage).c.id == message_id)
                .values(to_address=f"parent{index}@example.com")
            )
        made.append(message_id)
    return made


def send(
    engine: Engine, server: SmtpServer, *, workers: int, at: datetime = TUESDAY_10AM
) -> DispatchReport:
    email = SmtpEmailSender(
        host=server.host,
        port=server.port,
        starttls=False,
        from_address="transport@council.example",
        timeout_seconds=5.0,
    )
    settings = DispatchSettings(quiet=QuietHours(tz=LONDON), backoff=Backoff(60, 3600, 3),
                                batch_size=10, workers=workers)  # fmt: skip
    return dispatch(engine, Senders(email, FakeSms()), settings, now=Clock(at).now,
                    limiter=no_limit())  # fmt: skip


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def email_statuses(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(Contact.email_status)).scalars())


def test_two_policy_refusals_are_retried_with_nothing_marked_and_no_fallback(
    engine: Engine,
) -> None:
    ids = queue_to(engine, contacts(engine, 2))
    with SmtpServer() as server:
        server.refuse_every_recipient(554, RELAY)

        report = send(engine, server, workers=1)

    assert report.channels_down == {}
    assert (report.retrying, report.failed, report.fallbacks) == (2, 0, 0)
    assert {row["status"] for row in rows(engine)} == {"failed_temporary"}
    assert len(rows(engine)) == len(ids)  # no fallback queued
    assert email_statuses(engine) == {"ok"}


def test_a_policy_refusal_that_outlasts_its_retries_fails_without_a_fallback(
    engine: Engine,
) -> None:
    (only,) = queue_to(engine, contacts(engine, 1))
    with SmtpServer() as server:
        server.refuse_every_recipient(554, RELAY)
        for attempt in range(3):  # Backoff(..., max_attempts=3)
            send(engine, server, workers=1, at=TUESDAY_10AM + timedelta(hours=2 * attempt))

    (row,) = rows(engine)
    assert (row["id"], row["status"]) == (only, "failed_permanent")
    assert email_statuses(engine) == {"ok"}


def test_three_recipients_refused_across_threads_stop_the_channel_and_hold_the_messages(
    engine: Engine,
) -> None:
    ids = queue_to(engine, contacts(engine, 8))
    with SmtpServer() as server:
        server.refuse_every_recipient(554, RELAY)

        report = send(engine, server, workers=4)

        reason = report.channels_down["email"]
        assert RELAY_SETTINGS in reason and "refuses everyone" in reason
        assert server.received == []
        assert email_statuses(engine) == {"ok"} and report.fallbacks == 0
        stored = rows(engine)
        assert len(stored) == len(ids)
        assert all(row["attempts"] == 0 for row in stored), "an attempt was counted"
        held = [row for row in stored if row["status"] == "failed_temporary"]
        assert 3 <= len(held) <= 4  # the wave of four threads that found out
        # due again at once: the first run after the relay works sends them
        assert all(utc(row["next_attempt_at"]) <= TUESDAY_10AM for row in held)

        server.accept_every_recipient()
        fixed = send(engine, server, workers=4, at=TUESDAY_10AM + timedelta(seconds=1))

    assert fixed.sent == len(ids) and fixed.channels_down == {}
    refs = sorted(int(r.message["X-Transport-Reference"].split("-")[1]) for r in server.received)
    assert refs == sorted(ids)


def test_the_breaker_counts_different_recipients_across_threads() -> None:
    breaker = RelayBreaker(limit=3)
    results: list[int | None] = []
    lock = threading.Lock()

    def refuse(address: str) -> None:
        found = breaker.refused("email", address)
        with lock:
            results.append(found)

    threads = [threading.Thread(target=refuse, args=(f"P{i % 2}@x.org",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [None] * 6  # two different recipients, however often
    assert breaker.refused("email", "p0@X.org") is None  # the same one, by case
    assert breaker.refused("sms", "p2@x.org") is None  # another channel counts apart
    assert breaker.refused("email", "p2@x.org") == 3
