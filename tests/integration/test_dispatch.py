"""The outbox and the dispatcher on real databases, with fakes of our own sending ports."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from notifications import outbox
from notifications.delivery_status import poll
from notifications.dispatch import DispatchSettings, dispatch
from notifications.messages import render
from notifications.ports import (
    PermanentDeliveryError,
    RetryableDeliveryError,
    SmsStatus,
    UnknownOutcomeError,
)
from notifications.senders import Senders
from notifications.sending_rules import Backoff, QuietHours, RateLimiter
from notifications.smtp_email import SmtpEmailSender
from notifications.twilio_sms import TwilioSmsSender
from tests.fakes import FakeEmail, FakeSms
from tests.smtp_server import SmtpServer
from tests.twilio_double import TwilioDouble
from transport.db.engine import writer
from transport.db.tables import Contact, OutboxMessage, Pupil, PupilContact, School, table_of

LONDON = ZoneInfo("Europe/London")
TUESDAY_10AM = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)  # 10:00 BST
SETTINGS = DispatchSettings(
    quiet=QuietHours(tz=LONDON), backoff=Backoff(60, 3600, 3), batch_size=10
)
CONTEXT: dict[str, Any] = {
    "council": {"name": "Example County Council", "contact_phone": "0300 123 4567",
                "renewal_url": "https://www.council.example/apply"},
    "contact_name": "Alex O'Brien",
    "apply_by": None,
    "as_of": "2026-06-02",
    "children": [{"pupil_ref": "P1", "first_name": "Sam", "school_name": "Oak Primary",
                  "situation": "renewal", "award_school_name": "Oak Primary",
                  "passenger_assistant": False,
                  "ends_on": "2026-08-31", "needed_from": "2026-09-03",
                  "academic_year": "2026/27", "starts_on": "2026-09-03", "operator": None,
                  "route_ref": None, "pickup_time": None}],
}  # fmt: skip


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def no_limit() -> RateLimiter:
    return RateLimiter({}, monotonic=lambda: 0.0, sleep=lambda _: None)


@pytest.fixture
def contact_id(engine: Engine) -> int:
    """Alex, the contact of P1 (Sam), the child the messages are about: a message is
    checked against the record just before it goes (notifications/recheck.py)."""
    with writer(engine).begin() as conn:
        conn.execute(insert(table_of(School)).values(urn="100001", name="Oak Primary"))
        conn.execute(insert(table_of(Pupil)).values(
            pupil_ref="P1", first_name="Sam", last_name="O'Brien",
            date_of_birth=date(2016, 5, 1), school_urn="100001",
        ))  # fmt: skip
        found = int(conn.execute(
            insert(table_of(Contact)).values(
                identity="alex", name="Alex O'Brien", email="alex@example.com",
                mobile="+447700900123", preferred_channel="both", email_status="ok",
                mobile_status="ok",
            ).returning(table_of(Contact).c.id)
        ).scalar_one())  # fmt: skip
        conn.execute(insert(table_of(PupilContact)).values(
            pupil_ref="P1", name="Alex O'Brien", contact_id=found
        ))  # fmt: skip
        return found


def queue(engine: Engine, contact: int | None, channel: str, key: str = "k1",
          kind: str = "renewal_reminder", at: datetime = TUESDAY_10AM) -> int:  # fmt: skip
    rendered = render(kind, channel, CONTEXT)
    message = outbox.NewMessage(
        dedupe_key=key, kind=kind, channel=channel, contact_id=contact,
        to_address="alex@example.com" if channel == "email" else "+447700900123",
        body_text=rendered.text, subject=rendered.subject, body_html=rendered.html,
        pupil_refs=("P1",), step="reminder", context=CONTEXT,
    )  # fmt: skip
    with writer(engine).begin() as conn:
        outbox.enqueue(conn, [message], now=at)
    return rows(engine)[-1]["id"]


def rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        found = conn.execute(select(OutboxMessage.__table__).order_by(OutboxMessage.id))
        return [dict(row._mapping) for row in found]


def run(engine: Engine, email: FakeEmail, sms: FakeSms, at: datetime, **kw: Any) -> Any:
    return dispatch(engine, Senders(email, sms), SETTINGS, now=Clock(at).now,
                    limiter=no_limit(), **kw)  # fmt: skip


def test_enqueue_is_idempotent_by_dedupe_key(engine: Engine, contact_id: int) -> None:
    queue(engine, contact_id, "email")
    queue(engine, contact_id, "email")
    assert len(rows(engine)) == 1


def test_due_messages_are_sent_once(engine: Engine, contact_id: int) -> None:
    queue(engine, contact_id, "email", "a")
    queue(engine, contact_id, "sms", "b")
    email, sms = FakeEmail(), FakeSms()
    report = run(engine, email, sms, TUESDAY_10AM)
    assert report.sent == 2
    assert [m.to for m in email.sent] == ["alex@example.com"]
    assert [m.to for m in sms.sent] == ["+447700900123"]
    assert "Sam" in sms.sent[0].body
    stored = rows(engine)
    assert {r["status"] for r in stored} == {"sent"}
    assert all(r["provider_id"] and r["attempts"] == 1 for r in stored)
    assert run(engine, email, sms, TUESDAY_10AM + timedelta(hours=1)).sent == 0
    assert len(email.sent) + len(sms.sent) == 2


def test_sms_waits_for_the_end_of_quiet_hours(engine: Engine, contact_id: int) -> None:
    queue(engine, contact_id, "sms")
    night = datetime(2026, 6, 2, 21, 30, tzinfo=UTC)  # 22:30 BST
    sms = FakeSms()
    report = run(engine, FakeEmail(), sms, night)
    assert report.sent == 0 and report.sms_waiting == 1
    assert report.sms_from == "2026-06-03T07:00:00+00:00"  # 08:00 BST
    assert rows(engine)[0]["status"] == "queued"
    morning = datetime(2026, 6, 3, 7, 0, tzinfo=UTC)  # 08:00 BST
    assert run(engine, FakeEmail(), sms, morning).sent == 1


def test_a_temporary_failure_is_retried_with_backoff_then_given_up(
    engine: Engine, contact_id: int
) -> None:
    queue(engine, contact_id, "email")
    email = FakeEmail()
    email.fail("alex@example.com", *(RetryableDeliveryError("421 busy", code="421"),) * 3)
    at = TUESDAY_10AM
    run(engine, email, FakeSms(), at)
    row = rows(engine)[0]
    assert (row["status"], row["attempts"], row["error_code"]) == ("failed_temporary", 1, "421")
    assert row["next_attempt_at"] == at + timedelta(seconds=60)
    assert run(engine, email, FakeSms(), at + timedelta(seconds=59)).sent == 0  # not due yet
    run(engine, email, FakeSms(), at + timedelta(seconds=60))
    row = rows(engine)[0]
    assert row["attempts"] == 2 and row["next_attempt_at"] == at + timedelta(seconds=180)
    run(engine, email, FakeSms(), at + timedelta(seconds=180))  # third attempt: the cap
    row = rows(engine)[0]
    assert (row["status"], row["attempts"]) == ("failed_permanent", 3)
    assert email.sent == []


@pytest.mark.parametrize(
    ("code", "channel_status"), [("21610", "opted_out"), ("21211", "invalid"),
                                 ("21614", "invalid")],
)  # fmt: skip
def test_a_permanent_sms_failure_marks_the_mobile_and_falls_back_to_email(
    engine: Engine, contact_id: int, code: str, channel_status: str
) -> None:
    queue(engine, contact_id, "sms")
    email, sms = FakeEmail(), FakeSms()
    sms.fail(
        "+447700900123", PermanentDeliveryError("no", code=code, channel_status=channel_status)
    )
    report = run(engine, email, sms, TUESDAY_10AM)
    assert report.failed == 1 and report.fallbacks == 1
    with engine.connect() as conn:
        contact = conn.execute(select(Contact).where(Contact.id == contact_id)).one()
    assert contact.mobile_status == channel_status and contact.email_status == "ok"
    original, fallback = rows(engine)
    assert (original["status"], original["error_code"]) == ("failed_permanent", code)
    assert fallback["channel"] == "email" and fallback["fallback_of"] == original["id"]
    assert fallback["dedupe_key"] == "k1|fallback:email"
    assert fallback["status"] == "sent"  # sent in the same run
    assert [m.to for m in email.sent] == ["alex@example.com"]
    assert "Sam" in email.sent[0].text


def test_a_bounce_marks_the_address_and_texts_instead(engine: Engine, contact_id: int) -> None:
    queue(engine, contact_id, "email")
    email, sms = FakeEmail(), FakeSms()
    email.fail(
        "alex@example.com", PermanentDeliveryError("550", code="550", channel_status="bounced")
    )
    run(engine, email, sms, TUESDAY_10AM)
    with engine.connect() as conn:
        assert conn.execute(select(Contact.email_status)).scalar_one() == "bounced"
    assert len(sms.sent) == 1 and "Sam" in sms.sent[0].body


def test_no_fallback_when_the_other_channel_is_unusable(engine: Engine, contact_id: int) -> None:
    with writer(engine).begin() as conn:
        conn.execute(update(Contact).values(email_status="bounced"))
    queue(engine, contact_id, "sms")
    sms = FakeSms()
    sms.fail(
        "+447700900123", PermanentDeliveryError("STOP", code="21610", channel_status="opted_out")
    )
    report = run(engine, FakeEmail(), sms, TUESDAY_10AM)
    assert report.fallbacks == 0 and len(rows(engine)) == 1


def test_an_unknown_outcome_is_never_resent_blindly(engine: Engine, contact_id: int) -> None:
    queue(engine, contact_id, "email")
    email = FakeEmail()
    email.fail("alex@example.com", UnknownOutcomeError("timeout after DATA"))
    run(engine, email, FakeSms(), TUESDAY_10AM)
    assert rows(engine)[0]["status"] == "unknown"
    run(engine, email, FakeSms(), TUESDAY_10AM + timedelta(days=1))
    assert rows(engine)[0]["status"] == "unknown" and email.sent == []


def test_status_only_moves_forward(engine: Engine, contact_id: int) -> None:
    message_id = queue(engine, contact_id, "email")
    run(engine, FakeEmail(), FakeSms(), TUESDAY_10AM)
    with writer(engine).begin() as conn:
        assert not outbox.move(conn, message_id, "sending", now=TUESDAY_10AM)
        assert not outbox.move(conn, message_id, "failed_temporary", now=TUESDAY_10AM)
        assert not outbox.move(conn, message_id, "unknown", now=TUESDAY_10AM)
    assert rows(engine)[0]["status"] == "sent"


def test_after_a_crash_an_sms_is_reconciled_with_the_provider(
    engine: Engine, contact_id: int
) -> None:
    went = queue(engine, contact_id, "sms", "went")
    lost = queue(engine, contact_id, "sms", "lost", kind="renewal_urgent")
    waiting = queue(engine, contact_id, "sms", "waiting", kind="renewal_final")
    sms = FakeSms()
    # A dispatcher claimed all three, started sending two (the first reached the
    # provider, the second did not), and died before the third.
    token, claimed = outbox.claim(engine, now=TUESDAY_10AM, channels=["sms"], limit=10)
    assert [r.id for r in claimed] == [went, lost, waiting]
    with writer(engine).begin() as conn:
        assert outbox.mark_attempts(conn, [went, lost], token, now=TUESDAY_10AM) == {went, lost}
    body = rows(engine)[0]["body_text"]
    sms.at_provider["SM-from-before-the-crash"] = ("+447700900123", body)
    later = TUESDAY_10AM + timedelta(minutes=30)
    report = run(engine, FakeEmail(), sms, later)
    assert (report.stale, report.reconciled_sent, report.reconciled_resend) == (3, 1, 1)
    by_id = {r["id"]: r for r in rows(engine)}
    assert by_id[went]["status"] == "sent"
    assert by_id[went]["provider_id"] == "SM-from-before-the-crash"
    assert by_id[lost]["status"] == "sent" and by_id[waiting]["status"] == "sent"
    assert sorted(m.body for m in sms.sent) == sorted(
        by_id[i]["body_text"] for i in (lost, waiting)
    )  # only the two that never went


def test_after_a_crash_an_attempted_email_stays_unknown(engine: Engine, contact_id: int) -> None:
    attempted = queue(engine, contact_id, "email", "a")
    untouched = queue(engine, contact_id, "email", "b", kind="renewal_urgent")
    token, _ = outbox.claim(engine, now=TUESDAY_10AM, channels=["email"], limit=10)
    with writer(engine).begin() as conn:
        assert outbox.mark_attempts(conn, [attempted], token, now=TUESDAY_10AM) == {attempted}
    email = FakeEmail()
    run(engine, email, FakeSms(), TUESDAY_10AM + timedelta(minutes=30))
    by_id = {r["id"]: r for r in rows(engine)}
    assert by_id[attempted]["status"] == "unknown"
    assert by_id[untouched]["status"] == "sent"
    assert len(email.sent) == 1


def test_a_recent_claim_is_not_taken_for_a_crash(engine: Engine, contact_id: int) -> None:
    queue(engine, contact_id, "sms")
    outbox.claim(engine, now=TUESDAY_10AM, channels=["sms"], limit=10)
    report = run(engine, FakeEmail(), FakeSms(), TUESDAY_10AM + timedelta(minutes=5))
    assert report.stale == 0 and rows(engine)[0]["status"] == "sending"


def test_poll_records_delivery_and_undelivered_falls_back(engine: Engine, contact_id: int) -> None:
    queue(engine, contact_id, "sms", "a")
    queue(engine, contact_id, "sms", "b", kind="renewal_urgent")
    sms = FakeSms()
    run(engine, FakeEmail(), sms, TUESDAY_10AM)
    first, second = (r["provider_id"] for r in rows(engine))
    sms.statuses[first] = SmsStatus("delivered")
    sms.statuses[second] = SmsStatus("undelivered", "30006")
    report = poll(engine, sms, now=TUESDAY_10AM + timedelta(hours=1))
    assert (report.delivered, report.undelivered, report.fallbacks) == (1, 1, 1)
    stored = rows(engine)
    assert [r["status"] for r in stored[:2]] == ["delivered", "failed_permanent"]
    assert stored[1]["error_code"] == "30006"
    assert stored[2]["channel"] == "email" and stored[2]["status"] == "queued"
    with engine.connect() as conn:
        assert conn.execute(select(Contact.mobile_status)).scalar_one() == "invalid"


def test_sending_threads_send_each_message_once_and_settle_every_outcome(
    engine: Engine, contact_id: int
) -> None:
    """Waves of four sent by four threads: every message is sent once or settled by its
    failure, the failures' effects (channel marked, fallback queued) happen once, and
    the report counts what the rows say."""
    for i in range(30):
        queue(engine, contact_id if i == 7 else None, "email" if i % 2 else "sms", f"m{i}")
    with writer(engine).begin() as conn:  # message 7 (email) goes to an address that bounces
        conn.execute(
            update(OutboxMessage.__table__)
            .where(OutboxMessage.dedupe_key == "m7")
            .values(to_address="gone@example.com")
        )
    email, sms = FakeEmail(), FakeSms()
    email.fail("gone@example.com", PermanentDeliveryError("550", channel_status="bounced"))
    threaded = DispatchSettings(
        quiet=QuietHours(tz=LONDON), backoff=Backoff(60, 3600, 3), batch_size=8, workers=4
    )
    report = dispatch(
        engine, Senders(email, sms), threaded, now=Clock(TUESDAY_10AM).now, limiter=no_limit()
    )
    stored = {row["dedupe_key"]: row for row in rows(engine)}
    assert stored["m7"]["status"] == "failed_permanent"
    fallback = stored["m7|fallback:sms"]
    assert fallback["status"] == "sent"  # queued by the failure, sent in a later batch
    sent_keys = sorted(key for key, row in stored.items() if row["status"] == "sent")
    assert len(sent_keys) == 30
    assert len(email.sent) + len(sms.sent) == 30
    assert len({m.reference for m in [*email.sent, *sms.sent]}) == 30  # none twice
    assert (report.sent, report.failed, report.fallbacks, report.channels_marked) == (30, 1, 1, 1)
    with engine.connect() as conn:
        marked = conn.execute(select(Contact.email_status).where(Contact.id == contact_id))
        assert marked.scalar_one() == "bounced"


def test_a_crash_in_a_wave_still_records_the_wave_sent_before_it(
    engine: Engine, contact_id: int
) -> None:
    """The outcomes of one wave are recorded with the next wave's marks; when the run is
    stopped while sending the next wave, the wave that went is still recorded as sent.
    (A fault of a sender's own is one message's failure: test_dispatch_isolation.py.)"""

    class BreaksOnThird(FakeSms):
        def send(self, message: Any) -> str:
            if len(self.sent) == 2:
                raise KeyboardInterrupt("the process is stopped")
            return super().send(message)

    for i in range(4):
        queue(engine, None, "sms", f"s{i}")
    sms = BreaksOnThird()
    in_waves_of_two = DispatchSettings(
        quiet=QuietHours(tz=LONDON), backoff=Backoff(60, 3600, 3), batch_size=10, workers=2
    )
    with pytest.raises(KeyboardInterrupt):
        dispatch(engine, Senders(FakeEmail(), sms), in_waves_of_two,
                 now=Clock(TUESDAY_10AM).now, limiter=no_limit())  # fmt: skip
    statuses = {row["dedupe_key"]: row["status"] for row in rows(engine)}
    assert len(sms.sent) == 2
    assert [statuses[f"s{i}"] for i in range(4)] == ["sent", "sent", "sending", "sending"]


# -- a channel whose configuration is wrong: down for the run, its messages queued ------


def _before_claim(engine: Engine) -> dict[str, dict[str, Any]]:
    """Each row's fields that a claim changes, by dedupe key."""
    fields = ("status", "attempts", "claimed_at", "claim_token", "attempted_at",
              "error_code", "error_message", "next_attempt_at", "provider_id")  # fmt: skip
    return {row["dedupe_key"]: {f: row[f] for f in fields} for row in rows(engine)}


