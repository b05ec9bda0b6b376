"""Transport details, sent and recorded (issue 22, item 2), on a real database.

Sam (P1) has an award for 2025/26 and 2026/27 (to Tue 2027-08-31) and a 2026/27 arrangement:
Town Taxis, route T-04, pick-up 07:35, the family not told. On the council calendar of
tests/bundles.py, 2026/27 starts Thu 2026-09-03, so with [inform] days_before_first_day =
21 the details go from Thu 2026-08-13 (not on Wed 2026-08-12).
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

from jobs.nightly import nightly
from services.app import App, build
from services.check import run_check
from services.inform import inform
from services.outbox_admin import preview
from services.sending import send_run
from tests.bundles import (
    arrangement,
    award,
    contact,
    council_terms,
    pupil,
    school,
    write_bundle,
)
from tests.fakes import FakeEmail, FakeSms
from transport.clock import FixedClock
from transport.config import Config, DatabaseConfig, SendingConfig
from transport.db.tables import Arrangement, OutboxMessage, Task
from transport.imports.bundle import import_bundle

FIRST_DAY = date(2026, 9, 3)
OPENS = date(2026, 8, 13)  # FIRST_DAY - 21


@pytest.fixture
def fakes() -> tuple[FakeEmail, FakeSms]:
    return FakeEmail(), FakeSms()


@pytest.fixture
def app(db_url: str, engine: Engine, fakes: tuple[FakeEmail, FakeSms]) -> Iterator[App]:
    config = dataclasses.replace(
        Config(),
        database=DatabaseConfig(url=db_url),
        sending=dataclasses.replace(SendingConfig(), workers=1),
    )
    email, sms = fakes
    built = build(config, clock=FixedClock(datetime(2026, 8, 13, 9, 0, tzinfo=UTC)),
                  email=email, sms=sms)  # fmt: skip
    yield built
    built.close()


def bundle(**arranged: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        "schools.csv": [school("100001", name="Oakfield Primary")],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil("P1", first_name="Sam")],
        "contacts.csv": [contact("P1")],
        "awards.csv": [award("A1", pupil_ref="P1", valid_until="2027-08-31")],
        "arrangements.csv": [
            arrangement("P1", year="2025/26", family_informed_on="2025-08-20"),
            {**arrangement("P1", year="2026/27", family_informed_on=""), "route_ref": "T-04",
             "operator": "Town Taxis", "pickup_time": "07:35", **arranged},
        ],
    }  # fmt: skip


def load(engine: Engine, folder: Path, files: dict[str, list[dict[str, Any]]]) -> None:
    report = import_bundle(
        engine, write_bundle(folder, files), now=datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    )
    assert report.ok, report.as_dict()


def on(app: App, day: date) -> date:
    assert isinstance(app.clock, FixedClock)
    app.clock.set(datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC))
    return day


def messages(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage.__table__).order_by(OutboxMessage.id))
        return [dict(row._mapping) for row in rows if row.kind == "transport_details"]


def told(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as conn:
        row = conn.execute(
            select(Arrangement.family_informed_on, Arrangement.informed_by).where(
                Arrangement.academic_year == 2026
            )
        ).one()
    return tuple(row)


def open_tasks(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(Task.kind, Task.reason).where(Task.status == "open"))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_the_preview_shows_the_years_arrangement_not_the_year_after_the_award(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    """Issue 22, item 2: the preview said "from Wednesday 1 September 2027 ... to be
    confirmed", the year after the award ends, though the 2026/27 arrangement is known."""
    load(engine, tmp_path / "b", bundle())
    (email,) = preview(app, "P1", kind="transport_details", channels=["email"],
                       as_of=date(2026, 8, 20))  # fmt: skip
    assert "Sam, to Oakfield Primary, from Thursday 3 September 2026:" in email.text
    for value in ("Town Taxis", "T-04", "07:35"):
        assert value in email.text
    assert "2027" not in email.text and "to be confirmed" not in email.text


