"""deploy/roles.sql, run by psql on the real PostgreSQL server as docs/operations.md says:
the migration role creates the schema, the application role runs the service's day (an
import, the nightly, sending, a task done, a block) and can add to the audit log but
never change it, nor create or alter anything but temporary tables of its own (an
import's staging). The role names are psql variables."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError
from typer.testing import CliRunner

from cli import app
from tests.bundles import small_county, write_bundle
from transport.db.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]
ROLES_SQL = ROOT / "deploy" / "roles.sql"
runner = CliRunner()


@dataclass(frozen=True)
class Deployment:
    owner: str
    app: str
    database: str
    server: str  # the superuser's URL, as the tests reach the server

    def url(self, role: str) -> str:
        url = make_url(self.server).set(username=role, password=None, database=self.database)
        return url.render_as_string(hide_password=False)

    def roles_sql(self) -> subprocess.CompletedProcess[str]:
        """psql -f deploy/roles.sql as the superuser, the names given as variables."""
        psql = shutil.which("psql")
        assert psql is not None, "the PostgreSQL pass needs psql (postgresql-client)"
        server = make_url(self.server)
        return subprocess.run(
            [psql, "-X", "-h", server.host or "127.0.0.1", "-p", str(server.port or 5432),
             "-U", server.username or "postgres", "-d", server.database or "postgres",
             "-v", f"owner={self.owner}", "-v", f"app={self.app}",
             "-v", f"database={self.database}", "-f", str(ROLES_SQL)],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "PGPASSWORD": server.password or ""},
        )  # fmt: skip


@pytest.fixture
def deployment(_pg_admin: Engine | None, backend: str) -> Iterator[Deployment]:
    if backend != "postgresql" or _pg_admin is None:
        pytest.skip("roles.sql is PostgreSQL's: it runs in the PostgreSQL pass")
    suffix = uuid.uuid4().hex[:10]
    made = Deployment(
        owner=f"t_owner_{suffix}",
        app=f"t_app_{suffix}",
        database=f"t_deploy_{suffix}",
        server=os.environ["TRANSPORT_TEST_DATABASE_URL"],
    )
    try:
        yield made
    finally:
        with _pg_admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{made.database}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{made.app}", "{made.owner}"'))


def transport(url: str, config: Path, *args: str) -> tuple[int, str]:
    env = {"TRANSPORT_DATABASE_URL": url, "TRANSPORT_CONFIG": str(config), "COLUMNS": "200"}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def refused(engine: Engine, statement: str) -> bool:
    with engine.connect() as conn:
        try:
            conn.execute(text(statement))
        except ProgrammingError as exc:
            return "permission denied" in str(exc.orig) or "must be owner" in str(exc.orig)
    return False


def refused_by_function(engine: Engine, table: str) -> bool:
    with engine.connect() as conn:
        try:
            conn.execute(text("SELECT transport_analyze(:t)"), {"t": table})
        except DBAPIError as exc:
            return "not a table of this service" in str(exc.orig)
    return False


def test_roles_sql_gives_the_app_its_day_and_no_way_to_change_the_audit_log(
    deployment: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the file outbox
    first = deployment.roles_sql()
    assert first.returncode == 0, first.stderr
    assert "No audit_events table yet" in first.stdout + first.stderr

    # The migration role creates the schema; the script, run again, takes the audit log's
    # rights away from the application role.
    config = tmp_path / "transport.toml"
    config.write_text("[database]\nauto_migrate = false\n")
    code, out = transport(deployment.url(deployment.owner), config, "db", "upgrade")
    assert code == 0, out
    again = deployment.roles_sql()
    assert again.returncode == 0, again.stderr

    # The application role runs the service's day.
    as_app = deployment.url(deployment.app)
    folder = write_bundle(tmp_path / "bundle", small_county())
    for args in (
        ["import", str(folder), "--by", "Priya Shah"],
        ["jobs", "run", "nightly", "--on", "2026-08-06"],
        ["outbox", "send"],
        ["contacts", "block", "1", "--by", "Priya Shah", "--reason", "court order"],
        ["retention", "apply", "--as-of", "2026-08-06", "--by", "Priya Shah"],
    ):
        code, out = transport(as_app, config, *args)
        assert code == 0, (args, out)
    code, out = transport(as_app, config, "check", "--as-of", "2026-08-24")
    assert code == 0, out

    engine = make_engine(as_app)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == deployment.app
            events = conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
        assert events > 0  # the day's import, block and retention added to the log
        for statement in (
            "UPDATE audit_events SET actor = 'someone else'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
            "CREATE TABLE scratch (x integer)",
            "ALTER TABLE pupils ADD COLUMN x integer",
            "DROP TABLE tasks",
        ):
            assert refused(engine, statement), statement
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == events
            # An import's staging: a temporary table of the app's own session, filled and
            # read like any other (roles.sql grants TEMPORARY on the database).
            conn.execute(text("CREATE TEMPORARY TABLE staged (pupil_ref text PRIMARY KEY)"))
            conn.execute(text("INSERT INTO staged SELECT pupil_ref FROM pupils"))
            staged = conn.execute(text("SELECT count(*) FROM staged")).scalar_one()
            assert staged == conn.execute(text("SELECT count(*) FROM pupils")).scalar_one() > 0
            # The app's import refreshed the planner's statistics of what it wrote (through
            # migration 0015's function: only the owner may ANALYZE); never analyzed, a
            # table's reltuples is -1.
            reltuples = text(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass('public.pupils')"
            )
            assert conn.execute(reltuples).scalar_one() == staged
        # ... and that function analyzes the service's own tables, nothing else.
        assert refused_by_function(engine, "pg_class")
        assert refused_by_function(engine, "staged")
    finally:
        engine.dispose()
