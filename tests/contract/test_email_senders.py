"""The email senders' contract: the SMTP sender against a real local SMTP server
(aiosmtpd on 127.0.0.1), and the file outbox through the same checks where they apply.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage as MimeMessage
from email.message import MIMEPart
from pathlib import Path

import pytest

from notifications import smtp_email
from notifications.file_outbox import FileEmailOutbox, FileSmsOutbox
from notifications.ports import (
    ChannelConfigError,
    EmailMessage,
    EmailSender,
    PermanentDeliveryError,
    PolicyRefusalError,
    RetryableDeliveryError,
    SmsMessage,
    SmsSender,
    UnknownOutcomeError,
)
from notifications.smtp_email import RELAY_SETTINGS, SmtpEmailSender
from tests.smtp_server import (
    SmtpServer,
    free_port,
    make_test_certificate,
    server_tls_context,
)
from transport.clock import FixedClock

FROM = "school.transport@council.example"
TO = "zoe.parent@example.org"
PASSWORD = "s3cret-Pa55"
NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


def a_message(**changes: object) -> EmailMessage:
    fields: dict[str, object] = {
        "to": TO,
        "subject": "Zoë O'Brien: renew her school transport",
        "text": "Dear parent,\n\nZoë O'Brien's bus pass ends on 18 July.\nA fare is £2.50.\n",
        "html": "<p>Zoë O'Brien's bus pass ends on 18 July. A fare is £2.50.</p>",
        "reference": "outbox-42",
    }
    fields.update(changes)
    return EmailMessage(**fields)  # type: ignore[arg-type]


def content(part: MIMEPart) -> str:
    """A decoded text part, with the wire's CRLF line endings back to newlines."""
    text = part.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def smtp_sender(server: SmtpServer, **changes: object) -> SmtpEmailSender:
    options: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "from_address": FROM,
        "starttls": False,
        "timeout_seconds": 1.0,
        "local_hostname": "client.test",
        "clock": FixedClock(NOW),
    }
    options.update(changes)
    return SmtpEmailSender(**options)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


# -- the shared contract -------------------------------------------------------------


@dataclass
class Channel:
    """A sender plus a way to read what it delivered."""

    name: str
    sender: EmailSender
    delivered: Callable[[], list[MimeMessage]]


@pytest.fixture(params=["smtp", "file"])
def channel(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Channel]:
    if request.param == "smtp":
        with SmtpServer() as running:
            yield Channel(
                "smtp", smtp_sender(running), lambda: [r.message for r in running.received]
            )
    else:
        folder = tmp_path / "outbox"
        outbox = FileEmailOutbox(folder, FROM, clock=FixedClock(NOW))

        def delivered() -> list[MimeMessage]:
            found = []
            for path in sorted(folder.glob("*.eml")):
                parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                assert isinstance(parsed, MimeMessage)
                found.append(parsed)
            return found

        yield Channel("file", outbox, delivered)


def test_a_message_arrives_whole_with_its_headers(channel: Channel) -> None:
    provider_id = channel.sender.send(a_message())

    (got,) = channel.delivered()
    assert got["Subject"] == "Zoë O'Brien: renew her school transport"
    assert got["From"] == FROM
    assert got["To"] == TO
    assert got["X-Transport-Reference"] == "outbox-42"
    assert got["Date"] == "Mon, 02 Jun 2025 09:30:00 +0000"
    message_id = got["Message-ID"]
    assert message_id.startswith("<") and message_id.endswith("@council.example>")
    if channel.name == "smtp":
        assert provider_id == message_id
    else:
        assert provider_id == "file:outbox-42.eml"

    assert got.get_content_type() == "multipart/alternative"
    text = got.get_body(preferencelist=("plain",))
    html = got.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert content(text) == a_message().text
    assert content(html).strip() == a_message().html
    assert "£2.50" in content(text) and "Zoë O'Brien" in content(html)


def test_a_text_only_message_has_one_plain_part(channel: Channel) -> None:
    channel.sender.send(a_message(html=None))

    (got,) = channel.delivered()
    assert got.get_content_type() == "text/plain"
    assert got.get_content_charset() == "utf-8"
    assert content(got) == a_message().text