def test_details_go_from_21_days_before_the_first_day_once_and_are_recorded_when_sent(
    app: App, engine: Engine, tmp_path: Path, fakes: tuple[FakeEmail, FakeSms]
) -> None:
    load(engine, tmp_path / "b", bundle())
    assert inform(app, on(app, date(2026, 8, 12))).due == 0
    assert messages(engine) == []

    report = inform(app, on(app, OPENS))
    assert (report.due, report.queued) == (1, 2)  # email and SMS (preferred: both)
    assert inform(app, OPENS).queued == 0  # nothing twice
    assert sorted(m["channel"] for m in messages(engine)) == ["email", "sms"]
    (risk,) = run_check(app, as_of=OPENS, save=False).result.at_risk
    assert "FAMILY_NOT_INFORMED" in risk.reasons

    send_run(app)
    email, sms = fakes
    assert len(email.sent) == 1 and len(sms.sent) == 1
    assert "Town Taxis" in email.sent[0].text and "pick-up 07:35" in sms.sent[0].body
    on_day, by = told(engine)
    assert on_day == OPENS and by is not None and by.startswith("message ")
    result = run_check(app, as_of=OPENS, save=False).result
    assert all("FAMILY_NOT_INFORMED" not in r.reasons for r in result.at_risk)
    assert inform(app, on(app, date(2026, 8, 14))).due == 0


def test_an_incomplete_arrangement_opens_a_task_instead_until_completed(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", bundle(pickup_time=""))
    report = inform(app, on(app, OPENS))
    assert (report.due, messages(engine)) == (0, [])
    assert [kind for kind, _ in open_tasks(engine)] == ["complete_arrangement"]
    assert "no pick-up time" in open_tasks(engine)[0][1]

    load(engine, tmp_path / "b2", bundle())  # the export now has the pick-up time
    assert inform(app, on(app, date(2026, 8, 14))).queued == 2
    assert open_tasks(engine) == []


def test_no_details_while_the_first_day_is_only_assumed(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    files = bundle()
    files["terms.csv"] = [t for t in files["terms.csv"] if t["academic_year"] == "2025/26"]
    load(engine, tmp_path / "b", files)
    report = inform(app, on(app, OPENS))
    assert (report.due, messages(engine)) == (0, [])
    ((kind, reason),) = open_tasks(engine)
    assert kind == "complete_arrangement" and "not known (no term dates)" in reason


def test_a_blank_export_keeps_the_day_a_change_of_operator_clears_it(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", bundle())
    inform(app, on(app, OPENS))
    send_run(app)
    assert told(engine)[0] == OPENS
    load(engine, tmp_path / "b2", bundle())  # still blank in the council's export
    assert told(engine)[0] == OPENS
    load(engine, tmp_path / "b3", bundle(operator="Vale Coaches"))
    assert told(engine) == (None, None)
    assert inform(app, on(app, date(2026, 8, 20))).queued == 2  # told again


def test_just_before_sending_a_changed_arrangement_is_rerendered_and_a_told_one_cancelled(
    app: App, engine: Engine, tmp_path: Path, fakes: tuple[FakeEmail, FakeSms]
) -> None:
    load(engine, tmp_path / "b", bundle())
    inform(app, on(app, OPENS))
    load(engine, tmp_path / "b2", bundle(pickup_time="07:50"))  # changed after queueing
    send_run(app)
    email, sms = fakes
    assert "07:50" in email.sent[0].text and "07:35" not in email.sent[0].text
    assert "pick-up 07:50" in sms.sent[0].body
    assert told(engine)[0] == OPENS

    load(engine, tmp_path / "b3", bundle(pickup_time="08:00", family_informed_on=""))
    inform(app, on(app, date(2026, 8, 20)))
    load(engine, tmp_path / "b4", bundle(pickup_time="08:00", family_informed_on="2026-08-19"))
    send_run(app)  # the council told them itself meanwhile
    assert [m["status"] for m in messages(engine)][-2:] == ["cancelled", "cancelled"]
    assert "already told" in messages(engine)[-1]["error_message"]


def test_the_nightly_job_sends_the_details(app: App, engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path / "b", bundle())
    counts = nightly(app, on(app, OPENS)).as_dict()
    assert counts["inform"]["queued"] == 2
