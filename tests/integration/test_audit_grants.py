"""On PostgreSQL the application role cannot change the audit log: with the grants
docs/operations.md gives it (SELECT, INSERT, UPDATE, DELETE on the tables, then UPDATE,
DELETE and TRUNCATE revoked on audit_events), it can add audit rows and read them, but
updating, deleting or truncating them is refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ProgrammingError

from transport.audit import AuditContext


@pytest.fixture
def as_app_role(engine: Engine, backend: str) -> Iterator[Connection]:
    if backend != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's")
    role = f"transport_app_{uuid.uuid4().hex[:8]}"
    conn = engine.connect()
    transaction = conn.begin()  # CREATE ROLE is transactional: rolled back at the end
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    for statement in (
        f'CREATE ROLE "{role}" NOLOGIN',
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
        # as docs/operations.md says:
        f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM "{role}"',
        f'SET ROLE "{role}"',
    ):
        conn.execute(text(statement))
    yield conn
    transaction.rollback()
    conn.close()


def refused(conn: Connection, statement: str) -> bool:
    savepoint = conn.begin_nested()
    try:
        conn.execute(text(statement))
    except ProgrammingError as exc:
        savepoint.rollback()
        return "permission denied" in str(exc.orig)
    savepoint.rollback()
    return False


def test_the_application_role_adds_audit_rows_but_cannot_change_them(
    as_app_role: Connection,
) -> None:
    conn = as_app_role
    assert conn.execute(text("SELECT current_user")).scalar_one().startswith("transport_app_")
    AuditContext(actor="Priya Shah", at=datetime(2026, 8, 26, 9, tzinfo=UTC)).record(
        conn, "decide", "applications", ("APP1",), {"approve": True}
    )
    assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 1

    assert refused(conn, "UPDATE audit_events SET actor = 'someone else'")
    assert refused(conn, "DELETE FROM audit_events")
    assert refused(conn, "TRUNCATE audit_events")
    assert not refused(conn, "UPDATE pupils SET status = status")  # the rest works as before
    privileges = {
        p
        for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        if conn.execute(
            text("SELECT has_table_privilege('audit_events', :p)"), {"p": p}
        ).scalar_one()
    }
    assert privileges == {"SELECT", "INSERT"}
