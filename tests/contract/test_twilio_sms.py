"""The Twilio adapter, with the real twilio client, against a local Twilio double."""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from notifications import twilio_sms
from notifications.ports import (
    ChannelConfigError,
    PermanentDeliveryError,
    RetryableDeliveryError,
    SmsMessage,
    SmsStatus,
    UnknownOutcomeError,
)
from notifications.twilio_sms import TwilioSmsSender
from tests.twilio_double import TwilioDouble, num_segments

MOBILE = "+447700900123"
OTHER_MOBILE = "+447700900456"
FROM = "+447700900000"
SERVICE = "MG" + "ab" * 16
BODY = "Transport for Amy ends on 31 August. Renew at https://council.example/renew"


@pytest.fixture
def double() -> Iterator[TwilioDouble]:
    with TwilioDouble() as running:
        yield running


def make_sender(double: TwilioDouble, **overrides: Any) -> TwilioSmsSender:
    options: dict[str, Any] = {
        "account_sid": double.account_sid,
        "auth_token": double.auth_token,
        "from_number": FROM,
        "api_base_url": double.url,
        "timeout_seconds": 5.0,
    }
    options.update(overrides)
    return TwilioSmsSender(**options)


def sms(to: str = MOBILE, body: str = BODY) -> SmsMessage:
    return SmsMessage(to=to, body=body, reference="outbox-42")


# --- sending --------------------------------------------------------------------------


def test_send_returns_the_sid_and_twilio_receives_to_body_and_from(double: TwilioDouble) -> None:
    sid = make_sender(double).send(sms())

    assert re.fullmatch(r"SM[0-9a-f]{32}", sid)
    [sent] = double.sent
    assert (sent.sid, sent.to, sent.body, sent.from_) == (sid, MOBILE, BODY, FROM)
    assert sent.messaging_service_sid is None


def test_send_through_a_messaging_service(double: TwilioDouble) -> None:
    sender = make_sender(double, from_number="", messaging_service_sid=SERVICE)

    sid = sender.send(sms())

    [sent] = double.sent
    assert (sent.sid, sent.messaging_service_sid, sent.from_) == (sid, SERVICE, None)


def test_status_callbacks_are_asked_for_when_the_service_has_an_address(
    double: TwilioDouble,
) -> None:
    url = "https://transport.council.example/callbacks/twilio/status"
    make_sender(double, status_callback=url).send(sms())
    make_sender(double).send(sms())

    assert [sent.status_callback for sent in double.sent] == [url, None]


def test_a_base_url_with_a_trailing_slash_still_reaches_the_double(double: TwilioDouble) -> None:
    make_sender(double, api_base_url=double.url + "/").send(sms())

    assert double.requests == [("POST", f"/2010-04-01/Accounts/{double.account_sid}/Messages.json")]


@pytest.mark.parametrize(
    "body", ["Amy O'Brien’s bus 🚌 ends 31/08 — renew now", "Zoë & Siân: “£5”"]
)
def test_the_body_arrives_unchanged(double: TwilioDouble, body: str) -> None:
    sender = make_sender(double)
    sid = sender.send(sms(body=body))

    assert double.sent[0].body == body
    assert sender.find(MOBILE, body, datetime.now(UTC)) == sid


def test_the_double_counts_segments_like_twilio() -> None:
    assert num_segments("a" * 160) == 1
    assert num_segments("a" * 161) == 2
    assert num_segments("a" * 70 + "🚌") == 2  # one emoji: UCS-2, 70 code units a segment
    assert num_segments("€" * 80) == 1  # extension characters take two septets


def test_a_wrong_auth_token_is_the_channels_configuration_not_the_message(
    double: TwilioDouble,
) -> None:
    with pytest.raises(ChannelConfigError) as caught:
        make_sender(double, auth_token="not-the-token").send(sms())

    error = caught.value
    assert (error.code, error.channel) == ("20003", "sms")
    assert error.setting == "TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN"
    assert "TWILIO_AUTH_TOKEN" in str(error) and "20003" in str(error)
    assert "not-the-token" not in str(error) and MOBILE not in str(error)
    assert not isinstance(error, PermanentDeliveryError | RetryableDeliveryError)
    assert double.sent == []


