"""Shared fixtures. Every test that needs a database gets a fresh one of its own:

- SQLite (default): a new file in the test's tmp folder;
- PostgreSQL, when TRANSPORT_TEST_DATABASE_URL is set (CI sets it): a schema of its own,
  in a database each test process makes on that server for the run. If the server
  cannot be reached the run stops with an error: a PostgreSQL run never quietly turns
  into no run.

`db_url` is at head from the start, without running the migrations for each test
(tests/databases.py says how, and how a schema is reused only when it is as new);
`empty_db_url` has no schema (a first command, a migration test migrates it for real).
The suite runs in parallel (pytest-xdist, `-n auto` in pyproject.toml); `-n 0` runs it
in one process (for --pdb).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.testing
from hypothesis import Phase, settings
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from tests.databases import PostgresSchemas, SqliteTemplate, schema_url
from transport.db.engine import make_engine, normalise_url
from transport.db.schema import HEAD, current_revision, upgrade

# bench/mutation.py runs the unit tests with --hypothesis-profile=mutation: a mutant only
# has to fail, so a failing example is not shrunk (shrinking can take a minute a mutant).
settings.register_profile(
    "mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate], deadline=None, database=None
)


def _built_once(build: Any) -> Any:
    """Typer's test runner builds the Click command tree from the app on every invoke,
    reading the signature of each of our forty-odd commands: about 40 ms a call, a fifth
    of a CLI test's time. The tree depends on the app alone (Click makes a new context
    for each run), so each app's is built once and reused."""
    built: dict[int, tuple[Any, Any]] = {}

    def get_command(app: Any) -> Any:
        kept = built.get(id(app))
        if kept is None or kept[0] is not app:
            kept = built[id(app)] = (app, build(app))
        return kept[1]

    return get_command


if hasattr(typer.testing, "_get_command"):  # a later Typer may build it once itself
    typer.testing._get_command = _built_once(typer.testing._get_command)

PG_ENV = "TRANSPORT_TEST_DATABASE_URL"
_used = {"db_tests": 0}


def _server_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return normalise_url(url) if url else None


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if _server_url() else "sqlite"


def _reach_server(url: str) -> Engine:
    """An engine on the test server, or the run stops here with exit 3."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        pytest.exit(f"{PG_ENV} is set but PostgreSQL cannot be reached: {exc}", returncode=3)
    return engine


def pytest_sessionstart(session: pytest.Session) -> None:
    """Before any worker starts: an unreachable server stops the whole run, loudly."""
    url = _server_url()
    if url is not None and not hasattr(session.config, "workerinput"):
        _reach_server(url).dispose()


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[Engine | None]:
    """On PostgreSQL: an engine on a database of this test process's own, made on the
    server for the run and dropped after it. Its tests' advisory locks (the import's,
    the migration's) are then theirs alone, not shared with another worker or with
    anyone else's run on the same server, and what the run leaves goes with it."""
    url = _server_url()
    if url is None:
        yield None
        return
    server = _reach_server(url)
    name = f"transport_test_{uuid.uuid4().hex[:12]}"
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    own = make_url(url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(own)
    try:
        yield engine
    finally:
        engine.dispose()
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    """A SQLite file migrated to head once in this test process, copied per test."""
    return SqliteTemplate(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def _pg_schemas(_pg_admin: Engine | None) -> Iterator[PostgresSchemas]:
    """This test process's schemas on the test server (tests/databases.py)."""
    assert _pg_admin is not None
    schemas = PostgresSchemas(_pg_admin)
    yield schemas
    schemas.close()


def _fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, server: Engine | None, *, at_head: bool
) -> Iterator[str]:
    _used["db_tests"] += 1
    if server is None:
        url = f"sqlite:///{tmp_path / ('test.db' if at_head else 'empty.db')}"
        if at_head:
            request.getfixturevalue("_sqlite_template").copy_to(url)
        yield url
        return
    schemas: PostgresSchemas = request.getfixturevalue("_pg_schemas")
    schema = schemas.take(at_head=at_head)
    try:
        yield schema_url(server, schema)
    finally:
        schemas.give_back(schema)


@pytest.fixture
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, _pg_admin: Engine | None
) -> Iterator[str]:
    """The URL of a fresh database of the test's own, with the schema at head (a copy of
    this process's template: the migrations are not run again for each test)."""
    yield from _fresh_database(request, tmp_path, _pg_admin, at_head=True)


@pytest.fixture
def empty_db_url(
    request: pytest.FixtureRequest, tmp_path: Path, _pg_admin: Engine | None
) -> Iterator[str]:
    """The URL of a fresh database of the test's own with no schema at all: for the
    migrations' own tests, and a first command on a database nobody has migrated."""
    yield from _fresh_database(request, tmp_path, _pg_admin, at_head=False)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The test's database (`db_url`) with the schema at head: a copy of this process's
    template, or migrated here if it is not (a test that asked for `engine` late)."""
    eng = make_engine(db_url)
    if current_revision(eng) != HEAD:
        upgrade(eng)
    yield eng
    eng.dispose()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject.toml): a worker per core for the suite or a folder; a run of
    named files or tests (the area one is working on) in one process, without the
    workers' start-up. PYTEST_XDIST_AUTO_NUM_WORKERS, when set, decides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    named = [Path(str(arg).split("::", 1)[0]) for arg in config.args]
    if named and all(path.is_file() for path in named):
        return 0
    return None  # pytest-xdist's own count: the cores


# A worker's environment gains COLUMNS and LINES (GNU readline, loaded by pytest, sets
# them when its input is not a terminal): a command's output would then fit 80 columns in
# a worker and not in one process. Each worker gets the controller's values back.
TERMINAL_SIZE = ("COLUMNS", "LINES")


class _Workers:
    """In the controller of a parallel run: what each worker starts with, and the
    workers' database tests, added up."""

    @pytest.hookimpl
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["transport_terminal_size"] = {
            name: os.environ.get(name) for name in TERMINAL_SIZE
        }

    @pytest.hookimpl
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        _used["db_tests"] += getattr(node, "workeroutput", {}).get("db_tests", 0)


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        for name, value in workerinput.get("transport_terminal_size", {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    elif config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_Workers(), "transport-workers")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Leave a note of which database the suite ran on; .ci/run checks it. A worker of a
    parallel run hands its count to the controller, which writes the note."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["db_tests"] = _used["db_tests"]
        return
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
