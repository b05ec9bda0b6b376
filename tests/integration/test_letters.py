"""Letters by post (issue 22, item 3): a family with only a postal address gets an A4
PDF the post room can print, read back here with pypdf as a post room's printer would
take it; letters go on working days only; `outbox posted` records the posting (and, for
transport details, tells the family); the digest counts the letters not yet posted.

Sam's award ends Mon 2026-08-31; 2026/27 starts Thu 2026-09-03 (R). The invite falls on
R - 100, Tue 2026-05-26, a working day; Sat 2026-05-30 is not one.
"""

from __future__ import annotations

import dataclasses
import io
import json
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli import app as cli_app
from services.app import App, build
from services.digest import morning_digest
from services.inform import inform
from services.letters import posted
from services.renewals import remind
from services.sending import send_run
from tests.bundles import arrangement, award, contact, council_terms, pupil, school, write_bundle
from tests.fakes import FakeEmail, FakeSms
from transport.clock import FixedClock
from transport.config import Config, CouncilConfig, DatabaseConfig, EmailConfig
from transport.config_reach import LetterConfig
from transport.db.tables import Arrangement, AuditEvent, OutboxMessage
from transport.imports.bundle import import_bundle

INVITE_DAY = date(2026, 5, 26)  # Tue
MM = 72 / 25.4  # PDF points per millimetre
A4_HEIGHT = 297 * MM
POSTAL = {"email": "", "mobile": "", "address_line_1": "12 Mill Lane",
          "address_line_2": "Upper Hatch", "town": "Northtown", "postcode": "NE1 4XY"}  # fmt: skip
ADDRESS = ["Alex O'Brien", "12 Mill Lane", "Upper Hatch", "Northtown", "NE1 4XY"]


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    return dataclasses.replace(
        Config(),
        database=DatabaseConfig(url=db_url),
        council=dataclasses.replace(CouncilConfig(), name="Northshire County Council"),
        email=dataclasses.replace(EmailConfig(), outbox_dir=str(tmp_path / "outbox")),
        letter=LetterConfig(return_address=["County Hall", "Northtown NE1 1AA"]),
    )


@pytest.fixture
def app(config: Config, engine: Engine) -> Iterator[App]:
    built = build(config, clock=FixedClock(datetime(2026, 5, 26, 9, 0, tzinfo=UTC)),
                  email=FakeEmail(), sms=FakeSms())  # fmt: skip
    yield built
    built.close()


def load(engine: Engine, folder: Path, **arranged: Any) -> None:
    files: dict[str, list[dict[str, Any]]] = {
        "schools.csv": [school("100001", name="Oakfield Primary")],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil("P1", first_name="Sam")],
        "contacts.csv": [contact("P1", **POSTAL)],
        "awards.csv": [award("A1", pupil_ref="P1")],
    }
    if arranged:
        files["awards.csv"] = [award("A1", pupil_ref="P1", valid_until="2027-08-31")]
        files["arrangements.csv"] = [arrangement("P1", **arranged)]
    report = import_bundle(engine, write_bundle(folder, files),
                           now=datetime(2026, 5, 1, 9, 0, tzinfo=UTC))  # fmt: skip
    assert report.ok, report.as_dict()


def at(app: App, day: date) -> date:
    assert isinstance(app.clock, FixedClock)
    app.clock.set(datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC))
    return day


def letters(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(OutboxMessage.__table__).where(OutboxMessage.channel == "letter")
        )
        return [dict(row._mapping) for row in rows]


def pdf_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "outbox" / "letters").glob("*.pdf"))


