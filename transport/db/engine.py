"""Engines that behave: SQLite with foreign keys, WAL and a busy timeout; PostgreSQL on psycopg."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url

WRITER_OPTION = "transport_writer"
# How long a SQLite connection waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# The password of a URL's query string, as libpq reads it (?password=, ?sslpassword=).
_QUERY_SECRET = re.compile(r"([?&](?:ssl)?password=)[^&#]*", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def masked_url(url: str) -> str:
    """A database URL safe to print, whatever its form: the password of its user part
    (up to the *last* ``@``, so that an unencoded ``@`` in the password hides its tail
    too) and a libpq ``password=`` or ``sslpassword=`` in its query show as ``***``.
    Written by hand rather than by SQLAlchemy, which reads ``user:p@ss@host`` as the host
    ``ss@host`` and prints query parameters as they are. A string that is not a URL at
    all (a libpq ``host=... password=...`` string) shows nothing but "…"."""
    scheme = _SCHEME.match(url)
    if scheme is None:
        return "…"
    head, rest = scheme.group(), url[scheme.end() :]
    if rest.startswith("//"):
        at = rest.rfind("@")
        if at >= 0:
            user, colon, _password = rest[2:at].partition(":")
            rest = "//" + user + (":***" if colon else "") + rest[at:]
    return head + _QUERY_SECRET.sub(r"\1***", rest)


def password_at_signs(url: str) -> int:
    """How many ``@`` a URL's authority holds beyond the one that ends its user part: an
    unencoded ``@`` in a password (``%40`` is the encoded form)."""
    if not url.startswith(tuple(f"{scheme}://" for scheme in ("postgresql", "postgres"))):
        return 0
    authority = url.split("://", 1)[1].split("?", 1)[0]
    return max(0, authority.count("@") - 1)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and for an in-memory database)."""
    parsed = make_url(normalise_url(url))
    if not parsed.drivername.startswith("sqlite"):
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, hide_parameters=True)
        event.listen(engine, "do_connect", _private_sqlite_file)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine, "connect", _postgresql_session)
    return engine


def _postgresql_session(dbapi_connection: Any, _record: Any) -> None:
    # No JIT for our sessions: the check's page queries run in a fraction of a second,
    # and compiling them (the planner's cost estimate asks for it) took as long again.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()  # a SET in a transaction rolled back would be undone


def refresh_statistics(conn: Connection, table_names: Iterable[str]) -> None:
    """After a bulk write, let PostgreSQL's planner see the tables as they now are.

    Planner statistics come from ANALYZE, which autovacuum runs only some time later: a
    query planned against an empty or much smaller table picks scans that cost seconds
    per page at a million rows. Inside the import's transaction ANALYZE sees its rows;
    the statistics commit, or roll back, with them. SQLite plans by its indexes alone."""
    if conn.dialect.name != "postgresql":
        return
    # Through the migration's function (0015): run as the application role, a bare
    # ANALYZE of a table it does not own is skipped with only a warning.
    for name in table_names:
        conn.exec_driver_sql("SELECT transport_analyze(%(name)s)", {"name": name})


def _private_sqlite_file(
    _dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> None:
    """Just before SQLite opens a file database that does not exist yet (and would create
    it), create it empty, readable and writable by its owner only (0600), whatever the
    umask: it holds children's names and addresses. SQLite gives its -wal and -shm files
    the main file's mode. An existing file is left as it is, and a database SQLite would
    not create (read-only, in memory, or in a folder that does not exist: SQLite refuses
    it, and so the command does) is not made here either."""
    target = cargs[0] if cargs else cparams.get("database")
    path = _file_to_create(str(target) if target else "", uri=bool(cparams.get("uri")))
    if path is None or path.exists() or not path.parent.is_dir():
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another process made it meanwhile: theirs to keep
        return
    try:
        os.fchmod(fd, 0o600)  # the umask may have taken bits the owner needs
    finally:
        os.close(fd)


def _file_to_create(database: str, *, uri: bool) -> Path | None:
    """The file SQLite would create for ``database``, or None (memory, read-only...)."""
    if not database or database == ":memory:":
        return None
    if not uri:
        return Path(database)
    parts = urlsplit(database)
    if parts.scheme != "file":
        return None
    mode = parse_qs(parts.query).get("mode", ["rwc"])[-1]
    if mode != "rwc" or not parts.path or parts.path == ":memory:":
        return None
    return Path(unquote(parts.path))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from the sqlite3 module so BEGIN is ours (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Writers ask for BEGIN IMMEDIATE (see ``writer``): they take the write lock at the
    # start and queue behind the busy timeout, instead of failing half-way through when
    # a read lock cannot be upgraded. Readers keep a deferred BEGIN and never block.
    if connection.get_execution_options().get(WRITER_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, whose transactions take the write lock at once on SQLite."""
    return engine.execution_options(**{WRITER_OPTION: True})
