"""When a pupil left (SQLite, or PostgreSQL with TRANSPORT_TEST_DATABASE_URL): the day an
import first records them as left, by pupils.csv's status or by --complete; kept while
they stay left; cleared when they come back. Pupils already left before the upgrade count
from the day of the upgrade."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from tests.bundles import council_terms, pupil, school, write_bundle
from transport.db.engine import make_engine, writer
from transport.db.schema import upgrade
from transport.db.tables import Pupil
from transport.imports.bundle import import_bundle

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def imported(engine: Engine, folder: Path, on: date, *pupils: dict[str, str], **opts: bool) -> None:
    files = {"schools.csv": [school()], "terms.csv": council_terms(), "pupils.csv": list(pupils)}
    report = import_bundle(engine, write_bundle(folder, files), now=NOW, today=on, **opts)
    assert report.ok, report.problems.items


def left_on(engine: Engine) -> dict[str, date | None]:
    with engine.connect() as conn:
        return {
            r.pupil_ref: r.left_on for r in conn.execute(select(Pupil.pupil_ref, Pupil.left_on))
        }


def test_left_on_is_the_day_an_import_first_says_left_and_goes_when_they_come_back(
    engine: Engine, tmp_path: Path
) -> None:
    imported(engine, tmp_path / "a", date(2026, 5, 1), pupil("P1"), pupil("P2", status="left"))
    assert left_on(engine) == {"P1": None, "P2": date(2026, 5, 1)}
    # Still left a month later: the day stays the first one.
    imported(engine, tmp_path / "b", date(2026, 6, 1), pupil("P1"), pupil("P2", status="left"))
    assert left_on(engine) == {"P1": None, "P2": date(2026, 5, 1)}
    # P2 comes back; P1 leaves.
    imported(engine, tmp_path / "c", date(2026, 7, 1), pupil("P1", status="left"), pupil("P2"))
    assert left_on(engine) == {"P1": date(2026, 7, 1), "P2": None}


def test_a_pupil_a_complete_export_no_longer_lists_left_on_that_day(
    engine: Engine, tmp_path: Path
) -> None:
    refs = [f"P{n}" for n in range(1, 11)]
    imported(engine, tmp_path / "a", date(2026, 5, 1), *(pupil(r) for r in refs))
    imported(engine, tmp_path / "b", date(2026, 5, 2), *(pupil(r) for r in refs[1:]), complete=True)
    assert left_on(engine)["P1"] == date(2026, 5, 2)
    assert {r: d for r, d in left_on(engine).items() if r != "P1"} == dict.fromkeys(refs[1:])


def test_a_dry_run_stamps_nothing(engine: Engine, tmp_path: Path) -> None:
    imported(engine, tmp_path / "a", date(2026, 5, 1), pupil("P1"))
    imported(engine, tmp_path / "b", date(2026, 5, 2), pupil("P1", status="left"), dry_run=True)
    assert left_on(engine) == {"P1": None}


def test_the_upgrade_dates_pupils_already_left_to_the_day_of_the_upgrade(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, revision="0007")
        with writer(engine).begin() as conn:
            conn.execute(text("INSERT INTO schools (urn, name, calendar) VALUES ('1', 'Oak', 'd')"))
            for ref, status in (("P1", "left"), ("P2", "active")):
                conn.execute(
                    text(
                        "INSERT INTO pupils (pupil_ref, first_name, last_name, date_of_birth, "
                        "school_urn, send, status) "
                        f"VALUES ('{ref}', 'Sam', 'O', '2016-05-01', '1', false, '{status}')"
                    )
                )
        upgrade(engine)
        with engine.connect() as conn:
            server_today = conn.execute(select(text("CURRENT_DATE"))).scalar_one()
        found = left_on(engine)
        assert found["P2"] is None
        assert found["P1"] is not None and str(found["P1"]) == str(server_today)
    finally:
        engine.dispose()