def _contacts(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(r.email_status, r.mobile_status) for r in conn.execute(select(Contact))]


@pytest.mark.parametrize("workers", [1, 2])
def test_twilio_refusing_the_credentials_stops_sms_and_email_carries_on(
    engine: Engine, contact_id: int, workers: int
) -> None:
    for i in range(3):
        queue(engine, contact_id, "sms", f"s{i}")
    for i in range(2):
        queue(engine, contact_id, "email", f"e{i}")
    before = _before_claim(engine)
    settings = DispatchSettings(
        quiet=QuietHours(tz=LONDON), backoff=Backoff(60, 3600, 3), batch_size=10, workers=workers
    )
    with TwilioDouble() as double, SmtpServer() as server:

        def senders(auth_token: str) -> Senders:
            sms = TwilioSmsSender(account_sid=double.account_sid, auth_token=auth_token,
                                  from_number="+447700900000", api_base_url=double.url,
                                  timeout_seconds=5.0)  # fmt: skip
            email = SmtpEmailSender(host=server.host, port=server.port,
                                    from_address="transport@council.example", starttls=False,
                                    timeout_seconds=5.0)  # fmt: skip
            return Senders(email, sms)

        report = dispatch(engine, senders("a-wrong-token"), settings,
                          now=Clock(TUESDAY_10AM).now, limiter=no_limit())  # fmt: skip

        assert double.sent == []
        assert len(double.requests) <= workers  # at most one wave tried; then it stopped
        assert len(server.received) == 2  # email carried on, and took no fallback
        stored = {row["dedupe_key"]: row for row in rows(engine)}
        assert set(stored) == {"s0", "s1", "s2", "e0", "e1"}  # no fallback queued
        after = _before_claim(engine)
        for key in ("s0", "s1", "s2"):
            assert after[key] == before[key]  # exactly as before the attempt
        assert (report.sent, report.failed, report.retrying, report.fallbacks) == (2, 0, 0, 0)
        assert report.by_error == {} and report.channels_marked == 0
        assert _contacts(engine) == [("ok", "ok")]
        assert set(report.channels_down) == {"sms"}
        reason = report.channels_down["sms"]
        assert reason.startswith("sms: Twilio refused the credentials (20003)")
        assert "TWILIO_AUTH_TOKEN" in reason
        assert "+4477" not in reason and "a-wrong-token" not in reason
        assert json.loads(json.dumps(report.as_dict()))["channels_down"] == {"sms": reason}

        later = TUESDAY_10AM + timedelta(minutes=5)
        again = dispatch(engine, senders(double.auth_token), settings,
                         now=Clock(later).now, limiter=no_limit())  # fmt: skip

        assert again.sent == 3 and again.channels_down == {}
        assert sorted(s.body for s in double.sent) == sorted(stored[k]["body_text"] for k in
                                                             ("s0", "s1", "s2"))  # fmt: skip
        assert len(server.received) == 2  # no email sent twice
        assert {row["status"] for row in rows(engine)} == {"sent"}
        assert all(row["attempts"] == 1 for row in rows(engine))


