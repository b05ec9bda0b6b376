from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from transport.db.engine import make_engine, writer
from transport.db.schema import (
    HEAD,
    MIGRATIONS,
    current_revision,
    ensure_current,
    script_head,
    upgrade,
)
from transport.db.tables import AuditEvent, Base, Pupil, table_of
from transport.errors import SchemaError


def test_head_constant_matches_the_migration_scripts() -> None:
    assert script_head() == HEAD


def test_upgrade_creates_every_table_and_is_idempotent(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    assert current_revision(engine) is None
    assert upgrade(engine) is None
    assert upgrade(engine) == HEAD
    tables = set(inspect(engine).get_table_names())
    assert {
        "schools",
        "terms",
        "pupils",
        "contacts",
        "pupil_contacts",
        "awards",
        "applications",
        "arrangements",
        "audit_events",
        "check_runs",
        "risk_snapshots",
    } <= tables


def test_a_database_behind_the_code_is_refused_without_auto_migrate(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    with pytest.raises(SchemaError, match="transport db upgrade"):
        ensure_current(engine, auto_migrate=False)
    ensure_current(engine, auto_migrate=True)
    assert current_revision(engine) == HEAD


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    row = {
        "pupil_ref": "P1",
        "first_name": "A",
        "last_name": "B",
        "date_of_birth": date(2015, 1, 1),
        "school_urn": "999999",
        "send": False,
        "status": "active",
    }
    with pytest.raises(IntegrityError), writer(engine).begin() as conn:
        conn.execute(insert(table_of(Pupil)), [row])


def test_times_come_back_aware_and_in_utc(engine: Engine) -> None:
    summer = timezone(timedelta(hours=1))
    at = datetime(2026, 7, 1, 9, 30, tzinfo=summer)
    with writer(engine).begin() as conn:
        conn.execute(
            insert(table_of(AuditEvent)),
            [{"at": at, "actor": "t", "action": "a", "entity": "e", "detail": {}}],
        )
    with engine.connect() as conn:
        stored = conn.execute(select(AuditEvent.at)).scalar_one()
    assert stored.tzinfo is not None
    assert stored == at
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 7, 1, 8, 30, tzinfo=UTC)


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive"), writer(engine).begin() as conn:
        conn.execute(
            insert(table_of(AuditEvent)),
            [
                {
                    "at": datetime(2026, 7, 1, 9, 30),
                    "actor": "t",
                    "action": "a",
                    "entity": "e",
                    "detail": {},
                }
            ],
        )


def test_postgresql_sessions_run_without_jit(engine: Engine) -> None:
    """Our sessions turn JIT off (it doubled the check's page queries); SQLite has none."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            assert conn.exec_driver_sql("SHOW jit").scalar_one() == "off"
            conn.rollback()
        assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1  # the session still works


def test_the_migrations_give_every_column_of_the_models(engine: Engine) -> None:
    """Each model's columns exist after the migrations (and no column is left over)."""
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        found = {column["name"] for column in inspector.get_columns(table.name)}
        assert found == set(table.columns.keys()), table.name


def migration_order() -> list[str]:
    """The revisions from the first to the head, as Alembic chains them (a merge may
    chain them out of the order of their numbers)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    chain = [script.revision for script in ScriptDirectory.from_config(cfg).walk_revisions()]
    assert len(chain) == len(list((MIGRATIONS / "versions").glob("0*.py")))
    return list(reversed(chain))


def test_each_migration_upgrades_a_database_that_holds_a_county(empty_db_url: str) -> None:
    """A council upgrades a database full of children, not an empty one: every migration
    after the first must keep the rows and the foreign keys that refer to them (SQLite
    refuses to copy a table others refer to while foreign keys are on)."""
    scripts = migration_order()
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, revision=scripts[0])
        with writer(engine).begin() as conn:
            conn.execute(text(
                "INSERT INTO schools (urn, name, calendar) VALUES ('100001', 'Oak', 'default')"
            ))
            conn.execute(text(
                "INSERT INTO pupils (pupil_ref, first_name, last_name, date_of_birth, "
                "school_urn, send, status) VALUES ('P1', 'Sam', 'O', '2016-05-01', '100001', "
                "false, 'active')"
            ))
            conn.execute(text(
                "INSERT INTO contacts (id, identity, name, email, preferred_channel, "
                "email_status, mobile_status) VALUES (1, 'a', 'Alex', 'a@example.com', "
                "'both', 'ok', 'ok')"
            ))
            conn.execute(text(
                "INSERT INTO pupil_contacts (id, pupil_ref, name, contact_id) "
                "VALUES (1, 'P1', 'Alex', 1)"
            ))  # fmt: skip
        for revision in scripts[1:]:
            upgrade(engine, revision=revision)
            assert current_revision(engine) == revision
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pupil_contacts")).scalar_one() == 1
            assert conn.execute(text("SELECT count(*) FROM contacts")).scalar_one() == 1
    finally:
        engine.dispose()
