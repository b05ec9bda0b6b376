"""One message's failure fails that message alone (issue 23.8): a subject that cannot be
made into an email, or a fault inside a sender, is settled with its error and the run
goes on to send every other family's messages; nothing is left `sending`."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.engine import Engine

from notifications.ports import EmailMessage
from notifications.smtp_email import SmtpEmailSender
from tests.fakes import FakeEmail, FakeSms
from tests.integration.test_dispatch import TUESDAY_10AM, contact_id, queue, rows, run
from tests.smtp_server import SmtpServer
from transport.db.engine import writer
from transport.db.tables import OutboxMessage

__all__ = ["contact_id"]  # the fixture, shared with test_dispatch.py


def broken_subject(engine: Engine, message_id: int) -> None:
    """A row as an older import could have left it: a child's name with a line break."""
    with writer(engine).begin() as conn:
        conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(subject="Sam\nJones: apply for school transport")
        )


def test_an_email_that_cannot_be_built_fails_alone_and_the_run_goes_on(
    engine: Engine, contact_id: int
) -> None:
    first = queue(engine, contact_id, "email", "e0")
    bad = queue(engine, contact_id, "email", "e1")
    last = queue(engine, contact_id, "email", "e2")
    queue(engine, contact_id, "sms", "s0")
    broken_subject(engine, bad)
    sms = FakeSms()
    with SmtpServer() as server:
        email = SmtpEmailSender(host=server.host, port=server.port, starttls=False,
                                from_address="transport@council.example",
                                timeout_seconds=5.0)  # fmt: skip

        report = run(engine, email, sms, TUESDAY_10AM)  # type: ignore[arg-type]

        refs = sorted(r.message["X-Transport-Reference"] for r in server.received)
    assert refs == [f"outbox-{first}", f"outbox-{last}"]
    by_id = {row["id"]: row for row in rows(engine)}
    assert by_id[bad]["status"] == "failed_permanent"
    assert by_id[bad]["error_code"] == "not_built"
    assert "could not be built" in by_id[bad]["error_message"]
    assert "Sam" not in by_id[bad]["error_message"]
    # The family still hears, by the SMS of the same step; no second text as a fallback
    # (issue 23.7: a fallback never uses a channel that already carried the step).
    assert (report.sent, report.failed, report.fallbacks) == (3, 1, 0)
    assert len(sms.sent) == 1
    assert not any(row["status"] == "sending" for row in rows(engine))


class Faulty(FakeEmail):
    """A sender with a fault of its own (not a DeliveryError) for one address."""

    def send(self, message: EmailMessage) -> str:
        if message.reference.endswith(self.bad):
            raise ZeroDivisionError("a bug")
        return super().send(message)

    bad: str = ""


def test_a_fault_inside_a_sender_settles_that_message_as_unknown_and_the_run_goes_on(
    engine: Engine, contact_id: int
) -> None:
    """It may have gone: never resent blindly; the others go."""
    ids = [queue(engine, contact_id, "email", f"e{i}") for i in range(4)]
    email = Faulty()
    email.bad = f"-{ids[1]}"

    report = run(engine, email, FakeSms(), TUESDAY_10AM)

    statuses = {row["id"]: row["status"] for row in rows(engine)}
    assert statuses == {ids[0]: "sent", ids[1]: "unknown", ids[2]: "sent", ids[3]: "sent"}
    assert (report.sent, report.unknown) == (3, 1)
    error = next(row for row in rows(engine) if row["id"] == ids[1])["error_message"]
    assert "unexpected ZeroDivisionError" in error
