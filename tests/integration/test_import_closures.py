"""closures.csv and the calendar names of schools.csv (issue 21; import-bundle.md,
"Closures, and contacts every family can be reached by"), imported into a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.bundles import closure, council_terms, school, write_bundle
from transport.db import tables
from transport.imports.bundle import ImportReport, import_bundle

NOW = datetime(2026, 8, 24, 7, 0, tzinfo=UTC)


def run(engine: Engine, folder: Path, **options: Any) -> ImportReport:
    return import_bundle(engine, folder, now=NOW, **options)


def closures(engine: Engine) -> list[tuple[Any, ...]]:
    table = tables.table_of(tables.Closure)
    stmt = select(
        table.c.calendar, table.c.urn, table.c.first_day, table.c.last_day, table.c.kind
    ).order_by(table.c.calendar, table.c.urn, table.c.first_day)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(stmt)]


def calendars_bundle(**files: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {
        "schools.csv": [
            school("100001"),
            school("100002", name="Hill Academy", phase="secondary", calendar="trust-north"),
        ],
        "terms.csv": council_terms() + council_terms("trust-north"),
        **files,
    }


def errors(report: ImportReport) -> list[str]:
    return [str(problem) for problem in report.problems.items]


def test_closures_are_imported_for_every_school_or_one_and_twice_is_no_change(
    engine: Engine, tmp_path: Path
) -> None:
    bundle = calendars_bundle(
        **{
            "closures.csv": [
                closure("default", "2026-10-26", "2026-10-30", kind="half_term", note="Half term"),
                closure("default", "2026-09-03", kind="INSET"),
                closure("trust-north", "2026-09-04", urn="100002", kind="inset"),
            ]
        }
    )
    folder = write_bundle(tmp_path / "b", bundle)
    report = run(engine, folder)
    assert report.ok, errors(report)
    assert closures(engine) == [
        ("default", "", date(2026, 9, 3), date(2026, 9, 3), "inset"),
        ("default", "", date(2026, 10, 26), date(2026, 10, 30), "half_term"),
        ("trust-north", "100002", date(2026, 9, 4), date(2026, 9, 4), "inset"),
    ]
    again = run(engine, folder)
    summary = next(f for f in again.files if f.file == "closures.csv")
    assert (summary.rows, summary.added, summary.updated, summary.unchanged) == (3, 0, 0, 3)


def test_a_closure_outside_every_term_or_for_a_school_of_another_calendar_is_an_error(
    engine: Engine, tmp_path: Path
) -> None:
    bundle = calendars_bundle(
        **{
            "closures.csv": [
                closure("default", "2026-10-26", "2026-10-30"),
                closure("default", "2026-08-28", "2026-09-03"),  # starts in the holiday
                closure("default", "2026-09-04", urn="100002"),  # a trust-north school
                closure("trust-nort", "2026-09-04"),  # no such calendar
                closure("default", "2026-09-07", urn="999999"),  # no such school
            ]
        }
    )
    report = run(engine, write_bundle(tmp_path / "b", bundle))
    assert errors(report) == [
        "closures.csv, line 3, column first_day: expected a closure inside one term of "
        "calendar 'default'; 2026-08-28 to 2026-09-03 is not (the nearest term runs "
        "2026-09-03 to 2026-12-18)",
        "closures.csv, line 4, column urn: school 100002 follows calendar 'trust-north', not "
        "'default': a school's own closures go under the calendar it follows",
        "closures.csv, line 5, column calendar: calendar 'trust-nort' has no terms in "
        "terms.csv nor in the record: did you mean 'trust-north'?",
        "closures.csv, line 6, column urn: unknown school URN '999999': not in schools.csv "
        "nor in the database",
    ]
    assert closures(engine) == []
    with engine.connect() as conn:
        assert conn.execute(select(tables.School.urn)).first() is None  # nothing written


def test_a_mistyped_calendar_name_is_an_error_and_an_unknown_one_a_warning(
    engine: Engine, tmp_path: Path
) -> None:
    bundle = calendars_bundle()
    bundle["schools.csv"] += [
        school("100003", calendar="Trust North"),  # the same but for case and punctuation
        school("100004", calendar="trsut-north"),  # two edits
    ]
    report = run(engine, write_bundle(tmp_path / "b", bundle))
    assert errors(report) == [
        "schools.csv, line 4, column calendar: calendar 'Trust North' has no terms in "
        "terms.csv nor in the record: did you mean 'trust-north'?",
        "schools.csv, line 5, column calendar: calendar 'trsut-north' has no terms in "
        "terms.csv nor in the record: did you mean 'trust-north'?",
    ]
    # A calendar no name is near: accepted, with a warning (the check assumes its dates).
    bundle = calendars_bundle()
    bundle["schools.csv"] += [
        school("100003", calendar="acad1"),
        school("100004", calendar="acad1"),
    ]
    report = run(engine, write_bundle(tmp_path / "c", bundle))
    assert report.ok, errors(report)
    assert report.warnings == [
        "schools.csv: calendar 'acad1' (2 schools, line 4 and more) has no terms in terms.csv "
        "nor in the record: the check assumes its term dates (a calendar gap) until they are "
        "imported"
    ]
    # Its terms later, in a bundle of its own: the names in the record count.
    later = {
        "terms.csv": council_terms("acad1"),
        "schools.csv": [school("100005", calendar="acad2")],
    }
    report = run(engine, write_bundle(tmp_path / "d", later))
    assert errors(report) == [
        "schools.csv, line 2, column calendar: calendar 'acad2' has no terms in terms.csv "
        "nor in the record: did you mean 'acad1'?",
    ]


def test_complete_replaces_the_closures_of_each_calendar_the_file_names(
    engine: Engine, tmp_path: Path
) -> None:
    first = calendars_bundle(
        **{
            "closures.csv": [
                closure("default", "2026-10-26", "2026-10-30"),
                closure("default", "2026-09-03"),
                closure("trust-north", "2026-09-04", urn="100002"),
            ]
        }
    )
    assert run(engine, write_bundle(tmp_path / "a", first)).ok
    second = {"closures.csv": [closure("default", "2026-10-26", "2026-10-30"),
                               closure("default", "2026-09-04")]}  # fmt: skip
    report = run(engine, write_bundle(tmp_path / "b", second), complete=True)
    assert report.ok, errors(report)
    summary = next(f for f in report.files if f.file == "closures.csv")
    assert (summary.added, summary.unchanged, summary.removed) == (1, 1, 1)
    assert summary.removed_keys == ["default//2026-09-03"]
    assert closures(engine) == [
        ("default", "", date(2026, 9, 4), date(2026, 9, 4), "closure"),
        ("default", "", date(2026, 10, 26), date(2026, 10, 30), "closure"),
        ("trust-north", "100002", date(2026, 9, 4), date(2026, 9, 4), "closure"),
    ]
    with engine.connect() as conn:
        events = conn.execute(
            select(tables.AuditEvent.action, tables.AuditEvent.entity_key).where(
                tables.AuditEvent.entity == "closures"
            )
        ).all()
    assert [tuple(e) for e in events] == [("remove", "default//2026-09-03")]


def test_a_schools_first_school_day_as_the_record_holds_it(engine: Engine, tmp_path: Path) -> None:
    from transport.db.queries.calendars import school_first_day
    from transport.domain.term_dates import FirstDay

    bundle = calendars_bundle(
        **{
            "closures.csv": [
                closure("default", "2026-09-03", kind="inset"),
                closure("trust-north", "2026-09-03", urn="100002", kind="inset"),
            ]
        }
    )
    bundle["schools.csv"].append(school("100003", calendar="acad1"))
    assert run(engine, write_bundle(tmp_path / "b", bundle)).ok
    with engine.connect() as conn:
        # Autumn 2026/27 starts Thu 3 Sep: an INSET day at 100001 (default) and, its own,
        # at 100002 (trust-north); acad1 has no terms: the default's, assumed.
        assert school_first_day(conn, "100001", 2026) == FirstDay(date(2026, 9, 4), False, "autumn")
        assert school_first_day(conn, "100002", 2026) == FirstDay(date(2026, 9, 4), False, "autumn")
        assert school_first_day(conn, "100003", 2026) == FirstDay(date(2026, 9, 3), True, "autumn")
        assert school_first_day(conn, "100001", 2026, term="spring") == FirstDay(
            date(2027, 1, 4), False, "spring"
        )