def text_with_places(path: Path) -> tuple[str, list[tuple[str, float, float]]]:
    """The PDF's text, and each piece with its place (mm from the left and top edges)."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    places: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            places.append((text.strip(), tm[4] / MM, (A4_HEIGHT - tm[5]) / MM))

    page = reader.pages[0]
    page.extract_text(visitor_text=visit)
    return "\n".join(p.extract_text() for p in reader.pages), places


def test_a_postal_only_family_gets_a_pdf_letter_a_post_room_can_send(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b")
    remind(app, at(app, INVITE_DAY))
    send_run(app)
    (letter,) = letters(engine)
    assert letter["status"] == "sent" and letter["to_address"] == "NE1 4XY"
    (path,) = pdf_files(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / MM), round(height / MM)) == (210, 297)  # A4

    text, places = text_with_places(path)
    flat = " ".join(text.split())
    for words in (
        "Northshire County Council",  # the council's name
        "0300 123 4567",  # and phone
        "Sam's school transport to Oakfield Primary ends on Monday 31 August 2026",
        "from Thursday 3 September 2026",
        "by phone: call us on 0300 123 4567",
        "ask for a paper form",
        "Tuesday 26 May 2026",  # dated the day it was written
        f"Our reference: outbox-{letter['id']}",
    ):
        assert words in flat, words
    # The address, whole and in order, inside the window of a DL envelope.
    shown = [(t, x, y) for t, x, y in places if t in ADDRESS]
    assert [t for t, _, _ in shown] == ADDRESS
    for _, x, y in shown:
        assert 20 <= x <= 110 and 45 <= y <= 95, (x, y)


def test_letters_are_written_on_working_days_only(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b")
    remind(app, at(app, INVITE_DAY))
    at(app, date(2026, 5, 30))  # Saturday
    send_run(app)
    assert [m["status"] for m in letters(engine)] == ["queued"]
    at(app, date(2026, 6, 1))  # Monday
    send_run(app)
    assert [m["status"] for m in letters(engine)] == ["sent"]


def test_posted_records_the_day_once_and_a_details_letter_then_tells_the_family(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", year="2026/27", family_informed_on="")
    inform(app, at(app, date(2026, 8, 13)))
    send_run(app)
    (letter,) = letters(engine)
    assert letter["kind"] == "transport_details" and letter["status"] == "sent"
    with engine.connect() as conn:
        told = conn.execute(select(Arrangement.family_informed_on)).scalar_one()
    assert told is None  # written, not yet posted
    assert morning_digest(app, date(2026, 8, 13)).letters_unposted == 1

    dry = posted(app, date(2026, 8, 14), by="post room", dry_run=True)
    assert dry.letters == (letter["id"],) and letters(engine)[0]["posted_on"] is None
    report = posted(app, date(2026, 8, 14), by="post room")
    assert (report.letters, report.informed) == ((letter["id"],), 1)
    assert letters(engine)[0]["posted_on"] == date(2026, 8, 14)
    with engine.connect() as conn:
        informed = conn.execute(select(Arrangement.family_informed_on, Arrangement.informed_by))
        assert tuple(informed.one()) == (date(2026, 8, 14), f"message {letter['id']}")
        actors = conn.execute(select(AuditEvent.actor).where(AuditEvent.action == "posted"))
        assert list(actors.scalars()) == ["post room"]
    assert posted(app, date(2026, 8, 15), by="post room").letters == ()  # once
    assert morning_digest(app, date(2026, 8, 15)).letters_unposted == 0


def test_preview_by_letter_shows_the_address_block(
    config: Config, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(engine, tmp_path / "b")
    monkeypatch.setenv("TRANSPORT_DATABASE_URL", config.database.url)
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(cli_app, ["outbox", "preview", "--pupil", "P1", "--kind",
                                          "renewal_invite", "--channel", "letter",
                                          "--as-of", "2026-05-26"])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("--- letter to NE1 4XY")
    assert lines[1:6] == ADDRESS
    assert "Apply for school transport for Sam" in result.output


def test_posted_needs_a_date_and_a_name(
    config: Config, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSPORT_DATABASE_URL", config.database.url)
    result = CliRunner().invoke(cli_app, ["outbox", "posted", "--date", "2026-08-14"])
    assert result.exit_code == 2 and "--by NAME" in result.output


def test_a_posted_letter_counts_as_a_family_reached_in_the_forecast(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    from transport.db.queries.work_done import done_in_window

    load(engine, tmp_path / "b")
    remind(app, at(app, INVITE_DAY))
    send_run(app)
    with engine.connect() as conn:
        before = done_in_window(conn, start=date(2026, 5, 1), end=date(2026, 6, 1))["reach"]
    posted(app, date(2026, 5, 27), by="post room")
    with engine.connect() as conn:
        after = done_in_window(conn, start=date(2026, 5, 1), end=date(2026, 6, 1))["reach"]
    assert (before, after) == (0, 1)


def test_tasks_list_shows_the_households_numbers(
    config: Config, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "schools.csv": [school("100001", name="Oakfield Primary")],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil("P1", first_name="Sam")],
        "contacts.csv": [contact("P1", email="", mobile="", landline="01632 960123")],
        "awards.csv": [award("A1", pupil_ref="P1")],
    }
    assert import_bundle(engine, write_bundle(tmp_path / "b", files),
                         now=datetime(2026, 5, 1, 9, 0, tzinfo=UTC)).ok  # fmt: skip
    monkeypatch.setenv("TRANSPORT_DATABASE_URL", config.database.url)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    assert runner.invoke(cli_app, ["remind", "--as-of", "2026-05-26"]).exit_code == 0
    table = runner.invoke(cli_app, ["tasks", "list", "--kind", "phone_family"])
    assert table.exit_code == 0 and "01632 960123" in table.output, table.output
    listed = runner.invoke(cli_app, ["tasks", "list", "--format", "json"])
    (task,) = [t for t in json.loads(listed.output) if t["kind"] == "phone_family"]
    assert task["phone_numbers"] == ["+441632960123"]
