"""Files holding personal data are private whatever the umask: a new SQLite database (and
its -wal and -shm files) 0600; the file outboxes' folders 0700 and each message 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from notifications.file_outbox import FileEmailOutbox, FileSmsOutbox
from notifications.ports import EmailMessage, SmsMessage
from transport.db.engine import make_engine, writer
from transport.db.schema import upgrade


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets group and others read what is created (the common default)."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_files_are_private(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "transport.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        with engine.connect() as reading:  # holds the WAL open while we look
            reading.execute(text("SELECT 1")).all()
            with writer(engine).begin() as conn:
                conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
            wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
            assert wal.exists() and shm.exists()
            assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        engine.dispose()


def test_a_database_in_a_missing_folder_is_still_refused(tmp_path: Path, open_umask: None) -> None:
    """Whether a missing database is created is not decided here: SQLite refuses a file
    in a folder that does not exist, and making it private creates no folder."""
    path = tmp_path / "no" / "such" / "x.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with pytest.raises(Exception, match="unable to open"):
            engine.connect()
    finally:
        engine.dispose()
    assert not path.parent.exists()


def test_an_existing_database_file_keeps_its_mode(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "shared.db"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).all()
    finally:
        engine.dispose()
    assert mode(path) == 0o640


def test_a_read_only_database_that_is_missing_is_not_created(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "missing.db"
    engine = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with pytest.raises(Exception, match="unable to open"):
            engine.connect()
    finally:
        engine.dispose()
    assert not path.exists()


def test_the_email_outbox_folder_and_files_are_private(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "new" / "outbox"
    outbox = FileEmailOutbox(folder, "transport@council.example")

    provider_id = outbox.send(EmailMessage("zoe@example.org", "Renew", "Dear parent", None, "r1"))

    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert mode(outbox.path_of(provider_id)) == 0o600


def test_the_sms_outbox_folder_and_files_are_private(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "sms"
    outbox = FileSmsOutbox(folder)

    provider_id = outbox.send(SmsMessage("+447700900123", "Renew now", "r2"))

    assert mode(folder) == 0o700
    assert mode(outbox.path_of(provider_id)) == 0o600
