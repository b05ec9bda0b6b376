"""Every family reached, and told what is true (issue 22), on a real database: landlines
and postal addresses in contacts.csv, UNREACHABLE only when there is no way at all, the one
order of channels, the team's phone call with the household's numbers, and renewal
messages that name the school the award is for.

Dates on the council calendar of tests/bundles.py: 2026/27 starts Thu 2026-09-03 (R for an
award ending Mon 2026-08-31); the invite goes on R - 100, Tue 2026-05-26, the urgent step
on R - 28, Thu 2026-08-06.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from services.app import App, build
from services.check import run_check
from services.renewals import remind
from services.tasks import list_tasks
from tests.bundles import award, contact, council_terms, pupil, school, write_bundle
from transport.clock import FixedClock
from transport.config import Config, DatabaseConfig
from transport.db.tables import Contact, OutboxMessage, ReminderStep
from transport.imports.bundle import import_bundle

INVITE_DAY = date(2026, 5, 26)
URGENT_DAY = date(2026, 8, 6)
YEAR = 2026
LANDLINE = "+441632960123"  # 01632 960123, Ofcom's drama range
POSTAL = {
    "email": "",
    "mobile": "",
    "address_line_1": "12 Mill Lane",
    "address_line_2": "Upper Hatch",
    "town": "Northtown",
    "postcode": "ne1 4xy",
}


@pytest.fixture
def app(db_url: str, engine: Engine) -> Iterator[App]:
    config = dataclasses.replace(Config(), database=DatabaseConfig(url=db_url))
    built = build(config, clock=FixedClock(datetime(2026, 5, 1, 1, 0, tzinfo=UTC)))
    yield built
    built.close()


def bundle(*contacts: dict[str, Any], **pupil_extra: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        "schools.csv": [
            school("100001", name="Oakfield Primary"),
            school("100002", name="Northgate Academy", phase="secondary"),
        ],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil("P1", first_name="Sam", **pupil_extra)],
        "contacts.csv": list(contacts),
        "awards.csv": [award("A1", pupil_ref="P1", school_urn="100001")],
    }


def load(engine: Engine, folder: Path, files: dict[str, list[dict[str, Any]]]) -> Any:
    return import_bundle(
        engine, write_bundle(folder, files), now=datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    )


def run(app: App, day: date) -> Any:
    assert isinstance(app.clock, FixedClock)
    app.clock.set(datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC))
    return remind(app, day)


def messages(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage.__table__).order_by(OutboxMessage.id))
        return [dict(row._mapping) for row in rows]


def reasons(app: App, day: date) -> tuple[str, ...]:
    result = run_check(app, as_of=day, save=False).result
    return next((r.reasons for r in result.at_risk if r.pupil_ref == "P1"), ())


# --- contacts.csv ---------------------------------------------------------------------------


def test_a_landline_and_a_postal_address_are_stored_normalised(
    engine: Engine, tmp_path: Path
) -> None:
    row = contact("P1", landline="01632 960123", **POSTAL)
    report = load(engine, tmp_path / "b", bundle(row))
    assert report.ok, report.as_dict()
    with engine.connect() as conn:
        stored = conn.execute(select(Contact)).one()
    assert (stored.landline, stored.postcode, stored.town) == (LANDLINE, "NE1 4XY", "Northtown")
    assert (stored.address_line_1, stored.address_line_2, stored.address_line_3) == (
        "12 Mill Lane",
        "Upper Hatch",
        None,
    )
    # The same bundle again changes nothing.
    again = load(engine, tmp_path / "b2", bundle(row))
    (summary,) = [f for f in again.files if f.file == "contacts.csv"]
    assert again.ok and (summary.updated, summary.unchanged) == (0, 1)


@pytest.mark.parametrize(
    ("values", "column", "words"),
    [
        ({"mobile": "020 7946 0000"}, "mobile", "put it in the landline column"),
        ({"landline": "12345"}, "landline", "expected a phone number"),
        ({"email": "", "mobile": "", **POSTAL, "postcode": "NE1"}, "postcode", "UK postcode"),
        ({"email": "", "mobile": "", **POSTAL, "town": ""}, "town", "a letter needs"),
        ({"email": "", "mobile": ""}, "email", "at least one way to reach"),
        ({"preferred_channel": "post"}, "preferred_channel", "letter"),
    ],
)
def test_a_contact_that_cannot_be_reached_or_is_malformed_is_an_error(
    engine: Engine, tmp_path: Path, values: dict[str, str], column: str, words: str
) -> None:
    report = load(engine, tmp_path / "b", bundle(contact("P1", **values)))
    assert not report.ok
    errors = [e for e in report.problems.items if e.file == "contacts.csv"]
    assert [(e.line, e.column) for e in errors] == [(2, column)], errors
    assert words in errors[0].message


def test_a_partial_address_beside_an_email_is_kept_but_posts_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    report = load(engine, tmp_path / "b", bundle(contact("P1", postcode="NE1 4XY")))
    assert report.ok, report.as_dict()


# --- reachable, or not ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"email": "", "mobile": "", "landline": "01632 960123"},
        {"email": "", "mobile": "", **POSTAL},
    ],
    ids=["landline only", "postal only"],
)
def test_a_landline_or_postal_only_family_is_not_unreachable(
    app: App, engine: Engine, tmp_path: Path, values: dict[str, str]
) -> None:
    assert load(engine, tmp_path / "b", bundle(contact("P1", **values))).ok
    assert reasons(app, INVITE_DAY) == ("NO_APPLICATION", "NO_ARRANGEMENT")


def test_a_blocked_landline_only_contact_is_unreachable(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    row = contact("P1", email="", mobile="", landline="01632 960123", do_not_contact="yes")
    assert load(engine, tmp_path / "b", bundle(row)).ok
    assert "UNREACHABLE" in reasons(app, INVITE_DAY)


# --- the one order of channels --------------------------------------------------------------


def test_a_landline_only_family_is_phoned_at_every_step_with_the_number_shown(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    row = contact("P1", email="", mobile="", landline="01632 960123")
    assert load(engine, tmp_path / "b", bundle(row)).ok
    result = run(app, INVITE_DAY)
    assert messages(engine) == []
    assert result.ladder.by_phone == ["P1"] and result.ladder.unreachable == []
    with engine.connect() as conn:
        outcome = conn.execute(select(ReminderStep.step, ReminderStep.outcome)).all()
    assert [tuple(row) for row in outcome] == [("invite", "phone")]
    found = list_tasks(app, status="open", kind="phone_family")
    assert [(t.kind, t.pupil_ref, t.phone_numbers) for t in found] == [
        ("phone_family", "P1", (LANDLINE,))
    ]
    assert "only by phone" in found[0].reason


def test_a_postal_only_family_is_sent_a_letter(app: App, engine: Engine, tmp_path: Path) -> None:
    assert load(engine, tmp_path / "b", bundle(contact("P1", **POSTAL))).ok
    run(app, INVITE_DAY)
    (letter,) = messages(engine)
    assert (letter["channel"], letter["to_address"], letter["step"]) == (
        "letter",
        "NE1 4XY",
        "invite",
    )
    assert letter["context"]["address"] == [
        "Alex O'Brien",
        "12 Mill Lane",
        "Upper Hatch",
        "Northtown",
        "NE1 4XY",
    ]
    assert "Sam's school transport to Oakfield Primary ends on Monday 31 August 2026" in (
        letter["body_text"]
    )


def test_a_contact_who_prefers_letters_gets_a_letter(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    row = contact("P1", preferred_channel="letter", **{**POSTAL, "email": "a@example.com"})
    assert load(engine, tmp_path / "b", bundle(row)).ok
    run(app, URGENT_DAY)
    assert [m["channel"] for m in messages(engine)] == ["letter"]


def test_no_electronic_channel_left_falls_back_to_a_letter(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    row = contact("P1", **{**POSTAL, "email": "a@example.com"})
    assert load(engine, tmp_path / "b", bundle(row)).ok
    with engine.begin() as conn:
        conn.execute(Contact.__table__.update().values(email_status="bounced"))
    run(app, INVITE_DAY)
    assert [m["channel"] for m in messages(engine)] == ["letter"]


# --- what the messages say ------------------------------------------------------------------


def test_a_phase_transfer_invite_names_the_awards_school_as_the_one_that_ends(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    """Issue 22, item 1: the award is for Oakfield Primary; Sam moves to Northgate Academy.
    The invite said "transport to Northgate Academy ends", where Sam never had transport."""
    files = bundle(contact("P1"), next_school_urn="100002", year_group="6")
    assert load(engine, tmp_path / "b", files).ok
    run(app, INVITE_DAY)
    (email,) = messages(engine)
    text = " ".join(email["body_text"].split())
    assert "Sam's school transport to Oakfield Primary ends on Monday 31 August 2026" in text
    assert "Sam moves to Northgate Academy" in text
    assert "Northgate Academy ends" not in text
    assert "renew" not in text.lower()
    assert email["context"]["children"][0]["situation"] == "phase_transfer"


def test_a_year_11_pupil_staying_on_is_told_post16_transport_is_applied_for_each_year(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    files = bundle(contact("P1"), year_group="11", dob="2010-10-01")
    assert load(engine, tmp_path / "b", files).ok
    run(app, INVITE_DAY)
    (email,) = messages(engine)
    assert "agreed one school year at a time" in " ".join(email["body_text"].split())
    assert email["context"]["children"][0]["situation"] == "post16"


def test_a_temporary_award_ending_mid_year_is_not_said_to_end_with_the_year(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    # The award ends Fri 2026-02-13; the next school day is Mon 2026-02-16 (R); the urgent
    # step falls on R - 28, Mon 2026-01-19.
    files = bundle(contact("P1"))
    files["awards.csv"] = [award("A1", pupil_ref="P1", valid_until="2026-02-13")]
    assert load(engine, tmp_path / "b", files).ok
    run(app, date(2026, 1, 19))
    email = next(m for m in messages(engine) if m["channel"] == "email")
    text = " ".join(email["body_text"].split())
    assert "was agreed until Friday 13 February 2026" in text
    assert "If Sam still needs transport from Monday 16 February 2026" in text
    assert email["context"]["children"][0]["situation"] == "mid_year"


def test_a_first_day_that_is_only_assumed_is_never_given_as_a_date(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    """Sam moves to Hill Academy, whose calendar ("trust") has no 2026/27 terms: the day is
    assumed, so the invite says "from the start of the autumn term" (risk-check.md)."""
    files = bundle(contact("P1"), next_school_urn="100003", year_group="6")
    files["schools.csv"].append(school("100003", name="Hill Academy", calendar="trust"))
    files["terms.csv"] += [t for t in council_terms("trust") if t["academic_year"] == "2025/26"]
    assert load(engine, tmp_path / "b", files).ok
    run(app, INVITE_DAY)
    (email,) = messages(engine)
    text = " ".join(email["body_text"].split())
    assert "transport to Hill Academy from the start of the autumn term" in text
    assert "September 2026:" not in text and "from Tuesday 1 September" not in text
