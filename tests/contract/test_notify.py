"""The GOV.UK Notify adapters, with the official client, against a local Notify double."""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from typing import Any

import jwt
import pytest

from notifications.notify_senders import (
    NotifyEmailSender,
    NotifyLetterSender,
    NotifySmsSender,
    NotifyStatus,
    check_key,
)
from notifications.ports import (
    ChannelConfigError,
    EmailMessage,
    LetterMessage,
    PermanentDeliveryError,
    RetryableDeliveryError,
    SmsMessage,
    UnknownOutcomeError,
)
from tests.notify_double import SERVICE_ID, NotifyDouble

MOBILE = "+447700900123"
ADDRESS = "parent@example.org"
BODY = "Transport for Amy ends on 31 August. Renew at https://council.example/renew"


@pytest.fixture
def double() -> Iterator[NotifyDouble]:
    with NotifyDouble() as running:
        yield running


def sms_sender(double: NotifyDouble, key: str | None = None, **overrides: Any) -> NotifySmsSender:
    options: dict[str, Any] = {
        "api_key": key or double.key("live"),
        "template_id": double.sms_template,
        "base_url": double.url,
        "timeout_seconds": 5.0,
    }
    options.update(overrides)
    return NotifySmsSender(**options)


def email_sender(
    double: NotifyDouble, key: str | None = None, **overrides: Any
) -> NotifyEmailSender:
    options: dict[str, Any] = {
        "api_key": key or double.key("live"),
        "template_id": double.email_template,
        "base_url": double.url,
        "timeout_seconds": 5.0,
    }
    options.update(overrides)
    return NotifyEmailSender(**options)


def sms(to: str = MOBILE, body: str = BODY) -> SmsMessage:
    return SmsMessage(to=to, body=body, reference="outbox-42")


def email(to: str = ADDRESS) -> EmailMessage:
    return EmailMessage(to, "Renew Amy's school transport", BODY, "<p>html</p>", "outbox-43")


# --- sending ----------------------------------------------------------------------------


def test_a_text_goes_through_the_template_with_our_reference(double: NotifyDouble) -> None:
    notification_id = sms_sender(double).send(sms())

    [sent] = double.sent("sms")
    assert sent["id"] == notification_id
    assert (sent["phone_number"], sent["body"], sent["reference"]) == (
        "07700900123",
        BODY,
        "outbox-42",
    )
    assert sent["template"]["id"] == double.sms_template


def test_an_email_carries_our_subject_and_text_and_the_reply_to(double: NotifyDouble) -> None:
    reply_to = "1c8f3a3e-5b6d-4c5e-8f9a-0b1c2d3e4f5a"
    notification_id = email_sender(double, reply_to_id=reply_to).send(email())

    [sent] = double.sent("email")
    assert sent["id"] == notification_id
    assert (sent["email_address"], sent["subject"], sent["body"]) == (
        ADDRESS,
        "Renew Amy's school transport",
        BODY,
    )
    assert (sent["reference"], sent["_extra"]) == ("outbox-43", {"email_reply_to_id": reply_to})


def test_a_wrong_key_is_the_channels_configuration_naming_notify_api_key(
    double: NotifyDouble,
) -> None:
    wrong = f"transport-key-{SERVICE_ID}-00000000-0000-4000-8000-000000000000"

    with pytest.raises(ChannelConfigError) as caught:
        sms_sender(double, key=wrong).send(sms())

    error = caught.value
    assert (error.channel, error.setting, error.code) == ("sms", "NOTIFY_API_KEY", "403")
    assert "API key not found" in str(error) and "NOTIFY_API_KEY" in str(error)
    assert "00000000-0000-4000-8000" not in str(error) and MOBILE not in str(error)
    assert double.sent() == []


def test_a_key_of_another_service_and_a_revoked_key_are_refused(double: NotifyDouble) -> None:
    other_service = "0d0d0d0d-1111-4222-8333-444455556666"
    double.key("live", service_id=other_service)  # that service exists, with its own keys
    ours = double.key("live")
    revoked = double.key("live")
    double.revoke(revoked)
    unknown = f"x-{'1' * 8}-1111-4111-8111-{'1' * 12}-{ours[-36:]}"

    for key, words in (
        (f"x-{other_service}-{ours[-36:]}", "API key not found"),
        (revoked, "revoked"),
        (unknown, "service not found"),
    ):
        with pytest.raises(ChannelConfigError, match=words):
            email_sender(double, key=key).send(email())
    assert double.sent() == []


