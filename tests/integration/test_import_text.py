"""Text that cannot be trusted, and a date of birth that cannot be a pupil's
(docs/import-format.md, issue 23.8 and 23.12), on SQLite or PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.bundles import small_county, write_bundle
from tests.integration.test_import import NOW, dump, problems_at, problems_text, rows_of, run
from transport.db import tables
from transport.imports.files import SCHOOLS, Column
from transport.imports.reader import Problems, read_rows
from transport.imports.values import text_up_to


@pytest.mark.parametrize(
    ("file", "column", "value", "code"),
    [
        ("pupils.csv", "first_name", "Amira\nJones", "U+000A"),
        ("pupils.csv", "last_name", "Jones\r\nSmith", "U+000D"),
        ("pupils.csv", "first_name", "Ami\u202era", "U+202E"),  # right-to-left override
        ("pupils.csv", "first_name", "Ami\u2066ra", "U+2066"),  # left-to-right isolate
        ("pupils.csv", "first_name", "Ami\u200bra", "U+200B"),  # zero-width space
        ("pupils.csv", "first_name", "Ami\ufeffra", "U+FEFF"),  # a byte-order mark inside
        ("pupils.csv", "first_name", "Ami\u2028ra", "U+2028"),  # line separator
        ("pupils.csv", "pupil_ref", "P\u202e2", "U+202E"),
        ("pupils.csv", "home_postcode", "AB1\n2CD", "U+000A"),
        ("schools.csv", "name", "Oak Primary\r\nLower Site", "U+000D"),
        ("contacts.csv", "name", "Alex\nO'Brien", "U+000A"),
        ("contacts.csv", "email", "alex@example.com\u200b", "U+200B"),
        ("contacts.csv", "mobile", "07700\u202e900123", "U+202E"),
    ],
)
def test_text_that_cannot_be_trusted_is_an_error_naming_where_and_nothing_is_written(
    engine: Engine, tmp_path: Path, file: str, column: str, value: str, code: str
) -> None:
    """Issue 23.8: a line break in a name crashed sending for every family; a
    right-to-left override garbled an SMS. Refused, named by code point, never shown."""
    bundle = small_county()
    bundle[file][0][column] = value
    before = dump(engine, audit=True)

    report = run(engine, write_bundle(tmp_path / "bundle", bundle))

    assert report.ok is False and report.written is False
    found = [p for p in problems_at(report, file) if p.column == column]
    assert [p.line for p in found] == [2], problems_text(report)
    assert code in found[0].message and "position" in found[0].message
    assert value[:3] not in found[0].message
    assert dump(engine, audit=True) == before


@pytest.mark.parametrize("name", ["\u0645\u062d\u200c\u0645\u062f", "Anu\u200dshka", "Zoë Kovač"])
def test_joiners_that_scripts_need_are_kept(engine: Engine, tmp_path: Path, name: str) -> None:
    bundle = small_county()
    bundle["pupils.csv"][0]["first_name"] = name

    report = run(engine, write_bundle(tmp_path / "bundle", bundle))

    assert report.ok, problems_text(report)
    assert name in {row["first_name"] for row in rows_of(engine, tables.Pupil)}


def test_free_text_keeps_the_line_breaks_of_a_quoted_cell_but_not_a_bidi_control(
    tmp_path: Path,
) -> None:
    """A note may run over lines; it still refuses what hides or reverses text."""
    spec = replace(
        SCHOOLS, columns=(*SCHOOLS.columns, Column("note", text_up_to(500), free_text=True))
    )
    path = tmp_path / "schools.csv"
    path.write_text(
        'urn,name,note\n100001,Oak Primary,"Lower site:\nuse the side gate"\n'
        '100002,Hill Academy,"gate \u202ecode"\n',
        encoding="utf-8",
    )
    problems = Problems(cap=10)

    rows = list(read_rows(path, spec, problems))

    assert rows[0].ok and rows[0].values["note"] == "Lower site:\nuse the side gate"
    assert not rows[1].ok
    assert [(p.line, p.column) for p in problems.items] == [(4, "note")]
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in problems.items[0].message


@pytest.mark.parametrize(
    ("dob", "said"),
    [("2031-01-01", "not yet born"), ("1066-10-14", "years old"), ("1990-01-01", "years old")],
)
def test_a_date_of_birth_must_make_the_child_0_to_25_on_the_import_day(
    engine: Engine, tmp_path: Path, dob: str, said: str
) -> None:
    bundle = small_county()
    bundle["pupils.csv"][0]["date_of_birth"] = dob

    report = run(engine, write_bundle(tmp_path / "bundle", bundle))

    [problem] = problems_at(report, "pupils.csv")
    assert (problem.line, problem.column) == (2, "date_of_birth")
    assert "0 to 25 years old" in problem.message and said in problem.message
    assert dob not in problem.message
    assert report.written is False


def test_born_today_and_25_until_the_26th_birthday_are_pupils(
    engine: Engine, tmp_path: Path
) -> None:
    today = NOW.date()
    bundle = small_county()
    bundle["pupils.csv"][0]["date_of_birth"] = today.isoformat()
    bundle["pupils.csv"][1]["date_of_birth"] = today.replace(year=today.year - 26).isoformat()

    report = run(engine, write_bundle(tmp_path / "bundle", bundle))
    [problem] = problems_at(report, "pupils.csv")  # 26 today
    assert problem.line == 3 and "26 years old" in problem.message

    day_after = today.replace(year=today.year - 26) + timedelta(days=1)
    bundle["pupils.csv"][1]["date_of_birth"] = day_after.isoformat()  # 25 until tomorrow
    report = run(engine, write_bundle(tmp_path / "bundle2", bundle))
    assert report.ok, problems_text(report)
