"""Database failures in one sentence for people, with nothing of the data in it.

SQLAlchemy's own message quotes the SQL statement and its parameters (children's names,
addresses): never shown. ``explain`` names what went wrong and what to do, with the
database's URL (password masked), or returns None for a failure it does not recognise
(the caller then says something generic, also without the statement).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import exc as sa_exc

from transport.db.engine import masked_url

# SQLSTATE classes and codes (PostgreSQL appendix A).
_CONCURRENT = frozenset({"40001", "40P01"})  # serialization failure, deadlock
_UNIQUE = "23505"
_LOCKED = "55P03"  # lock_not_available (lock_timeout)
_DISK_FULL = frozenset({"53100", "53200"})  # disk_full, out_of_memory
_READ_ONLY = "25006"  # read_only_sql_transaction (a standby, default_transaction_read_only)
_SHUTDOWN = frozenset({"57P01", "57P02", "57P03"})  # admin/crash shutdown, cannot connect now
_NUL = frozenset({"22021", "22P05"})  # character not in repertoire, untranslatable character
_BAD_LOGIN = frozenset({"28P01", "28000"})
_NO_DATABASE = "3D000"


def explain(exc: BaseException, *, url: str) -> str | None:
    """One sentence for a database failure, or None when it is not one we know."""
    where = masked_url(url)
    if isinstance(exc, sa_exc.TimeoutError):  # the pool, not the database
        return (
            f"no connection to the database {where} became free in time; "
            "too many commands may be running at once; try again"
        )
    if isinstance(exc, sa_exc.DBAPIError):
        orig: Any = exc.orig
        invalidated = bool(exc.connection_invalidated)
    elif isinstance(exc, sa_exc.StatementError) and isinstance(exc.orig, Exception):
        orig, invalidated = exc.orig, False
    else:
        orig, invalidated = exc, False
    if isinstance(orig, sqlite3.Error):
        return _sqlite(orig, where)
    if _is_psycopg_error(orig):
        return _postgresql(orig, where, invalidated=invalidated)
    return None


def _busy_seconds() -> str:
    from transport.db import engine

    return f"{engine.BUSY_TIMEOUT_MS / 1000:g}"


def _sqlite(orig: sqlite3.Error, where: str) -> str | None:
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    text = str(orig).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
        return (
            f"the database {where} is locked by another process (waited {_busy_seconds()} s); "
            "try again when it finishes"
        )
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return f"the database file {where} is read-only; check its permissions"
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return f"the disk holding the database {where} is full; free some space and run it again"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return (
            f"cannot open the database file {where}; check that its folder exists and "
            "that this user may read and write it"
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return f"the database file {where} is damaged or is not a database; restore a backup"
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return f"the disk holding the database {where} failed to read or write; check it"
    if name.startswith("SQLITE_CONSTRAINT_UNIQUE") or "unique constraint failed" in text:
        return _concurrent()
    return None


def _is_psycopg_error(orig: object) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(orig, psycopg.Error)


def _postgresql(orig: Any, where: str, *, invalidated: bool) -> str | None:
    state = str(getattr(orig, "sqlstate", None) or "")
    text = str(orig).lower()
    if state in _CONCURRENT or state == _UNIQUE:
        return _concurrent()
    if state == _LOCKED:
        return (
            f"the rows this command needs in {where} are locked by another command; "
            "try again when it finishes"
        )
    if "nul (0x00)" in text or (state in _NUL and "0x00" in text):
        return "a value holds a NUL character, which PostgreSQL cannot store"
    if state in _DISK_FULL:
        return f"the disk holding the database {where} is full; free some space and run it again"
    if state == _READ_ONLY:
        return f"the database {where} is read-only (a standby?); point the command at the primary"
    if state in _BAD_LOGIN or "password authentication failed" in text:
        return f"the database {where} refused our credentials; check the user and password"
    if state == _NO_DATABASE or ("database" in text and "does not exist" in text):
        return f"the database {where} does not exist; create it or check the URL"
    if "connection refused" in text:
        return f"cannot connect to the database {where}: connection refused"
    if "could not translate host name" in text or "name or service not known" in text:
        return f"cannot connect to the database {where}: the host name is not known"
    if "timeout expired" in text or "timed out" in text:
        return f"cannot connect to the database {where}: no answer in time"
    if (
        invalidated
        or state.startswith("08")
        or state in _SHUTDOWN
        or "server closed the connection" in text
        or "terminating connection" in text
        or "consuming input failed" in text
        or "the connection is closed" in text
        or "connection is lost" in text
    ):
        return (
            f"the connection to the database {where} was lost; what the command had not "
            "yet committed was not written; run it again (it carries on where it stopped)"
        )
    return None


def _concurrent() -> str:
    return (
        "another command changed the same rows at the same time (a concurrent writer); run it again"
    )
