"""Keeping faith with families (issue 23, items 5, 6 and 7), on a real database.

Dates on the council calendar of tests/bundles.py: Sam's award ends Mon 2026-08-31, so R
is Thu 2026-09-03; the urgent step (SMS and email) falls on R - 28, Thu 2026-08-06, the
final step on R - 10, Mon 2026-08-24. Each test failed before its rule was built.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from notifications.ports import PermanentDeliveryError
from services.app import App, build
from services.renewals import remind
from services.sending import send_run
from tests.bundles import application, award, contact, council_terms, pupil, school, write_bundle
from tests.fakes import FakeEmail, FakeSms
from transport.clock import FixedClock
from transport.config import Config, DatabaseConfig, EmailConfig, SendingConfig
from transport.db.tables import Contact, OutboxMessage, ReminderStep
from transport.imports.bundle import import_bundle

URGENT_DAY = date(2026, 8, 6)  # Thu
FINAL_DAY = date(2026, 8, 24)  # Mon
MOTHER = {"name": "Jo Smith", "email": "jo@example.com", "mobile": "07700 900111"}
CARER = {"name": "Sam Carer", "email": "carer@example.com", "mobile": "07700 900222"}


@pytest.fixture
def fakes() -> tuple[FakeEmail, FakeSms]:
    return FakeEmail(), FakeSms()


@pytest.fixture
def app(
    db_url: str, engine: Engine, tmp_path: Path, fakes: tuple[FakeEmail, FakeSms]
) -> Iterator[App]:
    config = dataclasses.replace(
        Config(),
        database=DatabaseConfig(url=db_url),
        email=dataclasses.replace(EmailConfig(), outbox_dir=str(tmp_path / "outbox")),
        sending=dataclasses.replace(SendingConfig(), workers=1),
    )
    built = build(config, clock=FixedClock(datetime(2026, 8, 6, 9, 0, tzinfo=UTC)),
                  email=fakes[0], sms=fakes[1])  # fmt: skip
    yield built
    built.close()


def load(engine: Engine, folder: Path, *contacts: dict[str, Any], **extra: Any) -> None:
    files: dict[str, list[dict[str, Any]]] = {
        "schools.csv": [school("100001", name="Oakfield Primary")],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil("P1", first_name="Sam", **extra)],
        "contacts.csv": [contact("P1", **person) for person in contacts],
        "awards.csv": [award("A1", pupil_ref="P1")],
    }
    report = import_bundle(engine, write_bundle(folder, files),
                           now=datetime(2026, 8, 1, 9, 0, tzinfo=UTC))  # fmt: skip
    assert report.ok, report.as_dict()


def at(app: App, day: date, hour: int = 9) -> date:
    assert isinstance(app.clock, FixedClock)
    app.clock.set(datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC))
    return day


def messages(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage.__table__).order_by(OutboxMessage.id))
        return [dict(row._mapping) for row in rows if row.kind != "team_digest"]


def outcome(engine: Engine, step: str) -> str:
    with engine.connect() as conn:
        found = conn.execute(select(ReminderStep.outcome).where(ReminderStep.step == step))
        return str(found.scalar_one())


# --- item 5: a step whose messages were all cancelled is not sent ------------------------


def test_a_corrected_contact_gets_the_step_the_replaced_one_was_queued(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "a", MOTHER)
    remind(app, at(app, URGENT_DAY, 20))
    assert {m["to_address"] for m in messages(engine)} == {"jo@example.com", "+447700900111"}
    load(engine, tmp_path / "b", CARER)  # the morning export replaces her with the carer
    assert {m["status"] for m in messages(engine)} == {"cancelled"}
    assert outcome(engine, "urgent") == "cancelled"

    remind(app, at(app, date(2026, 8, 7)))  # the next night
    live = [m for m in messages(engine) if m["status"] == "queued"]
    assert sorted((m["step"], m["to_address"]) for m in live) == [
        ("urgent", "+447700900222"),
        ("urgent", "carer@example.com"),
    ]
    assert outcome(engine, "urgent") == "sent"
    remind(app, at(app, date(2026, 8, 8)))  # and only once
    assert len([m for m in messages(engine) if m["status"] == "queued"]) == 2


def test_a_later_step_due_meanwhile_goes_instead_as_catch_up(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "a", MOTHER)
    remind(app, at(app, URGENT_DAY, 20))
    load(engine, tmp_path / "b", CARER)
    remind(app, at(app, FINAL_DAY))
    live = [m for m in messages(engine) if m["status"] == "queued"]
    assert {m["step"] for m in live} == {"final"}
    assert {m["to_address"] for m in live} == {"carer@example.com", "+447700900222"}
    assert outcome(engine, "urgent") == "cancelled"


# --- item 6: checked again just before sending --------------------------------------------


def test_a_reminder_is_not_sent_once_the_application_arrived(
    app: App, engine: Engine, tmp_path: Path, fakes: tuple[FakeEmail, FakeSms]
) -> None:
    load(engine, tmp_path / "a", MOTHER)
    remind(app, at(app, URGENT_DAY, 20))  # queued at 21:30 (BST)
    files = {"applications.csv": [application("APP1", pupil_ref="P1", year="2026/27")]}
    assert import_bundle(engine, write_bundle(tmp_path / "b", files),
                         now=datetime(2026, 8, 7, 6, 0, tzinfo=UTC)).ok  # fmt: skip
    at(app, date(2026, 8, 7), 8)
    send_run(app)
    assert fakes[0].sent == [] and fakes[1].sent == []
    reasons = {m["error_message"] for m in messages(engine)}
    assert {m["status"] for m in messages(engine)} == {"cancelled"}
    assert reasons == {"an application for 2026/27 was recorded"}


def test_a_reminder_about_a_child_who_left_is_not_sent(
    app: App, engine: Engine, tmp_path: Path, fakes: tuple[FakeEmail, FakeSms]
) -> None:
    load(engine, tmp_path / "a", MOTHER)
    remind(app, at(app, URGENT_DAY, 20))
    load(engine, tmp_path / "b", MOTHER, status="left")
    at(app, date(2026, 8, 7), 8)
    send_run(app)
    assert fakes[0].sent == [] and fakes[1].sent == []
    assert {m["error_message"] for m in messages(engine)} == {
        "the child is no longer active (left)"
    }


# --- item 7: a fallback only by a channel that has not carried the step -----------------


def test_a_bounced_email_is_not_followed_by_a_second_text_of_the_same_step(
    app: App, engine: Engine, tmp_path: Path, fakes: tuple[FakeEmail, FakeSms]
) -> None:
    load(engine, tmp_path / "a", MOTHER)
    remind(app, at(app, URGENT_DAY))  # urgent: by SMS and by email
    fakes[0].fail("jo@example.com", PermanentDeliveryError("550 5.1.1", code="550",
                                                            channel_status="bounced"))  # fmt: skip
    send_run(app)
    send_run(app)
    assert len(fakes[1].sent) == 1  # the one text of the step, not a second as fallback
    assert not [m for m in messages(engine) if m["fallback_of"] is not None]


def test_a_bounced_email_falls_back_to_a_letter_when_texts_cannot_go(
    app: App, engine: Engine, tmp_path: Path, fakes: tuple[FakeEmail, FakeSms]
) -> None:
    postal = {**MOTHER, "mobile": "", "address_line_1": "1 Mill Lane", "town": "Northtown",
              "postcode": "NE1 4XY"}  # fmt: skip
    load(engine, tmp_path / "a", postal)
    remind(app, at(app, URGENT_DAY))
    fakes[0].fail("jo@example.com", PermanentDeliveryError("550 5.1.1", code="550",
                                                            channel_status="bounced"))  # fmt: skip
    send_run(app)
    send_run(app)
    fallback = [m for m in messages(engine) if m["fallback_of"] is not None]
    assert [(m["channel"], m["status"]) for m in fallback] == [("letter", "sent")]
    with engine.connect() as conn:
        status = conn.execute(select(Contact.email_status)).scalar_one()
    assert status == "bounced"


def test_no_channel_left_after_a_failure_asks_the_team_to_phone(
    app: App, engine: Engine, tmp_path: Path, fakes: tuple[FakeEmail, FakeSms]
) -> None:
    load(engine, tmp_path / "a", {**MOTHER, "mobile": "", "landline": "01632 960123"})
    with engine.begin() as conn:
        conn.execute(update(Contact).values(preferred_channel="email"))
    remind(app, at(app, date(2026, 5, 26)))  # the invite, by email only
    fakes[0].fail("jo@example.com", PermanentDeliveryError("550 5.1.1", code="550",
                                                            channel_status="bounced"))  # fmt: skip
    send_run(app)
    assert outcome(engine, "invite") == "phone"
