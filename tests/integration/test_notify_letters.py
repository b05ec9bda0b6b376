"""Letters through GOV.UK Notify (the local double), on a real database: the address block
as Notify wants it (the contact's name first, the postcode last), `received` (printed and
posted) recorded as posted and telling the family their transport details, a letter
Notify cannot print failing, and a team key stopping the channel with the letter queued.

The family and dates are those of tests/integration/test_letters.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from services.app import App, build
from services.inform import inform
from services.sending import poll_delivery, send_run
from tests.fakes import FakeEmail, FakeSms
from tests.integration.test_letters import ADDRESS, at, letters, load
from tests.notify_double import NotifyDouble
from transport.clock import FixedClock
from transport.config import Config, CouncilConfig, DatabaseConfig, EmailConfig, Secrets
from transport.config_reach import LetterConfig
from transport.config_web import NotifyConfig
from transport.db.tables import Arrangement

DETAILS_DAY = date(2026, 8, 13)  # Thu, three weeks before the first day


@pytest.fixture
def double() -> Iterator[NotifyDouble]:
    with NotifyDouble() as running:
        yield running


def notify_app(db_url: str, tmp_path: Path, double: NotifyDouble, kind: str = "live") -> App:
    config = dataclasses.replace(
        Config(),
        database=DatabaseConfig(url=db_url),
        council=dataclasses.replace(CouncilConfig(), name="Northshire County Council"),
        email=dataclasses.replace(EmailConfig(), outbox_dir=str(tmp_path / "outbox")),
        letter=LetterConfig(backend="notify"),
        notify=NotifyConfig(base_url=double.url, letter_template_id=double.letter_template),
        secrets=Secrets(notify_api_key=double.key(kind)),
    )
    clock = FixedClock(datetime(2026, 5, 26, 9, 0, tzinfo=UTC))
    return build(config, clock=clock, email=FakeEmail(), sms=FakeSms())


@pytest.fixture
def app(db_url: str, engine: Engine, tmp_path: Path, double: NotifyDouble) -> Iterator[App]:
    built = notify_app(db_url, tmp_path, double)
    yield built
    built.close()


def informed(engine: Engine) -> tuple[date | None, str | None]:
    with engine.connect() as conn:
        row = conn.execute(select(Arrangement.family_informed_on, Arrangement.informed_by)).one()
    return row[0], row[1]


def test_a_details_letter_goes_to_notify_and_tells_the_family_once_posted(
    app: App, engine: Engine, tmp_path: Path, double: NotifyDouble
) -> None:
    load(engine, tmp_path / "b", year="2026/27", family_informed_on="")
    inform(app, at(app, DETAILS_DAY))
    run = send_run(app)

    assert run.report.sent == 1 and not run.report.channels_down
    (letter,) = letters(engine)
    (sent,) = double.sent("letter")
    lines = [sent["_personalisation"].get(f"address_line_{n}") for n in range(1, 8)]
    assert [line for line in lines if line] == ADDRESS  # the name first, the postcode last
    assert (sent["reference"], sent["subject"]) == (f"outbox-{letter['id']}", letter["subject"])
    assert sent["body"] == letter["body_text"]
    assert (letter["status"], letter["provider_id"]) == ("sent", sent["id"])
    assert not (tmp_path / "outbox" / "letters").exists()  # nothing for the post room

    assert poll_delivery(app).pending == 1  # accepted: at the printer
    assert informed(engine) == (None, None)
    double.set_status(sent["id"], "received")
    at(app, date(2026, 8, 14))
    report = poll_delivery(app)

    assert report.posted == 1
    (letter,) = letters(engine)
    assert (letter["status"], letter["posted_on"]) == ("sent", date(2026, 8, 14))
    assert informed(engine) == (date(2026, 8, 14), f"message {letter['id']}")
    assert poll_delivery(app).checked == 0  # posted: nothing more to ask


def test_a_letter_notify_cannot_print_fails(
    app: App, engine: Engine, tmp_path: Path, double: NotifyDouble
) -> None:
    load(engine, tmp_path / "b", year="2026/27", family_informed_on="")
    inform(app, at(app, DETAILS_DAY))
    send_run(app)
    (sent,) = double.sent("letter")
    double.set_status(sent["id"], "validation-failed")

    report = poll_delivery(app)

    (letter,) = letters(engine)
    assert (report.undelivered, letter["status"], letter["error_code"]) == (
        1,
        "failed_permanent",
        "validation-failed",
    )
    assert informed(engine) == (None, None)


def test_a_team_key_keeps_the_letter_queued_naming_notify_api_key(
    db_url: str, engine: Engine, tmp_path: Path, double: NotifyDouble
) -> None:
    app = notify_app(db_url, tmp_path, double, kind="team")
    try:
        load(engine, tmp_path / "b", year="2026/27", family_informed_on="")
        inform(app, at(app, DETAILS_DAY))
        run = send_run(app)
    finally:
        app.close()

    assert "NOTIFY_API_KEY" in run.report.channels_down["letter"]
    assert [(r["status"], r["attempts"]) for r in letters(engine)] == [("queued", 0)]
    assert double.sent() == []