def test_a_401_without_a_code_is_bad_credentials_too(double: TwilioDouble) -> None:
    double.fail_next(401, None, "Unauthorized")

    with pytest.raises(ChannelConfigError) as caught:
        make_sender(double).send(sms())

    assert caught.value.setting == "TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN"


def test_wrong_credentials_on_a_look_up_are_a_configuration_error(double: TwilioDouble) -> None:
    sender = make_sender(double, auth_token="not-the-token")

    with pytest.raises(ChannelConfigError):
        sender.status("SM" + "0" * 32)
    with pytest.raises(ChannelConfigError):
        sender.find(MOBILE, BODY, datetime.now(UTC))


@pytest.mark.parametrize("code", [21606, 21212, 21659])
def test_a_from_number_that_is_not_ours_names_sms_from_number(
    double: TwilioDouble, code: int
) -> None:
    double.fail_next(400, code, f"The From phone number {FROM} is not valid for {MOBILE}")

    with pytest.raises(ChannelConfigError) as caught:
        make_sender(double).send(sms())

    error = caught.value
    assert (error.channel, error.setting, error.code) == ("sms", "sms.from_number", str(code))
    assert MOBILE not in str(error) and FROM not in str(error)
    assert double.sent == []


@pytest.mark.parametrize(("status", "code"), [(404, 20404), (400, 21701)])
def test_an_unknown_messaging_service_names_its_setting(
    double: TwilioDouble, status: int, code: int
) -> None:
    double.fail_next(status, code, "The requested resource was not found")
    sender = make_sender(double, from_number="", messaging_service_sid=SERVICE)

    with pytest.raises(ChannelConfigError) as caught:
        sender.send(sms())

    assert caught.value.setting == "sms.messaging_service_sid"
    assert double.sent == []


@pytest.mark.parametrize(
    ("code", "channel_status"),
    [(21610, "opted_out"), (21211, "invalid"), (21614, "invalid"), (21408, None)],
)
def test_permanent_refusals_say_what_they_mean_for_the_number(
    double: TwilioDouble, code: int, channel_status: str | None
) -> None:
    double.fail_next(400, code, f"Twilio error {code}")

    with pytest.raises(PermanentDeliveryError) as caught:
        make_sender(double).send(sms())

    assert (caught.value.code, caught.value.channel_status) == (str(code), channel_status)
    assert double.sent == []


def test_a_number_that_is_not_e164_is_invalid(double: TwilioDouble) -> None:
    with pytest.raises(PermanentDeliveryError) as caught:
        make_sender(double).send(sms(to="07700 900123"))

    assert (caught.value.code, caught.value.channel_status) == ("21211", "invalid")


def test_an_opted_out_number_fails_while_others_go(double: TwilioDouble) -> None:
    double.reject_number(OTHER_MOBILE, 400, 21610)
    sender = make_sender(double)

    with pytest.raises(PermanentDeliveryError) as caught:
        sender.send(sms(to=OTHER_MOBILE))
    sender.send(sms(to=MOBILE))

    assert caught.value.channel_status == "opted_out"
    assert [s.to for s in double.sent] == [MOBILE]


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, None), (503, 20503)])
def test_rate_limits_and_server_errors_are_retryable(
    double: TwilioDouble, status: int, code: int | None
) -> None:
    double.fail_next(status, code, "Too many requests" if status == 429 else "Internal error")
    sender = make_sender(double)

    with pytest.raises(RetryableDeliveryError) as caught:
        sender.send(sms())
    assert caught.value.code == str(status)
    assert not isinstance(caught.value, UnknownOutcomeError)
    sender.send(sms())  # the failure was for one request only
    assert len(double.sent) == 1


