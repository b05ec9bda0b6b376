"""explain(): real database failures, provoked for real, in one sentence without the data."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from tests.smtp_server import free_port
from transport.db import engine as engine_module
from transport.db.engine import make_engine, writer
from transport.db.failures import explain

SECRET = "Zoë O'Brien, 12 Acacia Avenue"  # a parameter value that must never show


def caught(engine: Engine, statement: str, **params: object) -> DBAPIError:
    with pytest.raises(DBAPIError) as error, writer(engine).begin() as conn:
        conn.execute(text(statement), params)
    return error.value


def clean(sentence: str | None, *extra: str) -> str:
    assert sentence is not None
    for leak in (SECRET, "O'Brien", "INSERT", "insert", "pupils", *extra):
        assert leak not in sentence, sentence
    return sentence


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "x.db"
    setup = make_engine(f"sqlite:///{path}")
    with writer(setup).begin() as conn:
        conn.execute(text("CREATE TABLE pupils (name TEXT UNIQUE)"))
    setup.dispose()
    yield path


def test_a_locked_sqlite_database(sqlite_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    url = f"sqlite:///{sqlite_file}"
    engine = make_engine(url)
    try:
        error = caught(engine, "INSERT INTO pupils (name) VALUES (:name)", name=SECRET)
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()

    assert isinstance(error, OperationalError)
    sentence = clean(explain(error, url=url))
    assert sentence == (
        f"the database {url} is locked by another process (waited 0.1 s); "
        "try again when it finishes"
    )


def test_a_read_only_sqlite_database(sqlite_file: Path) -> None:
    # Tests may run as root, whom chmod does not stop: open the file read-only instead.
    url = f"sqlite:///file:{sqlite_file}?mode=ro&uri=true"
    engine = make_engine(url)
    try:
        error = caught(engine, "INSERT INTO pupils (name) VALUES (:name)", name=SECRET)
    finally:
        engine.dispose()

    sentence = clean(explain(error, url=url))
    assert "is read-only; check its permissions" in sentence
    assert str(sqlite_file) in sentence


def test_a_full_sqlite_disk(sqlite_file: Path) -> None:
    url = f"sqlite:///{sqlite_file}"
    engine = make_engine(url)
    try:
        with writer(engine).begin() as conn:
            pages = conn.execute(text("PRAGMA page_count")).scalar_one()
        with pytest.raises(DBAPIError) as error, writer(engine).begin() as conn:
            conn.execute(text(f"PRAGMA max_page_count = {pages}"))  # no room to grow
            conn.execute(
                text("INSERT INTO pupils (name) VALUES (:name)"),
                [{"name": f"{SECRET} {i}" * 20} for i in range(500)],
            )
    finally:
        engine.dispose()

    sentence = clean(explain(error.value, url=url))
    assert sentence.startswith(f"the disk holding the database {url} is full")


def test_a_duplicate_from_a_concurrent_writer(sqlite_file: Path) -> None:
    url = f"sqlite:///{sqlite_file}"
    engine = make_engine(url)
    try:
        with writer(engine).begin() as conn:
            conn.execute(text("INSERT INTO pupils (name) VALUES (:name)"), {"name": SECRET})
        error = caught(engine, "INSERT INTO pupils (name) VALUES (:name)", name=SECRET)
    finally:
        engine.dispose()

    assert "concurrent writer" in clean(explain(error, url=url))


def test_a_refused_postgresql_connection_masks_the_password() -> None:
    url = f"postgresql://transport:hunter2@127.0.0.1:{free_port()}/transport"
    engine = make_engine(url)
    try:
        with pytest.raises(OperationalError) as error:
            engine.connect()
    finally:
        engine.dispose()

    sentence = clean(explain(error.value, url=url), "hunter2")
    assert sentence == (
        "cannot connect to the database postgresql://transport:***@127.0.0.1:"
        f"{make_url(url).port}/transport: connection refused"
    )


def test_unknown_failures_are_not_explained() -> None:
    assert explain(ValueError("no"), url="sqlite:///x.db") is None
    assert explain(KeyError(SECRET), url="sqlite:///x.db") is None


# -- on PostgreSQL (when the suite runs on it) ------------------------------------------


@pytest.fixture
def pg(empty_db_url: str, backend: str) -> Iterator[tuple[Engine, str]]:
    if backend != "postgresql":
        pytest.skip("needs PostgreSQL (TRANSPORT_TEST_DATABASE_URL)")
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE pupils (name TEXT UNIQUE)"))
    yield engine, empty_db_url
    engine.dispose()


def test_a_nul_character_on_postgresql(pg: tuple[Engine, str]) -> None:
    engine, url = pg
    error = caught(engine, "INSERT INTO pupils (name) VALUES (:name)", name=SECRET + "\x00")

    assert clean(explain(error, url=url)) == (
        "a value holds a NUL character, which PostgreSQL cannot store"
    )


def test_a_lost_postgresql_connection(pg: tuple[Engine, str]) -> None:
    engine, url = pg
    with pytest.raises(DBAPIError) as error, engine.connect() as victim:
        pid = victim.execute(text("SELECT pg_backend_pid()")).scalar_one()
        killer = make_engine(url)
        with killer.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        victim.execute(text("INSERT INTO pupils (name) VALUES (:name)"), {"name": SECRET})

    sentence = clean(explain(error.value, url=url))
    assert "was lost; what the command had not yet committed was not written" in sentence
    password = make_url(url).password
    assert not password or str(password) not in sentence


def test_a_serialization_failure_on_postgresql(pg: tuple[Engine, str]) -> None:
    engine, url = pg
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO pupils (name) VALUES ('a')"))
    serial = engine.execution_options(isolation_level="SERIALIZABLE")
    with serial.connect() as first, serial.connect() as second:
        first.begin()
        second.begin()
        first.execute(text("SELECT count(*) FROM pupils")).all()
        second.execute(text("SELECT count(*) FROM pupils")).all()
        first.execute(text("UPDATE pupils SET name = :name"), {"name": SECRET})
        first.commit()
        with pytest.raises(DBAPIError) as error:
            second.execute(text("UPDATE pupils SET name = :name"), {"name": SECRET + "!"})

    assert "concurrent writer" in clean(explain(error.value, url=url))


def test_an_error_of_ours_is_not_explained_as_a_database_failure(
    pg: tuple[Engine, str],
) -> None:
    engine, url = pg
    error = caught(engine, "SELECT no_such_function(:name)", name=SECRET)

    assert explain(error, url=url) is None  # a bug of ours: the caller says so generically
