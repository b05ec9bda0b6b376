"""`transport channels check`, as a council runs it before going live: against the local
SMTP server (with STARTTLS and a login), the Twilio double and the Notify double, each
working and each broken. It sends nothing, says channel by channel what is ready and
what is not, naming the setting to fix, and exits 2 when one is not ready."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.support import SMTP_PASSWORD, SMTP_USER, environment, run
from tests.notify_double import NotifyDouble
from tests.smtp_server import SmtpServer, make_test_certificate, server_tls_context
from tests.twilio_double import TwilioDouble


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    made = make_test_certificate(tmp_path_factory.mktemp("tls"))
    assert made is not None, "openssl is needed to make the test certificate"
    return made


@pytest.fixture
def smtp(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = SmtpServer(tls_context=server_tls_context(*certificate))
    server.require_auth(SMTP_USER, SMTP_PASSWORD)
    with server:
        yield server


@pytest.fixture
def twilio() -> Iterator[TwilioDouble]:
    with TwilioDouble() as double:
        yield double


@pytest.fixture
def notify() -> Iterator[NotifyDouble]:
    with NotifyDouble() as double:
        yield double


def check(
    tmp_path: Path, email: str, sms: str, env: dict[str, str], letter: str = 'backend = "file"\n'
) -> tuple[int, str, Any]:
    config = tmp_path / "transport.toml"
    config.write_text(f"[email]\n{email}\n[letter]\n{letter}\n[sms]\n{sms}\n")
    base = environment(f"sqlite:///{tmp_path / 'none.db'}", config)
    done = run({**base, **env}, "channels", "check", cwd=tmp_path)
    as_json = run({**base, **env}, "channels", "check", "--format", "json", cwd=tmp_path)
    assert as_json.code == done.code, as_json.out
    return done.code, done.out, as_json.json()


def smtp_section(smtp: SmtpServer, *, starttls: bool = True) -> str:
    return (
        f'backend = "smtp"\nhost = "127.0.0.1"\nport = {smtp.port}\n'
        f"starttls = {'true' if starttls else 'false'}\ntimeout_seconds = 5.0\n"
    )


def twilio_section(twilio: TwilioDouble, sender: str = 'from_number = "+447700900001"') -> str:
    return f'backend = "twilio"\n{sender}\napi_base_url = "{twilio.url}"\n'


def notify_sections(notify: NotifyDouble, *, email_template: str | None = None) -> tuple[str, str]:
    common = f'\n[notify]\nbase_url = "{notify.url}"\n'
    common += f'email_template_id = "{email_template or notify.email_template}"\n'
    common += f'sms_template_id = "{notify.sms_template}"\n'
    common += f'letter_template_id = "{notify.letter_template}"\n'
    return 'backend = "notify"\n', 'backend = "notify"\n' + common


def test_smtp_with_tls_and_twilio_ready(
    tmp_path: Path, smtp: SmtpServer, twilio: TwilioDouble, certificate: tuple[Path, Path]
) -> None:
    env = {
        "SSL_CERT_FILE": str(certificate[0]),  # the council's CA: trusts the test server
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
    }
    code, out, found = check(tmp_path, smtp_section(smtp), twilio_section(twilio), env)

    assert code == 0, out
    assert [(c["channel"], c["backend"], c["ready"]) for c in found] == [
        ("email", "smtp", True),
        ("sms", "twilio", True),
        ("letter", "file", True),
    ]
    assert "TLS, logged in as transport" in found[0]["detail"]
    assert "+447700900001" in found[1]["detail"]
    assert smtp.received == [] and twilio.sent == []  # nothing sent
    assert any(ok for _, ok in smtp.auth_attempts)


def test_a_wrong_password_untrusted_tls_and_bad_twilio_are_each_named(
    tmp_path: Path, smtp: SmtpServer, twilio: TwilioDouble, certificate: tuple[Path, Path]
) -> None:
    env = {
        "SSL_CERT_FILE": str(certificate[0]),
        "SMTP_PASSWORD": "wrong",
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": "wrong",
    }
    code, out, found = check(tmp_path, smtp_section(smtp), twilio_section(twilio), env)
    assert code == 2, out
    assert [(c["ready"], c["setting"]) for c in found] == [
        (False, "SMTP_USERNAME / SMTP_PASSWORD"),
        (False, "TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN"),
        (True, None),
    ]
    assert "NOT READY" in out and "wrong" not in out

    untrusted = {"SSL_CERT_FILE": str(tmp_path / "no-such-ca.pem")}
    code, out, found = check(tmp_path, smtp_section(smtp), 'backend = "file"\n', untrusted)
    assert code == 2, out
    assert (found[0]["ready"], found[0]["setting"]) == (False, "email.starttls")
    assert "TLS handshake" in found[0]["detail"]
    assert (found[1]["backend"], found[1]["ready"]) == ("file", True)


def test_a_twilio_sender_that_is_not_the_accounts_is_named(
    tmp_path: Path, twilio: TwilioDouble
) -> None:
    env = {"TWILIO_ACCOUNT_SID": twilio.account_sid, "TWILIO_AUTH_TOKEN": twilio.auth_token}
    for sender, setting in (
        ('from_number = "+447700900777"', "sms.from_number"),
        (f'messaging_service_sid = "MG{"00" * 16}"', "sms.messaging_service_sid"),
    ):
        code, out, found = check(
            tmp_path, 'backend = "file"\n', twilio_section(twilio, sender), env
        )
        assert code == 2, out
        assert (found[1]["ready"], found[1]["setting"]) == (False, setting)
    ok = twilio_section(twilio, f'messaging_service_sid = "MG{"ab" * 16}"')
    code, out, _ = check(tmp_path, 'backend = "file"\n', ok, env)
    assert code == 0, out


def test_notify_ready_then_a_wrong_key_a_missing_key_and_a_bad_template(
    tmp_path: Path, notify: NotifyDouble
) -> None:
    email, sms = notify_sections(notify)
    letter = 'backend = "notify"\n'
    key = {"NOTIFY_API_KEY": notify.key("live")}
    code, out, found = check(tmp_path, email, sms, key, letter)
    assert code == 0, out
    assert [(c["backend"], c["ready"]) for c in found] == [("notify", True)] * 3
    assert "School transport (email)" in found[0]["detail"]
    assert "School transport (letter)" in found[2]["detail"]
    assert notify.sent() == []

    wrong = f"k-{notify.service.id}-00000000-0000-4000-8000-000000000000"
    code, out, found = check(tmp_path, email, sms, {"NOTIFY_API_KEY": wrong}, letter)
    assert code == 2 and [c["setting"] for c in found] == ["NOTIFY_API_KEY"] * 3, out
    assert "00000000-0000-4000-8000" not in out

    code, out, found = check(tmp_path, email, sms, {})
    assert code == 2 and "NOTIFY_API_KEY is not set" in out, out

    plain = notify.add_template("email", "Dear parent, see the website", subject="Transport")
    email, sms = notify_sections(notify, email_template=plain)
    code, out, found = check(tmp_path, email, sms, {"NOTIFY_API_KEY": notify.key("live")})
    assert code == 2, out
    assert [(c["ready"], c["setting"]) for c in found] == [
        (False, "notify.email_template_id"),
        (True, None),
        (True, None),
    ]
    assert "((subject))" in found[0]["detail"] and "((body))" in found[0]["detail"]
