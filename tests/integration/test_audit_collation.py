"""A child's events are found whatever the database's collation. Their contact links,
arrangements and removed rows are keyed "pupil_ref/...", found as the range "pupil_ref/"
< key < "pupil_ref0". A PostgreSQL database created with a collation that ignores
punctuation at first (glibc's en_GB.UTF-8 does; ICU's "en-GB-u-ka-shifted" is the same
rule, and this server has it) sorts "P1/C7" as "P1C7", outside that range; migration 0010
compares the keys byte by byte. On SQLite (byte order already) the same events must be
found."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from transport.audit import AuditContext
from transport.db.engine import make_engine
from transport.db.queries.audit import about_child, events
from transport.db.schema import upgrade

ICU_PUNCTUATION_BLIND = "en-GB-u-ka-shifted"


@pytest.fixture
def council_database(db_url: str, _pg_admin: Engine | None) -> Iterator[Engine]:
    """A database at head; on PostgreSQL, one whose default collation ignores punctuation
    at first, as a UK server's usually does."""
    if _pg_admin is None:
        engine = make_engine(db_url)
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    name = f"t_collation_{uuid.uuid4().hex[:12]}"
    with _pg_admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(
            f"CREATE DATABASE {name} LOCALE_PROVIDER icu ICU_LOCALE '{ICU_PUNCTUATION_BLIND}' "
            "LOCALE 'C.UTF-8' TEMPLATE template0"
        ))  # fmt: skip
    url = make_url(_pg_admin.url.render_as_string(hide_password=False)).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:  # the premise: this collation is punctuation-blind
            assert conn.execute(text("SELECT 'P1/C7' < 'P10'")).scalar_one() is False
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with _pg_admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def test_a_childs_keyed_events_are_found_under_any_collation(council_database: Engine) -> None:
    audit = AuditContext(actor="Priya Shah", at=datetime(2026, 8, 26, 9, tzinfo=UTC))
    with council_database.begin() as conn:
        for entity, key in (
            ("pupils", ("P1",)),
            ("pupil_contacts", ("P1", "C7")),  # the child's contact link
            ("awards", ("P1", "A-2025-9")),  # an award an import removed
            ("arrangements", ("P1", "2026")),
            ("pupils", ("P10",)),  # another child
            ("pupil_contacts", ("P10", "C8")),
            ("pupils", ("P1A",)),  # a key a punctuation-blind order puts beside "P1/A"
        ):
            audit.record(conn, "update", entity, key, {})
    with council_database.connect() as conn:
        about = about_child(conn, "P1", awards=[], applications=[], by_entity={})
        found = {line.entity_key for line in events(conn, about=about)}
    assert found == {"P1", "P1/C7", "P1/A-2025-9", "P1/2026"}
