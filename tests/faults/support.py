"""What the fault-injection tests share: the real CLI run as a user runs it, a config for
the local SMTP server and Twilio double, the bundle's personal data and the check that no
output holds it (nor a traceback), and what arrived at the servers, per outbox message."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url

from tests.smtp_server import SmtpServer
from tests.twilio_double import TwilioDouble
from transport.db.tables import OutboxMessage

TRACEBACK = "Traceback (most recent call last)"
COMMAND_TIMEOUT = 60.0  # no command of these tests may take longer
SMTP_USER, SMTP_PASSWORD = "transport", "right-password"
# A record's tables, counted before and after a fault ("nothing half-written").
RECORD_TABLES = (
    "schools", "terms", "pupils", "contacts", "pupil_contacts", "awards", "applications",
    "arrangements",
)  # fmt: skip


@dataclass
class Run:
    args: list[str]
    code: int
    out: str  # stdout and stderr together, as a person at a terminal sees them
    stdout: str = ""

    def json(self) -> Any:
        return json.loads(self.stdout)


# -- the command line, as a user runs it ----------------------------------------------------


def environment(
    db_url: str,
    config: Path,
    *,
    smtp_user: str = SMTP_USER,
    smtp_password: str = SMTP_PASSWORD,
    twilio: TwilioDouble | None = None,
    twilio_token: str | None = None,
) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRANSPORT_", "TWILIO_", "SMTP_"))
    }
    env.update(
        TRANSPORT_DATABASE_URL=db_url,
        TRANSPORT_CONFIG=str(config),
        SMTP_USERNAME=smtp_user,
        SMTP_PASSWORD=smtp_password,
        COLUMNS="200",
    )
    if twilio is not None:
        env["TWILIO_ACCOUNT_SID"] = twilio.account_sid
        env["TWILIO_AUTH_TOKEN"] = twilio.auth_token if twilio_token is None else twilio_token
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


def run(env: Mapping[str, str], *args: str, cwd: Path, timeout: float = COMMAND_TIMEOUT) -> Run:
    done = subprocess.run(
        command(*args), cwd=cwd, env=dict(env), capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return Run(list(args), done.returncode, done.stdout + done.stderr, done.stdout)


def start(env: Mapping[str, str], *args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(*args), cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def finish(process: subprocess.Popen[str], args: Iterable[str]) -> Run:
    try:
        out, err = process.communicate(timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate(timeout=10)
        raise AssertionError(f"{list(args)} did not end in {COMMAND_TIMEOUT} s") from None
    return Run(list(args), process.returncode, out + err, out)


def kill(process: subprocess.Popen[str], args: Iterable[str]) -> Run:
    """SIGKILL, as the out-of-memory killer or a pulled plug does; what it printed so far."""
    assert process.poll() is None, "the command had already ended: not killed mid-run"
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    return Run(list(args), process.returncode, out + err, out)


def wait_for(
    condition: Callable[[], bool], *, timeout: float, what: str, step: float = 0.01
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(step)


def smtp_with_login() -> SmtpServer:
    """The local SMTP server, requiring our login as a council's relay does."""
    server = SmtpServer()
    server.require_auth(SMTP_USER, SMTP_PASSWORD)
    return server


def write_config(
    tmp_path: Path,
    *,
    smtp: SmtpServer | None = None,
    twilio: TwilioDouble | None = None,
    email_timeout: float = 5.0,
    sms_timeout: float = 5.0,
    retry_base_seconds: float = 60.0,
    per_second: float = 0.0,
    workers: int = 2,
    batch_size: int = 20,
) -> Path:
    """A council's config for these tests: the real SMTP server and the Twilio double, no
    quiet hours (the tests run at any hour), a short stale lease."""
    email = (
        f'backend = "smtp"\nhost = "127.0.0.1"\nport = {smtp.port}\nstarttls = false\n'
        f"timeout_seconds = {email_timeout}\n"
        if smtp
        else f'backend = "file"\noutbox_dir = "{tmp_path / "outbox"}"\n'
    )
    sms = (
        f'backend = "twilio"\nfrom_number = "+447700900001"\napi_base_url = "{twilio.url}"\n'
        f"timeout_seconds = {sms_timeout}\n"
        if twilio
        else 'backend = "file"\n'
    )
    path = tmp_path / "transport.toml"
    path.write_text(
        f"""[email]
{email}
[sms]
{sms}
[sending]
quiet_hours = []
no_sms_on_sundays = false
email_per_second = {per_second}
sms_per_second = {per_second}
retry_base_seconds = {retry_base_seconds}
retry_cap_seconds = 600.0
max_attempts = 8
stale_after_seconds = 1
batch_size = {batch_size}
workers = {workers}

[logging]
level = "INFO"
"""
    )
    return path


def through(db_url: str, port: int) -> str:
    """The same database, reached through a proxy on 127.0.0.1:port."""
    url = make_url(db_url).set(host="127.0.0.1", port=port)
    return url.render_as_string(hide_password=False)


# -- personal data ----------------------------------------------------------------------------

NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
DIGITS = re.compile(r"\+?\d[\d ()-]{5,}\d")
DATES = re.compile(r"\d{4}-\d\d-\d\d|\d\d/\d\d/\d{4}|\d{1,2} [A-Z][a-z]+ \d{4}")