def test_a_clock_more_than_30_seconds_out_is_refused_and_named(double: NotifyDouble) -> None:
    sender = sms_sender(double)
    double.clock_offset = 25
    sender.send(sms())  # within the bound
    double.clock_offset = -40

    with pytest.raises(ChannelConfigError, match="clock") as caught:
        sender.send(sms())
    assert caught.value.setting == "NOTIFY_API_KEY"
    assert len(double.sent()) == 1


def test_a_team_only_key_sends_to_the_team_alone(double: NotifyDouble) -> None:
    team = double.key("team")
    double.add_to_team("07700 900999")
    sender = sms_sender(double, key=team)

    sender.send(sms(to="+447700900999"))
    with pytest.raises(ChannelConfigError, match="team-only") as caught:
        sender.send(sms())

    assert (caught.value.setting, caught.value.code) == ("NOTIFY_API_KEY", "400")
    assert [n["phone_number"] for n in double.sent()] == ["07700900999"]


def test_429_and_500_are_tried_again_later(double: NotifyDouble) -> None:
    sender = email_sender(double)
    double.fail_next(500, "Exception", "Internal server error")
    with pytest.raises(RetryableDeliveryError):
        sender.send(email())

    double.rate_limit = 2  # the double's own count, as Notify keeps it per key
    sender = email_sender(double)  # a new key: nothing counted yet
    sender.send(email())
    sender.send(email())
    with pytest.raises(RetryableDeliveryError, match="RateLimitError") as caught:
        sender.send(email())
    assert caught.value.code == "429"
    assert len(double.sent()) == 2


@pytest.mark.parametrize(
    ("make", "message", "status"),
    [
        (sms_sender, sms(to="+33612345678"), "invalid"),
        (email_sender, email(to="not-an-address"), "bounced"),
    ],
)
def test_a_recipient_notify_refuses_is_a_permanent_failure_of_that_channel(
    double: NotifyDouble, make: Any, message: Any, status: str
) -> None:
    with pytest.raises(PermanentDeliveryError) as caught:
        make(double).send(message)
    assert caught.value.channel_status == status
    assert "+33612345678" not in str(caught.value) and "not-an-address" not in str(caught.value)


def test_an_unknown_template_or_one_of_another_kind_names_the_template_key(
    double: NotifyDouble,
) -> None:
    with pytest.raises(ChannelConfigError) as caught:
        sms_sender(double, template_id="2b2b2b2b-3c3c-4d4d-8e8e-5f5f5f5f5f5f").send(sms())
    assert caught.value.setting == "notify.sms_template_id"

    with pytest.raises(ChannelConfigError, match="not suitable") as caught:
        sms_sender(double, template_id=double.email_template).send(sms())
    assert caught.value.setting == "notify.sms_template_id"


def test_a_template_without_our_placeholders_names_its_key(double: NotifyDouble) -> None:
    fixed = double.add_template("email", "Dear parent", subject="Transport")

    with pytest.raises(ChannelConfigError, match="lacks") as caught:
        email_sender(double, template_id=fixed).check()
    assert caught.value.setting == "notify.email_template_id"
    assert email_sender(double).check() == (
        f"GOV.UK Notify service {SERVICE_ID}, template 'School transport (email)'"
    )


# --- statuses ---------------------------------------------------------------------------


def test_a_live_message_is_pending_until_notify_says_delivered(double: NotifyDouble) -> None:
    sender = sms_sender(double)
    notification_id = sender.send(sms())

    pending = sender.status(notification_id)
    assert (pending.status, pending.final, pending.delivered) == ("sending", False, False)
    double.set_status(notification_id, "delivered")
    assert sender.status(notification_id).delivered