def test_lines_starting_with_a_dot_survive(channel: Channel) -> None:
    text = "Line one\n.\n.hidden? no\n..two dots\nend\n"
    channel.sender.send(a_message(text=text, html=None))

    (got,) = channel.delivered()
    assert content(got) == text


def test_message_ids_differ_between_sends(channel: Channel) -> None:
    channel.sender.send(a_message(reference="outbox-1"))
    channel.sender.send(a_message(reference="outbox-2"))

    first, second = channel.delivered()
    assert first["Message-ID"] != second["Message-ID"]


# -- SMTP: what the server says ------------------------------------------------------


def test_the_envelope_names_our_sender_and_the_one_recipient(server: SmtpServer) -> None:
    smtp_sender(server).send(a_message())

    (got,) = server.received
    assert got.mail_from == FROM
    assert got.rcpt_tos == [TO]


def test_an_address_that_is_not_ascii_goes_with_smtputf8(server: SmtpServer) -> None:
    smtp_sender(server).send(a_message(to="zoë@example.org"))

    (got,) = server.received
    assert got.rcpt_tos == ["zoë@example.org"]
    assert got.message["To"] == "zoë@example.org"


def test_a_refused_recipient_is_a_bounce(server: SmtpServer) -> None:
    server.refuse_recipient(TO, 550, f"5.1.1 <{TO}>: No such user")

    with pytest.raises(PermanentDeliveryError) as caught:
        smtp_sender(server).send(a_message())

    assert caught.value.channel_status == "bounced"
    assert caught.value.code == "550"
    assert TO not in str(caught.value)  # server replies echo the address; we do not
    assert server.received == []


@pytest.mark.parametrize("code", [551, 553])
def test_other_recipient_refusals_are_bounces_too(server: SmtpServer, code: int) -> None:
    server.refuse_recipient(TO, code, "Mailbox name not allowed")

    with pytest.raises(PermanentDeliveryError) as caught:
        smtp_sender(server).send(a_message())

    assert (caught.value.channel_status, caught.value.code) == ("bounced", str(code))


# -- refusals read by their enhanced status code (RFC 3463; issue 22.4) ---------------------


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (554, "5.7.1 <{to}>: Relay access denied"),
        (550, "5.7.1 Sender not authorised to relay"),
        (553, "5.7.0 Policy rejection"),
    ],
)
def test_a_policy_refusal_at_rcpt_is_not_a_bounce(
    server: SmtpServer, code: int, text: str
) -> None:
    """The relay refuses for its own reasons, not the address: retried, nothing marked."""
    server.refuse_recipient(TO, code, text.format(to=TO))

    with pytest.raises(PolicyRefusalError) as caught:
        smtp_sender(server).send(a_message())

    error = caught.value
    assert isinstance(error, RetryableDeliveryError)
    assert (error.channel, error.setting, error.code) == ("email", RELAY_SETTINGS, str(code))
    assert TO not in str(error) and "5.7." in str(error)
    assert server.received == []


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (550, "5.1.1 <{to}>: Recipient address rejected: User unknown"),
        (550, "5.1.10 Recipient address rejected: null MX"),
        (550, "5.2.1 Mailbox disabled"),
        (550, "No such user here"),  # a bare 5xx: a bounce too
    ],
)
def test_a_bad_address_at_rcpt_is_a_bounce(server: SmtpServer, code: int, text: str) -> None:
    server.refuse_recipient(TO, code, text.format(to=TO))

    with pytest.raises(PermanentDeliveryError) as caught:
        smtp_sender(server).send(a_message())

    assert caught.value.channel_status == "bounced"


@pytest.mark.parametrize(
    ("code", "text"), [(552, "5.2.2 Mailbox full"), (550, "4.2.0 Greylisted, come back later")]
)
def test_a_full_mailbox_or_a_4xx_enhanced_code_is_temporary(
    server: SmtpServer, code: int, text: str
) -> None:
    server.refuse_recipient(TO, code, text)

    with pytest.raises(RetryableDeliveryError) as caught:
        smtp_sender(server).send(a_message())

    assert not isinstance(caught.value, PolicyRefusalError)


