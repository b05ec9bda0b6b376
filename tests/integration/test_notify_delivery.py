"""The dispatcher and the poller with the real Notify senders, against the local Notify
double, on a real database: statuses read by notification id, a temporary failure sent
again after the backoff, and an unknown outcome found by our reference, never resent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from notifications import outbox
from notifications.delivery_status import poll
from notifications.dispatch import dispatch
from notifications.notify_senders import NotifyEmailSender, NotifySmsSender
from notifications.senders import Senders
from tests.integration.test_dispatch import (
    SETTINGS,
    TUESDAY_10AM,
    Clock,
    contact_id,
    no_limit,
    queue,
    rows,
)
from tests.notify_double import NotifyDouble
from transport.db.engine import writer
from transport.db.tables import Contact

__all__ = ["contact_id"]  # the fixture, shared with the dispatcher's tests


@pytest.fixture
def double() -> Iterator[NotifyDouble]:
    with NotifyDouble() as running:
        yield running


def senders(double: NotifyDouble, kind: str = "live") -> Senders:
    key = double.key(kind)
    options: dict[str, Any] = {"api_key": key, "base_url": double.url, "timeout_seconds": 5.0}
    return Senders(
        NotifyEmailSender(template_id=double.email_template, **options),
        NotifySmsSender(template_id=double.sms_template, **options),
    )


def send(engine: Engine, through: Senders, at: Any = TUESDAY_10AM) -> Any:
    return dispatch(engine, through, SETTINGS, now=Clock(at).now, limiter=no_limit())


def poll_all(engine: Engine, through: Senders, at: Any) -> Any:
    return poll(engine, through.sms, email=through.email, now=at, backoff=SETTINGS.backoff)


def test_a_temporary_failure_is_sent_again_after_the_backoff(
    engine: Engine, contact_id: int, double: NotifyDouble
) -> None:
    message = queue(engine, contact_id, "sms")
    through = senders(double)
    send(engine, through)
    [first] = double.sent()
    double.set_status(first["id"], "temporary-failure")

    report = poll_all(engine, through, TUESDAY_10AM + timedelta(minutes=10))
    [row] = rows(engine)
    assert (report.retrying, row["status"], row["error_code"]) == (
        1,
        "failed_temporary",
        "temporary-failure",
    )
    assert row["next_attempt_at"] > TUESDAY_10AM + timedelta(minutes=10)

    send(engine, through, TUESDAY_10AM + timedelta(hours=1))
    [row] = rows(engine)
    assert (row["id"], row["status"], row["attempts"]) == (message, "sent", 2)
    assert [n["reference"] for n in double.sent()] == [f"outbox-{message}"] * 2
    with engine.connect() as conn:  # the number is fine: nothing marked
        assert conn.execute(select(Contact.mobile_status)).scalar_one() == "ok"


def test_a_technical_failure_past_the_last_attempt_fails_and_falls_back(
    engine: Engine, contact_id: int, double: NotifyDouble
) -> None:
    queue(engine, contact_id, "sms")
    through = senders(double)
    at = TUESDAY_10AM
    for _ in range(SETTINGS.backoff.max_attempts):
        send(engine, through, at)
        double.set_status(double.sent()[-1]["id"], "technical-failure")
        poll_all(engine, through, at + timedelta(minutes=1))
        at += timedelta(days=1)

    stored = rows(engine)
    assert [(r["channel"], r["status"]) for r in stored] == [
        ("sms", "failed_permanent"),
        ("email", "queued"),
    ]
    with engine.connect() as conn:  # a technical failure says nothing of the number
        assert conn.execute(select(Contact.mobile_status)).scalar_one() == "ok"


def test_a_bounced_email_marks_the_address_and_goes_by_text(
    engine: Engine, contact_id: int, double: NotifyDouble
) -> None:
    queue(engine, contact_id, "email")
    through = senders(double)
    send(engine, through)
    double.set_status(double.sent()[0]["id"], "permanent-failure")

    report = poll_all(engine, through, TUESDAY_10AM + timedelta(hours=1))
    again = poll_all(engine, through, TUESDAY_10AM + timedelta(hours=2))

    assert (report.undelivered, report.fallbacks) == (1, 1)
    assert again.checked == 0  # failed for good: not looked up again
    assert [(r["channel"], r["status"]) for r in rows(engine)] == [
        ("email", "failed_permanent"),
        ("sms", "queued"),
    ]
    with engine.connect() as conn:
        assert conn.execute(select(Contact.email_status)).scalar_one() == "bounced"


def test_after_a_crash_a_message_notify_holds_is_found_by_reference_not_resent(
    engine: Engine, contact_id: int, double: NotifyDouble
) -> None:
    went = queue(engine, contact_id, "email", "went")
    lost = queue(engine, contact_id, "sms", "lost", kind="renewal_urgent")
    through = senders(double)
    # A dispatcher claimed both and started both; the email reached Notify, then it died.
    token, _ = outbox.claim(engine, now=TUESDAY_10AM, channels=["email", "sms"], limit=10)
    with writer(engine).begin() as conn:
        outbox.mark_attempts(conn, [went, lost], token, now=TUESDAY_10AM)
    [went_row] = [r for r in rows(engine) if r["id"] == went]
    from notifications.ports import EmailMessage

    notification = through.email.send(
        EmailMessage(
            went_row["to_address"],
            went_row["subject"],
            went_row["body_text"],
            None,
            f"outbox-{went}",
        )
    )

    report = send(engine, through, TUESDAY_10AM + timedelta(minutes=30))

    by_id = {r["id"]: r for r in rows(engine)}
    assert (report.reconciled_sent, report.reconciled_resend) == (1, 1)
    assert (by_id[went]["status"], by_id[went]["provider_id"]) == ("sent", notification)
    assert by_id[lost]["status"] == "sent"
    references = sorted(n["reference"] for n in double.sent())
    assert references == sorted([f"outbox-{went}", f"outbox-{lost}"])  # each once