@pytest.mark.parametrize(
    ("make", "message", "status", "failed", "retry", "channel_status"),
    [
        (sms_sender, sms(to="07700900002"), "permanent-failure", True, False, "invalid"),
        (sms_sender, sms(to="07700900003"), "temporary-failure", False, True, None),
        (
            email_sender,
            email(to="perm-fail@simulator.notify"),
            "permanent-failure",
            True,
            False,
            "bounced",
        ),
        (
            email_sender,
            email(to="temp-fail@simulator.notify"),
            "temporary-failure",
            False,
            True,
            None,
        ),
        (sms_sender, sms(to="07700900111"), "delivered", False, False, None),
    ],
)
def test_notifys_test_numbers_and_addresses_give_their_statuses(
    double: NotifyDouble,
    make: Any,
    message: Any,
    status: str,
    failed: bool,
    retry: bool,
    channel_status: str | None,
) -> None:
    sender = make(double, key=double.key("test"))

    found = sender.status(sender.send(message))

    assert (found.status, found.failed, found.retry) == (status, failed, retry)
    assert found.channel_status == channel_status
    assert found.final


def test_technical_failure_is_retried_and_a_status_told_in_notifys_words() -> None:
    assert NotifyStatus("technical-failure", None, "email").retry
    assert not NotifyStatus("created").final
    assert not NotifyStatus("sent").final  # sent abroad: no more news may come


def test_a_sent_message_is_found_by_its_reference(double: NotifyDouble) -> None:
    sender = sms_sender(double)
    notification_id = sender.send(sms())

    assert sender.find_reference("outbox-42") == notification_id
    assert sender.find_reference("outbox-41") is None


def test_an_unknown_id_is_a_look_up_error_not_a_status(double: NotifyDouble) -> None:
    with pytest.raises(PermanentDeliveryError):
        sms_sender(double).status("../notifications")
    with pytest.raises(PermanentDeliveryError, match="404"):
        sms_sender(double).status("2b2b2b2b-3c3c-4d4d-8e8e-5f5f5f5f5f5f")


# --- the network ------------------------------------------------------------------------


def test_nobody_listening_is_retried_and_no_answer_is_an_unknown_outcome() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    key = f"k-{SERVICE_ID}-{'3' * 8}-3333-4333-8333-{'3' * 12}"
    template = "2b2b2b2b-3c3c-4d4d-8e8e-5f5f5f5f5f5f"
    refused = NotifySmsSender(
        api_key=key, template_id=template, base_url=f"http://127.0.0.1:{port}"
    )
    with pytest.raises(RetryableDeliveryError):
        refused.send(sms())

    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        sender = NotifySmsSender(
            api_key=key, template_id=template, base_url=url, timeout_seconds=0.3
        )
        with pytest.raises(UnknownOutcomeError):
            sender.send(sms())
        with pytest.raises(RetryableDeliveryError):  # a look-up changes nothing
            sender.status("2b2b2b2b-3c3c-4d4d-8e8e-5f5f5f5f5f5f")


# --- the key ----------------------------------------------------------------------------


def test_a_key_must_be_name_service_id_and_secret() -> None:
    assert check_key(f"my-key-{SERVICE_ID}-{'4' * 8}-4444-4444-8444-{'4' * 12}") == SERVICE_ID
    for bad in ("", "just-a-secret", f"{SERVICE_ID}"):
        with pytest.raises(ValueError, match="NOTIFY_API_KEY") as caught:
            check_key(bad)
        assert "just-a-secret" not in str(caught.value)