@dataclass
class Personal:
    """Everything personal in a bundle, in the forms it may be printed in."""

    names: set[str] = field(default_factory=set)  # every word of a child's or parent's name
    full_names: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)  # national significant numbers (digits)
    dates: set[str] = field(default_factory=set)

    @classmethod
    def of_bundle(cls, folder: Path) -> Personal:
        found = cls()
        with (folder / "pupils.csv").open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                found._name(f"{row['first_name']} {row['last_name']}")
                found._date(row["date_of_birth"])
        with (folder / "contacts.csv").open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                found._name(row["name"])
                if row["email"]:
                    found.emails.add(row["email"].strip().lower())
                if row["mobile"]:
                    found._number(row["mobile"])
        return found

    def _name(self, name: str) -> None:
        name = " ".join(name.split())
        if name:
            self.full_names.add(name)
            self.names.update(word for word in NAME_WORD.findall(name) if len(word) >= 3)

    def _date(self, value: str) -> None:
        if not value:
            return
        day = date.fromisoformat(value)
        self.dates.update(
            {value, day.strftime("%d/%m/%Y"), f"{day.day} {day:%B %Y}", f"{day:%d %B %Y}"}
        )

    def _number(self, value: str) -> None:
        try:
            parsed = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            self.numbers.add(re.sub(r"\D", "", value))
            return
        self.numbers.add(str(parsed.national_number))

    def found_in(self, output: str) -> list[str]:
        """The personal data ``output`` holds (kinds and values, for the failure message)."""
        hits: list[str] = []
        hits += [f"name {w!r}" for w in sorted(set(NAME_WORD.findall(output)) & self.names)]
        hits += [f"name {n!r}" for n in sorted(self.full_names) if len(n) > 40 and n in output]
        hits += [f"email {e!r}" for e in {m.lower() for m in EMAIL.findall(output)} & self.emails]
        hits += [f"date of birth {d!r}" for d in set(DATES.findall(output)) & self.dates]
        for run_ in DIGITS.findall(output):
            digits = re.sub(r"\D", "", run_)
            for size in {len(n) for n in self.numbers}:
                for i in range(len(digits) - size + 1):
                    if digits[i : i + size] in self.numbers:
                        hits.append(f"mobile {run_!r}")
        return hits


def assert_clean(runs: Iterable[Run], personal: Personal) -> None:
    """No output of any command holds a traceback or a personal datum. The one exception
    is `outbox list`: the team's view of its messages shows each one's `to` (the listing's
    contract in reminders.md), so only its lack of a traceback is checked."""
    for ran in runs:
        assert TRACEBACK not in ran.out, f"traceback in the output of {ran.args}:\n{ran.out}"
        if ran.args[:2] == ["outbox", "list"]:
            continue
        hits = personal.found_in(ran.out)
        assert not hits, f"personal data in the output of {ran.args}: {hits[:10]}\n{ran.out}"


def one_sentence(ran: Run) -> None:
    """An expected failure is said in one line beginning ``error:``."""
    lines = [line for line in ran.out.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, f"{ran.args}: expected one error sentence, got:\n{ran.out}"


# -- the database, read by the test directly ---------------------------------------------------


def counts(engine: Engine, tables: Iterable[str] = RECORD_TABLES) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in tables
        }


def outbox_rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(OutboxMessage.__table__).order_by("id")).all())


def statuses(engine: Engine) -> Counter[str]:
    return Counter(row.status for row in outbox_rows(engine))


def outbox_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(OutboxMessage)).scalar_one())


def job_runs(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT * FROM job_runs ORDER BY id")).all())


# -- what arrived ---------------------------------------------------------------------------


def arrivals(engine: Engine, smtp: SmtpServer, twilio: TwilioDouble | None) -> Counter[int]:
    """How many times each outbox message arrived at its server, by outbox id: an email by
    its X-Transport-Reference header, an SMS by its number and text."""
    seen: Counter[int] = Counter()
    for received in smtp.received:
        reference = str(received.message["X-Transport-Reference"] or "")
        assert reference.startswith("outbox-"), reference
        seen[int(reference.removeprefix("outbox-"))] += 1
    if twilio is not None:
        by_text = {(row.to_address, row.body_text.strip()): row.id for row in outbox_rows(engine)}
        for sms in twilio.sent:
            seen[by_text[(sms.to, sms.body.strip())]] += 1
    return seen


def assert_each_sent_once(engine: Engine, smtp: SmtpServer, twilio: TwilioDouble | None) -> None:
    """Every message is `sent` and arrived exactly once, but an email whose outcome was
    unknown (left for the team: it arrived at most once)."""
    seen = arrivals(engine, smtp, twilio)
    rows = outbox_rows(engine)
    twice = {k: v for k, v in seen.items() if v > 1}
    assert not twice, f"sent more than once: {twice}"
    for row in rows:
        if row.status == "unknown":
            assert row.channel == "email", f"an unknown SMS was not reconciled: {row.id}"
            assert seen[row.id] <= 1
        else:
            assert row.status == "sent", (row.id, row.channel, row.status, row.error_message)
            assert seen[row.id] == 1, f"message {row.id} is sent but arrived {seen[row.id]} times"