@pytest.mark.parametrize("code", [534, 535])
def test_a_login_refusal_at_any_step_is_the_channels_configuration(
    server: SmtpServer, code: int
) -> None:
    server.refuse_recipient(TO, code, "5.7.8 Authentication credentials invalid")

    with pytest.raises(ChannelConfigError) as caught:
        smtp_sender(server).send(a_message())

    assert caught.value.setting == smtp_email.CREDENTIAL_SETTINGS


@pytest.mark.parametrize("code", [450, 451, 452])
def test_a_temporary_recipient_refusal_is_retried(server: SmtpServer, code: int) -> None:
    server.refuse_recipient(TO, code, "Mailbox busy, try later")

    with pytest.raises(RetryableDeliveryError) as caught:
        smtp_sender(server).send(a_message())

    assert caught.value.code == str(code)


def test_a_temporary_failure_of_the_message_is_retried(server: SmtpServer) -> None:
    server.fail_data(451, "Local error in processing")

    with pytest.raises(RetryableDeliveryError) as caught:
        smtp_sender(server).send(a_message())

    assert caught.value.code == "451"
    smtp_sender(server).send(a_message())  # the next one goes
    assert len(server.received) == 1


def test_a_rejected_message_is_permanent_but_the_address_is_fine(server: SmtpServer) -> None:
    server.fail_data(554, "Message rejected as spam")

    with pytest.raises(PermanentDeliveryError) as caught:
        smtp_sender(server).send(a_message())

    assert caught.value.code == "554"
    assert caught.value.channel_status is None


def test_a_closed_port_is_retried() -> None:
    port = free_port()  # nothing listens there
    sender = SmtpEmailSender(
        host="127.0.0.1", port=port, from_address=FROM, starttls=False, timeout_seconds=1.0
    )

    with pytest.raises(RetryableDeliveryError, match="cannot connect"):
        sender.send(a_message())


def test_a_server_that_never_greets_is_retried() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # the connection completes, the banner never comes
        port = listener.getsockname()[1]
        sender = SmtpEmailSender(
            host="127.0.0.1", port=port, from_address=FROM, starttls=False, timeout_seconds=0.5
        )

        with pytest.raises(RetryableDeliveryError):
            sender.send(a_message())


def test_login_with_the_right_credentials(server: SmtpServer) -> None:
    server.require_auth("transport", PASSWORD)

    smtp_sender(server, username="transport", password=PASSWORD).send(a_message())

    assert server.auth_attempts == [("transport", True)]
    assert len(server.received) == 1


def test_a_wrong_password_is_a_configuration_error_naming_the_settings(
    server: SmtpServer,
) -> None:
    server.require_auth("transport", PASSWORD)
    wrong = "not-the-password"
    sender = smtp_sender(server, username="transport", password=wrong)

    with pytest.raises(ChannelConfigError) as caught:
        sender.send(a_message())

    message = str(caught.value)
    assert "SMTP_USERNAME" in message and "SMTP_PASSWORD" in message
    assert wrong not in message and PASSWORD not in message and TO not in message
    assert wrong not in repr(sender)
    assert (caught.value.channel, caught.value.setting) == ("email", smtp_email.CREDENTIAL_SETTINGS)
    assert caught.value.code == "535"
    assert server.received == []


def test_no_login_when_the_server_requires_one_is_a_configuration_error(
    server: SmtpServer,
) -> None:
    server.require_auth("transport", PASSWORD)

    with pytest.raises(ChannelConfigError) as caught:
        smtp_sender(server).send(a_message())

    assert caught.value.code == "530"
    assert (caught.value.channel, caught.value.setting) == ("email", smtp_email.CREDENTIAL_SETTINGS)


@pytest.mark.parametrize("login", [False, True], ids=["no-login", "login"])
def test_starttls_required_but_not_offered_is_a_configuration_error_not_sent_in_clear(
    server: SmtpServer, login: bool
) -> None:
    """Issue 23.12: true means never in clear, also to a server on loopback (which used to
    get the message, and the password, in clear)."""
    if login:
        server.require_auth("transport", PASSWORD)
    sender = smtp_sender(
        server, starttls=True, username="transport" if login else "", password=PASSWORD
    )
    with pytest.raises(ChannelConfigError, match="does not offer STARTTLS") as caught:
        sender.send(a_message())

    assert "not sending in clear" in str(caught.value)
    assert (caught.value.channel, caught.value.setting) == ("email", "email.starttls")
    assert server.received == []
    assert server.auth_attempts == []  # the password never went