def test_a_read_timeout_is_an_unknown_outcome_that_find_can_settle(double: TwilioDouble) -> None:
    since = datetime.now(UTC)
    sender = make_sender(double, timeout_seconds=0.5)
    double.delay_next(3)

    started = time.monotonic()
    with pytest.raises(UnknownOutcomeError):
        sender.send(sms())

    assert time.monotonic() - started < 2.5  # the timeout, not the delay, ended the wait
    [sent] = double.sent  # Twilio did create it: resending would send it twice
    assert sender.find(MOBILE, BODY, since) == sent.sid


def test_a_refused_connection_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nobody listens
    sender = TwilioSmsSender(
        account_sid="AC" + "0" * 32,
        auth_token="token",
        from_number=FROM,
        api_base_url=f"http://127.0.0.1:{port}",
        timeout_seconds=2,
    )

    with pytest.raises(RetryableDeliveryError) as caught:
        sender.send(sms())
    assert not isinstance(caught.value, UnknownOutcomeError)


# --- delivery status ------------------------------------------------------------------


def test_status_follows_the_message_from_queued_to_delivered(double: TwilioDouble) -> None:
    sender = make_sender(double)
    sid = sender.send(sms())

    assert sender.status(sid) == SmsStatus("queued", None)
    double.set_status(sid, "delivered")
    delivered = sender.status(sid)

    assert delivered == SmsStatus("delivered", None)
    assert delivered.final and not delivered.failed


def test_an_undelivered_message_reports_its_error_code(double: TwilioDouble) -> None:
    sender = make_sender(double)
    sid = sender.send(sms())
    double.set_status(sid, "undelivered", error_code=30003)

    status = sender.status(sid)

    assert status == SmsStatus("undelivered", "30003")
    assert status.final and status.failed


def test_status_of_an_unknown_sid_is_permanent(double: TwilioDouble) -> None:
    with pytest.raises(PermanentDeliveryError) as caught:
        make_sender(double).status("SM" + "0" * 32)
    assert caught.value.code == "20404"
    with pytest.raises(PermanentDeliveryError):
        make_sender(double).status("../Messages")


def test_status_look_up_failures_are_retryable_not_unknown(double: TwilioDouble) -> None:
    sender = make_sender(double, timeout_seconds=0.5)
    sid = sender.send(sms())
    double.fail_next(500, None, "Internal error")
    double.delay_next(3)

    for _ in range(2):  # a 500, then a read timeout: a look-up changes nothing
        with pytest.raises(RetryableDeliveryError) as caught:
            sender.status(sid)
        assert not isinstance(caught.value, UnknownOutcomeError)


# --- finding a message after a crash --------------------------------------------------


def test_find_returns_the_sid_of_the_same_body_sent_since(double: TwilioDouble) -> None:
    sender = make_sender(double)
    since = datetime.now(UTC)
    sender.send(sms(body="an older, different reminder"))
    sid = sender.send(sms())
    sender.send(sms(to=OTHER_MOBILE))

    assert sender.find(MOBILE, BODY, since) == sid
    # the same moment in another zone (the client would print local time as "Z")
    assert sender.find(MOBILE, BODY, since.astimezone(timezone(timedelta(hours=5)))) == sid


def test_find_returns_none_when_nothing_matches(double: TwilioDouble) -> None:
    sender = make_sender(double)
    sender.send(sms())
    now = datetime.now(UTC)

    assert sender.find(MOBILE, "another body", now) is None
    assert sender.find(OTHER_MOBILE, BODY, now) is None
    assert sender.find(MOBILE, BODY, now + timedelta(minutes=10)) is None  # sent before since


def test_find_looks_beyond_the_first_page(double: TwilioDouble) -> None:
    sender = make_sender(double)
    since = datetime.now(UTC)
    first = sender.send(sms(body="the first one"))
    for n in range(60):
        sender.send(sms(body=f"later message {n}"))

    assert sender.find(MOBILE, "the first one", since) == first
    assert sum(1 for method, _ in double.requests if method == "GET") == 2


def test_find_needs_an_aware_since(double: TwilioDouble) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_sender(double).find(MOBILE, BODY, datetime(2025, 9, 1, 12, 0))


