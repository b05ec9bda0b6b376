"""What one `outbox send` run says of itself (issue 23.12): it exits 1 when it found an
outcome unknown (a message a stopped dispatcher left `sending`), and two runs at once
each report only their own messages. On SQLite or PostgreSQL, with fakes of our own
sending ports."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli import app as cli
from notifications.ports import EmailMessage
from services.app import App, build
from services.sending import send_run
from tests.fakes import FakeEmail, FakeSms
from tests.integration.test_dispatch import queue, rows
from transport.clock import FixedClock
from transport.config import Config, DatabaseConfig, SendingConfig
from transport.db.engine import writer
from transport.db.tables import OutboxMessage

TUESDAY_10AM = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)


def app_with(db_url: str, email: Any, sms: Any) -> App:
    config = dataclasses.replace(
        Config(), database=DatabaseConfig(url=db_url), sending=SendingConfig(workers=1)
    )
    return build(config, clock=FixedClock(TUESDAY_10AM), email=email, sms=sms)


def test_a_run_that_finds_an_outcome_unknown_exits_1(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """A dispatcher killed mid-send left an email `sending`, attempted: the next run
    cannot know whether it went. It says so, and exits 1 (the README's rule)."""
    message_id = queue(engine, None, "email", "k1", at=TUESDAY_10AM - timedelta(hours=1))
    with writer(engine).begin() as conn:
        stopped = TUESDAY_10AM - timedelta(hours=1)
        conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status="sending", claimed_at=stopped, attempted_at=stopped, attempts=1,
                    claim_token="dead")
        )  # fmt: skip
    config = tmp_path / "transport.toml"
    config.write_text(f'[email]\noutbox_dir = "{tmp_path / "outbox"}"\n')
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": str(config)}

    result = CliRunner().invoke(cli, ["outbox", "send", "--format", "json"], env=env)

    assert result.exit_code == 1, result.stdout + result.stderr
    assert [row["status"] for row in rows(engine)] == ["unknown"]
    again = CliRunner().invoke(cli, ["outbox", "send"], env=env)
    assert again.exit_code == 0  # not found again: it is the team's to resolve now


class SendsTheOtherRunFirst(FakeEmail):
    """While this run sends its first message, another run (another process, say) sends
    every other due message."""

    other: App | None = None

    def send(self, message: EmailMessage) -> str:
        if self.other is not None:
            other, self.other = self.other, None
            send_run(other)
        return super().send(message)


def test_two_runs_at_once_each_report_only_their_own_messages(engine: Engine, db_url: str) -> None:
    for index in range(5):
        queue(engine, None, "email", f"e{index}")
    ours = SendsTheOtherRunFirst()
    theirs = FakeEmail()
    ours.other = app_with(db_url, theirs, FakeSms())

    run = send_run(app_with(db_url, ours, FakeSms()), limit=1)

    assert (len(ours.sent), len(theirs.sent)) == (1, 4)
    assert run.report.sent == 1
    assert run.by_channel == {"email": {("sent", ""): 1}}
    assert {row["status"] for row in rows(engine)} == {"sent"}
