"""Property (Hypothesis): for any two contacts.csv files imported in sequence (small
generated families), each pupil the second names has exactly the contacts it lists, the
pupils it does not name keep theirs, and importing it again reports no change. On the
real database (SQLite, or PostgreSQL with TRANSPORT_TEST_DATABASE_URL)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from tests.bundles import council_terms, pupil, school, write_bundle
from transport.db.engine import writer
from transport.db.tables import AuditEvent, Contact, OutboxMessage, PupilContact
from transport.imports.bundle import import_bundle

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
PUPILS = ("P1", "P2", "P3")
NAMES = ("Alex O'Brien", "Alex OBrien", "Sam Jones", "Jo Smith")
EMAILS = ("alex@example.com", "ALEX@example.com", "sam@example.org", "", "family@example.com")
MOBILES = ("07700 900123", "+44 7700 900123", "07700 900456", "")

person = st.tuples(
    st.sampled_from(NAMES), st.sampled_from(EMAILS), st.sampled_from(MOBILES)
).filter(lambda p: bool(p[1] or p[2]))
# pupil -> its contacts (names unique within a pupil: the file's key)
family = st.dictionaries(
    st.sampled_from(PUPILS),
    st.lists(person, min_size=1, max_size=3, unique_by=lambda p: p[0]),
    min_size=1,
)


def rows(files: dict[str, list[tuple[str, str, str]]]) -> list[dict[str, Any]]:
    return [
        {"pupil_ref": ref, "name": name, "email": email, "mobile": mobile}
        for ref, people in files.items()
        for name, email, mobile in people
    ]


def e164(mobile: str) -> str | None:
    digits = mobile.replace(" ", "").replace("+44", "0")
    return "+44" + digits[1:] if digits else None


def expected(people: list[tuple[str, str, str]]) -> set[tuple[str, str | None, str | None]]:
    return {(name, email.casefold() or None, e164(mobile)) for name, email, mobile in people}


def stored(engine: Engine) -> dict[str, set[tuple[str, str | None, str | None]]]:
    found: dict[str, set[tuple[str, str | None, str | None]]] = {}
    with engine.connect() as conn:
        for ref, name, email, mobile in conn.execute(
            select(PupilContact.pupil_ref, PupilContact.name, Contact.email, Contact.mobile).join(
                Contact, Contact.id == PupilContact.contact_id
            )
        ):
            found.setdefault(ref, set()).add((name, email.casefold() if email else None, mobile))
    return found


def load(engine: Engine, folder: Path, files: dict[str, list[dict[str, Any]]]) -> Any:
    report = import_bundle(engine, write_bundle(folder, files), now=NOW)
    assert report.ok, report.as_dict()
    return {f.file: f for f in report.files}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(first=family, second=family, chunk_rows=st.sampled_from((1, 2, 5000)))
def test_the_second_bundle_is_the_record_of_every_pupil_it_names(
    engine: Engine,
    first: dict[str, list[tuple[str, str, str]]],
    second: dict[str, Any],
    chunk_rows: int,
) -> None:
    # Chunks of 1 or 2 rows: a pupil's contacts span chunks, and what the import keeps
    # across them (links claimed, persons written) is in its staging tables.
    with mock.patch("transport.imports.bundle.CHUNK_ROWS", chunk_rows):
        _the_second_bundle_is_the_record(engine, first, second)


def _the_second_bundle_is_the_record(
    engine: Engine, first: dict[str, list[tuple[str, str, str]]], second: dict[str, Any]
) -> None:
    with writer(engine).begin() as conn:  # a clean record for each example
        for model in (OutboxMessage, PupilContact, Contact, AuditEvent):
            conn.execute(delete(model))
    with tempfile.TemporaryDirectory() as tmp:
        base = {
            "schools.csv": [school("100001")],
            "terms.csv": council_terms(),
            "pupils.csv": [pupil(ref) for ref in PUPILS],
        }
        load(engine, Path(tmp) / "base", base)
        load(engine, Path(tmp) / "v1", {"contacts.csv": rows(first)})
        load(engine, Path(tmp) / "v2", {"contacts.csv": rows(second)})

        record = stored(engine)
        for ref in PUPILS:
            if ref in second:
                assert record.get(ref) == expected(second[ref]), ref
            elif ref in first:
                assert record.get(ref) == expected(first[ref]), ref
            else:
                assert ref not in record

        again = load(engine, Path(tmp) / "v2", {"contacts.csv": rows(second)})["contacts.csv"]
        assert (again.added, again.updated, again.removed) == (0, 0, 0)
        assert stored(engine) == record