def test_find_failures_are_retryable(double: TwilioDouble) -> None:
    double.fail_next(503, 20503, "Service unavailable")

    with pytest.raises(RetryableDeliveryError) as caught:
        make_sender(double).find(MOBILE, BODY, datetime.now(UTC))
    assert caught.value.code == "503"


def test_the_double_filters_lists_by_date_sent_like_twilio(double: TwilioDouble) -> None:
    sid = make_sender(double).send(sms())
    auth = base64.b64encode(f"{double.account_sid}:{double.auth_token}".encode()).decode()

    def listed(query: dict[str, str]) -> list[str]:
        url = f"{double.url}/2010-04-01/Accounts/{double.account_sid}/Messages.json"
        request = urllib.request.Request(
            f"{url}?{urllib.parse.urlencode({'To': MOBILE, **query})}",
            headers={"Authorization": f"Basic {auth}"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return [m["sid"] for m in json.load(response)["messages"]]

    today = datetime.now(UTC).strftime("%Y-%m-%d")
    in_an_hour = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed({}) == [sid]
    assert listed({"DateSent>": today}) == []  # queued: no date_sent yet
    double.set_status(sid, "sent")
    assert listed({"DateSent>": today}) == [sid]
    assert listed({"DateSent>": in_an_hour}) == []


# --- privacy --------------------------------------------------------------------------


def test_neither_the_number_nor_the_body_is_logged_or_put_in_errors(
    double: TwilioDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # ours and twilio's loggers (urllib3's DEBUG shows URLs)
    sender = make_sender(double)
    sid = sender.send(sms())
    sender.find(MOBILE, BODY, datetime.now(UTC) - timedelta(minutes=1))
    double.fail_next(400, 21211, f"The 'To' number {MOBILE} is not a valid phone number.")
    with pytest.raises(PermanentDeliveryError) as caught:
        sender.send(sms())

    ours = [r for r in caplog.records if not r.name.startswith("urllib3")]
    shown = "\n".join(r.getMessage() for r in ours) + str(caught.value)
    assert sid in shown
    for secret in (MOBILE, MOBILE.replace("+", "%2B"), "Renew at", double.auth_token):
        assert secret not in shown


# --- configuration --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"account_sid": ""}, "TWILIO_ACCOUNT_SID"),
        ({"auth_token": " "}, "TWILIO_AUTH_TOKEN"),
        ({"from_number": ""}, "exactly one"),
        ({"messaging_service_sid": SERVICE}, "exactly one"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"api_base_url": "127.0.0.1:8123"}, "api_base_url"),
        ({"api_base_url": "http://127.0.0.1:8123/?edge=x"}, "api_base_url"),
    ],
)
def test_bad_settings_are_refused_by_name(overrides: dict[str, Any], message: str) -> None:
    options: dict[str, Any] = {
        "account_sid": "AC" + "0" * 32,
        "auth_token": "token",
        "from_number": FROM,
    }
    options.update(overrides)

    with pytest.raises(ValueError, match=message):
        TwilioSmsSender(**options)


def test_a_base_url_with_a_path_prefix_keeps_the_api_path(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def record(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> None:
        seen.append(url)

    monkeypatch.setattr(twilio_sms.TwilioHttpClient, "request", record)
    client = twilio_sms._HttpClient("http://127.0.0.1:8123/twilio", timeout=1.0)
    client.request("GET", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?To=x")
    assert seen == ["http://127.0.0.1:8123/twilio/2010-04-01/Accounts/AC1/Messages.json?To=x"]


def test_threads_share_one_sender_and_each_message_goes_once(double: TwilioDouble) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sender = make_sender(double)
    bodies = [f"Message {n}: transport ends soon" for n in range(24)]
    with ThreadPoolExecutor(4) as pool:
        sids = list(pool.map(lambda body: sender.send(sms(body=body)), bodies))
    assert len(set(sids)) == len(bodies)
    assert sorted(sent.body for sent in double.sent) == sorted(bodies)
    assert {sent.sid for sent in double.sent} == set(sids)
