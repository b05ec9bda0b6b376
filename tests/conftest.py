"""Shared fixtures. Every test that needs a database gets a fresh, migrated one:

- SQLite (default): a new file in the test's tmp folder;
- PostgreSQL, when TRANSPORT_TEST_DATABASE_URL is set (CI sets it): a new schema on
  that server per test, dropped afterwards. If the server cannot be reached the run
  stops with an error: a PostgreSQL run never quietly turns into no run.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import Phase, settings
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from transport.db.engine import make_engine, normalise_url
from transport.db.schema import upgrade

# bench/mutation.py runs the unit tests with --hypothesis-profile=mutation: a mutant only
# has to fail, so a failing example is not shrunk (shrinking can take a minute a mutant).
settings.register_profile(
    "mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate], deadline=None, database=None
)

PG_ENV = "TRANSPORT_TEST_DATABASE_URL"
_used = {"db_tests": 0}


def _server_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return normalise_url(url) if url else None


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if _server_url() else "sqlite"


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[Engine | None]:
    url = _server_url()
    if url is None:
        yield None
        return
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.exit(f"{PG_ENV} is set but PostgreSQL cannot be reached: {exc}", returncode=3)
    yield engine
    engine.dispose()


@pytest.fixture
def db_url(tmp_path: Path, _pg_admin: Engine | None) -> Iterator[str]:
    """The URL of a fresh, empty database (no schema yet)."""
    _used["db_tests"] += 1
    if _pg_admin is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with _pg_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(str(_pg_admin.url.render_as_string(hide_password=False)))
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with _pg_admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A fresh database with the schema at head."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Leave a note of which database the suite ran on; .ci/run checks it."""
    report = os.environ.get("TRANSPORT_TEST_REPORT")
    if report:
        Path(report).write_text(
            json.dumps(
                {
                    "backend": "postgresql" if _server_url() else "sqlite",
                    "db_tests": _used["db_tests"],
                    "exitstatus": int(exitstatus),
                }
            )
        )