def test_a_dropped_connection_after_the_message_is_an_unknown_outcome(
    server: SmtpServer,
) -> None:
    server.drop_connection_after_data()

    with pytest.raises(UnknownOutcomeError):
        smtp_sender(server).send(a_message())

    assert len(server.received) == 1  # it did arrive: never resend blindly


def test_a_timeout_after_the_message_is_an_unknown_outcome(server: SmtpServer) -> None:
    server.stall_after_data(2.0)

    with pytest.raises(UnknownOutcomeError):
        smtp_sender(server, timeout_seconds=0.5).send(a_message())


def test_logs_name_the_reference_not_the_address_or_the_body(
    server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.refuse_recipient("other@example.org", 550)
    caplog.set_level(logging.DEBUG, logger="notifications")

    smtp_sender(server).send(a_message())
    with pytest.raises(PermanentDeliveryError):
        smtp_sender(server).send(a_message(to="other@example.org", reference="outbox-43"))

    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("notif"))
    assert "outbox-42" in logged and "outbox-43" in logged
    assert "example.org" not in logged and "O'Brien" not in logged


# -- SMTP over STARTTLS (a self-signed certificate made with openssl) ---------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    made = make_test_certificate(tmp_path_factory.mktemp("tls"))
    if made is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    return made


def test_starttls_then_login_then_send(tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    trusting = ssl.create_default_context(cafile=str(cert))
    with SmtpServer(tls_context=server_tls_context(cert, key)) as server:
        server.require_auth("transport", PASSWORD)
        sender = smtp_sender(
            server, starttls=True, username="transport", password=PASSWORD, ssl_context=trusting
        )

        sender.send(a_message())

        assert server.auth_attempts == [("transport", True)]
        (got,) = server.received
        assert got.message["X-Transport-Reference"] == "outbox-42"


def test_an_untrusted_certificate_is_a_configuration_error_and_nothing_is_sent(
    tls_files: tuple[Path, Path],
) -> None:
    cert, key = tls_files
    with SmtpServer(tls_context=server_tls_context(cert, key)) as server:
        with pytest.raises(ChannelConfigError, match="TLS handshake") as caught:
            smtp_sender(server, starttls=True).send(a_message())  # system CAs only

        assert (caught.value.channel, caught.value.setting) == ("email", "email.starttls")

        assert server.received == []


# -- the file outboxes ---------------------------------------------------------------


def test_the_email_outbox_creates_its_folder_and_writes_a_parseable_eml(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "new" / "outbox"
    outbox = FileEmailOutbox(folder, FROM)

    provider_id = outbox.send(a_message())

    assert provider_id == "file:outbox-42.eml"
    path = outbox.path_of(provider_id)
    assert path == folder / "outbox-42.eml"
    raw = path.read_bytes()
    assert b"\r\n" in raw and raw.isascii()  # 7-bit wire format, as SMTP would send it
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "Zoë O'Brien: renew her school transport"
    assert sorted(p.name for p in folder.iterdir()) == ["outbox-42.eml"]


def test_the_email_outbox_is_idempotent_per_reference(tmp_path: Path) -> None:
    outbox = FileEmailOutbox(tmp_path, FROM)

    first = outbox.send(a_message(subject="First"))
    second = outbox.send(a_message(subject="Second"))

    assert first == second
    assert [p.name for p in tmp_path.iterdir()] == ["outbox-42.eml"]
    parsed = email.message_from_bytes(
        outbox.path_of(second).read_bytes(), policy=email.policy.default
    )
    assert parsed["Subject"] == "Second"


def test_a_crash_while_writing_leaves_the_old_file_and_no_debris(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = FileEmailOutbox(tmp_path, FROM)
    outbox.send(a_message(subject="First"))
    before = (tmp_path / "outbox-42.eml").read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(RetryableDeliveryError):
        outbox.send(a_message(subject="Second"))

    assert [p.name for p in tmp_path.iterdir()] == ["outbox-42.eml"]
    assert (tmp_path / "outbox-42.eml").read_bytes() == before


def test_a_reference_cannot_leave_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    outbox = FileEmailOutbox(folder, FROM)

    provider_id = outbox.send(a_message(reference="../../etc/passwd"))

    assert outbox.path_of(provider_id).parent == folder
    assert [p.name for p in tmp_path.iterdir()] == ["outbox"]


def test_an_unwritable_folder_is_retried(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")

    with pytest.raises(RetryableDeliveryError):
        FileEmailOutbox(blocker, FROM).send(a_message())


def test_the_sms_outbox_writes_json_and_reports_delivered(tmp_path: Path) -> None:
    outbox: SmsSender = FileSmsOutbox(tmp_path / "sms")
    sms = SmsMessage(
        to="+447700900123", body="Zoë's bus pass ends 18 July. £0 to renew.", reference="outbox-7"
    )

    provider_id = outbox.send(sms)

    assert provider_id == "file:outbox-7.sms.json"
    written = json.loads((tmp_path / "sms" / "outbox-7.sms.json").read_text(encoding="utf-8"))
    assert written == {"to": sms.to, "body": sms.body, "reference": "outbox-7"}
    status = outbox.status(provider_id)
    assert status.status == "delivered" and status.final and not status.failed
    assert outbox.find(sms.to, sms.body, NOW) == provider_id
    assert outbox.find(sms.to, "another body", NOW) is None
    assert outbox.find("+447700900999", sms.body, NOW) is None


def test_the_sms_outbox_is_idempotent_and_finds_nothing_in_a_missing_folder(
    tmp_path: Path,
) -> None:
    outbox = FileSmsOutbox(tmp_path / "sms")
    assert outbox.find("+447700900123", "hello", NOW) is None

    sms = SmsMessage(to="+447700900123", body="hello", reference="outbox-7")
    assert outbox.send(sms) == outbox.send(sms)
    assert [p.name for p in (tmp_path / "sms").iterdir()] == ["outbox-7.sms.json"]


# -- sessions: one connection carries many messages ------------------------------------


def test_one_session_carries_many_messages_and_close_ends_it(server: SmtpServer) -> None:
    sender = smtp_sender(server)
    for number in range(5):
        sender.send(a_message(subject=f"message {number}"))
    sender.close()
    got = server.received
    assert [r.message["Subject"] for r in got] == [f"message {n}" for n in range(5)]
    assert {r.connection for r in got} == {1}
    assert server.connections == 1


def test_a_refusal_ends_only_its_own_transaction(server: SmtpServer) -> None:
    server.refuse_recipient("gone@example.org")
    sender = smtp_sender(server)
    sender.send(a_message(subject="first"))
    with pytest.raises(PermanentDeliveryError):
        sender.send(a_message(to="gone@example.org", subject="refused"))
    sender.send(a_message(subject="after"))
    got = server.received
    assert [r.message["Subject"] for r in got] == ["first", "after"]
    assert [r.rcpt_tos for r in got] == [[TO], [TO]]
    assert server.connections == 1


def test_a_session_the_server_closed_is_reopened_without_an_error(server: SmtpServer) -> None:
    sender = smtp_sender(server)
    sender.send(a_message(subject="before"))
    server.hang_up_all()
    sender.send(a_message(subject="after"))
    got = server.received
    assert [r.message["Subject"] for r in got] == ["before", "after"]
    assert [r.connection for r in got] == [1, 2]


def test_a_session_carries_at_most_messages_per_connection(server: SmtpServer) -> None:
    sender = smtp_sender(server, messages_per_connection=2)
    for number in range(5):
        sender.send(a_message(subject=f"message {number}"))
    assert [r.connection for r in server.received] == [1, 1, 2, 2, 3]
    with pytest.raises(ValueError, match="messages_per_connection"):
        smtp_sender(server, messages_per_connection=0)


def test_threads_each_keep_a_session_and_every_message_arrives_once(
    server: SmtpServer,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sender = smtp_sender(server)
    subjects = [f"message {n}" for n in range(40)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda subject: sender.send(a_message(subject=subject)), subjects))
    sender.close()
    got = server.received
    assert sorted(r.message["Subject"] for r in got) == sorted(subjects)
    assert 1 <= server.connections <= 4