def test_nothing_logged_names_the_recipient(
    double: NotifyDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sender = sms_sender(double, key=double.key("team"))
    with pytest.raises(ChannelConfigError):
        sender.send(sms())
    sms_sender(double).send(sms())

    assert "07700900123" not in caplog.text and MOBILE not in caplog.text
    assert BODY not in caplog.text


# --- the double checks the token as Notify does ---------------------------------------


def _post(double: NotifyDouble, token: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        double.url + "/v2/notifications/sms",
        data=json.dumps(
            {
                "phone_number": MOBILE,
                "template_id": double.sms_template,
                "personalisation": {"body": "x"},
            }
        ).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize(
    ("claims", "algorithm", "status", "words"),
    [
        ({"iss": SERVICE_ID}, "HS256", 403, "iat field not provided"),
        ({"iat": 0}, "HS256", 403, "iss field not provided"),
        ({"iss": SERVICE_ID, "iat": "now"}, "HS512", 403, "algorithm"),
        ({"iss": SERVICE_ID, "iat": "now-31"}, "HS256", 403, "system clock"),
        ({"iss": SERVICE_ID, "iat": "now+31"}, "HS256", 403, "system clock"),
        ({"iss": SERVICE_ID, "iat": "now-30"}, "HS256", 201, ""),
        ({"iss": SERVICE_ID, "iat": "now+30"}, "HS256", 201, ""),
    ],
)
def test_the_double_checks_the_jwt_as_notify_does(
    double: NotifyDouble, claims: dict[str, Any], algorithm: str, status: int, words: str
) -> None:
    secret = double.key("live")[-36:]
    now = int(time.time())
    double.frozen_at = now  # a busy machine must not move the 30-second boundary
    if isinstance(claims.get("iat"), str):
        offset = claims["iat"].removeprefix("now") or "0"
        claims = {**claims, "iat": now + int(offset)}
    token = jwt.encode(claims, secret, algorithm=algorithm)

    got, body = _post(double, token)

    assert got == status
    if words:
        assert body["status_code"] == status and words in body["errors"][0]["message"]
        assert body["errors"][0]["error"] == "AuthError"


def test_the_double_wants_a_bearer_token(double: NotifyDouble) -> None:
    got, _body = _post(double, "")
    assert got in (401, 403)
    request = urllib.request.Request(
        double.url + "/v2/notifications/sms", data=b"{}", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 401


# --- letters ----------------------------------------------------------------------------


def letter_sender(double: NotifyDouble, key: str | None = None) -> NotifyLetterSender:
    return NotifyLetterSender(
        api_key=key or double.key("live"),
        template_id=double.letter_template,
        base_url=double.url,
        timeout_seconds=5.0,
    )


def letter(address: tuple[str, ...]) -> LetterMessage:
    return LetterMessage(
        address, "Your child's transport", BODY, "Northshire", "0300", date(2026, 8, 13), "outbox-9"
    )


def test_a_letter_takes_the_address_block_name_first_postcode_last(double: NotifyDouble) -> None:
    many = (
        "Alex O'Brien",
        "Flat 2",
        "12 Mill Lane",
        "Upper Hatch",
        "Ward",
        "Shire",
        "Northtown",
        "NE1 4XY",
    )
    sender = letter_sender(double)
    sender.send(letter(many))

    [sent] = double.sent("letter")
    given = sent["_personalisation"]
    assert [given.get(f"address_line_{n}") for n in range(1, 8)] == [
        "Alex O'Brien", "Flat 2", "12 Mill Lane", "Upper Hatch", "Ward", "Shire, Northtown",
        "NE1 4XY",
    ]  # fmt: skip
    assert (given["subject"], given["body"], sent["reference"]) == (
        "Your child's transport",
        BODY,
        "outbox-9",
    )
    with pytest.raises(PermanentDeliveryError) as caught:
        sender.send(letter(("Alex O'Brien", "NE1 4XY")))
    assert caught.value.channel_status == "invalid"


def test_a_team_key_cannot_send_letters_and_names_the_key(double: NotifyDouble) -> None:
    with pytest.raises(ChannelConfigError, match="team api key") as caught:
        letter_sender(double, key=double.key("team")).send(letter(("A", "1 Lane", "NE1 4XY")))
    assert (caught.value.channel, caught.value.setting) == ("letter", "NOTIFY_API_KEY")


@pytest.mark.parametrize(
    ("status", "final", "posted", "failed"),
    [
        ("accepted", False, False, False),
        ("received", True, True, False),
        ("validation-failed", True, False, True),
        ("technical-failure", True, False, True),
        ("permanent-failure", True, False, True),
    ],
)
def test_letter_statuses_are_posted_or_failed_never_delivered(
    status: str, final: bool, posted: bool, failed: bool
) -> None:
    found = NotifyStatus(status, None, "letter")
    assert (found.final, found.posted, found.failed) == (final, posted, failed)
    assert not found.delivered and not found.retry and found.channel_status is None


def test_a_test_key_letter_is_received_at_once(double: NotifyDouble) -> None:
    sender = letter_sender(double, key=double.key("test"))
    assert sender.status(sender.send(letter(("A", "1 Lane", "NE1 4XY")))).posted
