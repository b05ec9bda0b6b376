"""The import lock: one import at a time per database.

On PostgreSQL it is an advisory lock held by the import's transaction (tried every half
second up to the timeout, so a waiting import can say who holds it and since when); on
SQLite the writer lock (BEGIN IMMEDIATE) already serialises writers, and the import waits
for it up to the same timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from transport.db.engine import BUSY_TIMEOUT_MS, writer
from transport.errors import TransportError

IMPORT_CACHE_KIB = 65536  # SQLite's page cache for an import: 64 MB

IMPORT_LOCK = 0x696D706F7274  # "import" in ASCII: any constant of our own


class ImportBusy(TransportError):
    """Another import holds the lock for longer than this one may wait."""

    exit_code = 2


@contextmanager
def import_transaction(
    engine: Engine,
    *,
    timeout_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> Iterator[tuple[Connection, Any]]:
    """A write connection and its transaction, holding the import lock."""
    with writer(engine).connect() as conn:
        if conn.dialect.name == "sqlite":
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute(f"PRAGMA busy_timeout = {int(timeout_seconds * 1000)}")
            try:
                transaction = conn.begin()
            except OperationalError as exc:
                raise ImportBusy(
                    f"another process has been writing to the database for more than "
                    f"{timeout_seconds:g} s (another import?); nothing was written: run the "
                    "import again when it has finished"
                ) from exc
            finally:
                raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # A county's import writes every table and its indexes in one transaction:
            # with SQLite's default cache (2 MB) each index's pages were read again and
            # again, and a million pupils' import took more than twice as long. A fixed
            # cache keeps the import's memory bounded whatever the county's size.
            raw.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
            try:
                with transaction:
                    yield conn, transaction
            finally:
                raw.execute("PRAGMA cache_size = -2000")  # SQLite's default, for the pool
            return
        transaction = conn.begin()
        _wait_for_lock(conn, timeout_seconds, sleep, monotonic)
        with transaction:
            yield conn, transaction


def _wait_for_lock(
    conn: Connection,
    timeout_seconds: float,
    sleep: Callable[[float], None],
    monotonic: Callable[[], float],
) -> None:
    deadline = monotonic() + timeout_seconds
    take = text("SELECT pg_try_advisory_xact_lock(:key)")
    while not conn.execute(take, {"key": IMPORT_LOCK}).scalar():
        if monotonic() >= deadline:
            since = conn.execute(
                text(
                    "SELECT min(a.xact_start) FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted "
                    "AND l.objid = :low AND l.classid = :high"
                ),
                {"low": IMPORT_LOCK & 0xFFFFFFFF, "high": IMPORT_LOCK >> 32},
            ).scalar()
            when = f" since {since:%Y-%m-%d %H:%M:%S %Z}" if since else ""
            raise ImportBusy(
                f"another import has been running{when}; this one waited "
                f"{timeout_seconds:g} s and wrote nothing: run it again when that one "
                "has finished"
            )
        sleep(0.5)