def test_smtp_refusing_the_login_stops_email_and_sms_carries_on(
    engine: Engine, contact_id: int
) -> None:
    for i in range(3):
        queue(engine, contact_id, "email", f"e{i}")
    queue(engine, contact_id, "sms", "s0")
    before = _before_claim(engine)
    sms = FakeSms()
    with SmtpServer() as server:
        server.require_auth("transport", "right-password")

        def email(password: str) -> SmtpEmailSender:
            return SmtpEmailSender(host=server.host, port=server.port,
                                   from_address="transport@council.example", starttls=False,
                                   username="transport", password=password,
                                   timeout_seconds=5.0)  # fmt: skip

        report = run(engine, email("wrong-password"), sms, TUESDAY_10AM)  # type: ignore[arg-type]

        assert server.received == []
        assert server.connections == 1  # it stopped after one refused login
        assert {ok for _user, ok in server.auth_attempts} == {False}
        assert [m.to for m in sms.sent] == ["+447700900123"]  # no fallback: one SMS only
        after = _before_claim(engine)
        for key in ("e0", "e1", "e2"):
            assert after[key] == before[key]
        assert (report.sent, report.failed, report.fallbacks, report.by_error) == (1, 0, 0, {})
        assert _contacts(engine) == [("ok", "ok")]
        reason = report.channels_down["email"]
        assert "SMTP_USERNAME" in reason and "SMTP_PASSWORD" in reason and "535" in reason
        assert "wrong-password" not in reason and "alex@" not in reason

        later = TUESDAY_10AM + timedelta(minutes=5)
        again = run(engine, email("right-password"), sms, later)  # type: ignore[arg-type]

        assert again.sent == 3 and again.channels_down == {}
        assert len(server.received) == 3
        assert len({r.message["X-Transport-Reference"] for r in server.received}) == 3
        assert len(sms.sent) == 1
        assert {row["status"] for row in rows(engine)} == {"sent"}


def test_an_sms_channel_down_in_the_reconciliation_sends_no_sms_in_the_run(
    engine: Engine, contact_id: int
) -> None:
    """An unknown SMS is looked up first; credentials refused there stop SMS at once."""
    unknown = queue(engine, contact_id, "sms", "u")
    queue(engine, contact_id, "sms", "s")
    with writer(engine).begin() as conn:
        conn.execute(update(OutboxMessage.__table__).where(OutboxMessage.id == unknown)
                     .values(status="unknown", attempts=1, claimed_at=TUESDAY_10AM))  # fmt: skip
    with TwilioDouble() as double:
        sms = TwilioSmsSender(account_sid=double.account_sid, auth_token="wrong",
                              from_number="+447700900000", api_base_url=double.url)  # fmt: skip
        report = run(engine, FakeEmail(), sms, TUESDAY_10AM)  # type: ignore[arg-type]
        assert len(double.requests) == 1 and double.sent == []
    assert "sms" in report.channels_down
    statuses = {row["dedupe_key"]: row["status"] for row in rows(engine)}
    assert statuses == {"u": "unknown", "s": "queued"}
