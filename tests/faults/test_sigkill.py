"""SIGKILL of each long command mid-run (import, jobs run nightly, outbox send), as the
out-of-memory killer or a pulled plug would: the next run recovers. The import is all or
nothing; the night is idempotent (the re-run queues what one uninterrupted night queues);
messages left `sending` are reconciled, never blindly re-sent (an email becomes `unknown`
and is listed, an SMS is looked up at Twilio); a job run left `running` is `abandoned`."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.faults.conftest import NIGHT
from tests.faults.support import (
    Personal,
    arrivals,
    assert_clean,
    assert_each_sent_once,
    counts,
    environment,
    job_runs,
    kill,
    outbox_rows,
    run,
    smtp_with_login,
    start,
    wait_for,
    write_config,
)
from tests.faults.test_database_lost import refs, stored_refs
from tests.twilio_double import TwilioDouble
from transport.db.locks import IMPORT_LOCK


def bytes_written(engine: Engine) -> int:
    """What the database has written so far, committed or not: SQLite's write-ahead log
    (uncommitted pages spill there), PostgreSQL's pupils table (its pages grow with rows
    no other session can see yet)."""
    if engine.dialect.name == "sqlite":
        wal = Path(f"{engine.url.database}-wal")
        return wal.stat().st_size if wal.exists() else 0
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_relation_size('pupils')")).scalar_one())


def import_holds_the_lock(engine: Engine) -> bool:
    """The import's transaction is open: SQLite's writer lock is taken (BEGIN IMMEDIATE is
    refused at once), or PostgreSQL's import lock (an advisory lock) is granted."""
    if engine.dialect.name == "sqlite":
        probe = sqlite3.connect(str(engine.url.database), timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
        return False
    with engine.connect() as conn:
        held = conn.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                 "AND objid = :low AND classid = :high AND database = "
                 "(SELECT oid FROM pg_database WHERE datname = current_database())"),
            {"low": IMPORT_LOCK & 0xFFFFFFFF, "high": IMPORT_LOCK >> 32},
        ).scalar_one()  # fmt: skip
    return bool(held)


def test_import_killed_mid_run_writes_nothing_and_the_rerun_imports_it_all(
    tmp_path: Path,
    db_url: str,
    engine: Engine,
    county: Path,
    big_county: Path,
    big_personal: Personal,
) -> None:
    env = environment(db_url, write_config(tmp_path))
    first = run(env, "import", str(county), cwd=tmp_path)
    assert first.code == 0, first.out
    before = counts(engine)
    written = bytes_written(engine)
    importing = start(env, "import", str(big_county), cwd=tmp_path)
    # Well into the work, whatever the machine's speed: the import holds the writer lock
    # and has written a megabyte it has not committed.
    wait_for(lambda: importing.poll() is not None
             or (bytes_written(engine) > written + 2**20 and import_holds_the_lock(engine)),
             timeout=60, step=0.002, what="the import to be writing")  # fmt: skip
    killed = kill(importing, ["import", str(big_county)])
    assert counts(engine) == before, "the killed import left rows behind"
    rerun = run(env, "import", str(big_county), cwd=tmp_path)
    assert rerun.code == 0, rerun.out
    for table, file, column in (
        ("pupils", "pupils.csv", "pupil_ref"),
        ("awards", "awards.csv", "award_ref"),
        ("applications", "applications.csv", "application_ref"),
    ):
        assert refs(big_county, file, column) <= stored_refs(engine, table, column), table
    assert_clean([first, killed, rerun], big_personal)


def test_nightly_killed_mid_run_is_idempotent_and_its_run_shows_abandoned(
    tmp_path: Path,
    db_url: str,
    engine: Engine,
    night_reference: list[str],
    county: Path,
    county_personal: Personal,
) -> None:
    config = write_config(tmp_path)
    env = environment(db_url, config)
    imported = run(env, "import", str(county), cwd=tmp_path)
    assert imported.code == 0, imported.out
    night = start(env, "jobs", "run", "nightly", "--on", NIGHT, cwd=tmp_path)
    wait_for(lambda: bool(job_runs(engine)) or night.poll() is not None, timeout=30,
             what="the night's job run to be recorded")  # fmt: skip
    killed = kill(night, ["jobs", "run", "nightly", "--on", NIGHT])
    (dead,) = job_runs(engine)
    assert dead.outcome == "running"

    rerun = run(env, "jobs", "run", "nightly", "--on", NIGHT, cwd=tmp_path)
    assert rerun.code == 0, rerun.out

    # The same night, never interrupted, on a fresh database: the same messages.
    assert sorted(row.dedupe_key for row in outbox_rows(engine)) == night_reference
    assert_clean([imported, killed, rerun], county_personal)

    listed = run(env, "jobs", "list", "--format", "json", cwd=tmp_path)
    assert TRACEBACK_FREE(listed.out)
    assert listed.code == 0, listed.out
    runs_ = {item["id"]: item for item in listed.json()}
    for item in runs_.values():
        assert set(item) >= {
            "id", "job", "run_on", "status", "started_at", "finished_at",
            "duration_seconds", "counts", "error",
        }  # fmt: skip
    assert runs_[dead.id]["status"] == "abandoned", runs_[dead.id]
    assert runs_[dead.id]["job"] == "nightly" and runs_[dead.id]["run_on"] == NIGHT
    assert [runs_[i]["status"] for i in sorted(runs_) if i != dead.id] == ["ok"]
    assert_clean([listed], county_personal)


def TRACEBACK_FREE(output: str) -> bool:
    return "Traceback (most recent call last)" not in output


def test_send_killed_mid_run_reconciles_what_was_sending_and_never_resends_blindly(
    tmp_path: Path, db_url: str, engine: Engine, county: Path, county_personal: Personal
) -> None:
    with smtp_with_login() as smtp, TwilioDouble() as twilio:
        config = write_config(tmp_path, smtp=smtp, twilio=twilio, per_second=20.0, workers=2)
        env = environment(db_url, config, twilio=twilio)
        queued = [
            run(env, "import", str(county), cwd=tmp_path),
            run(env, "jobs", "run", "nightly", "--on", NIGHT, cwd=tmp_path),
        ]
        assert [r.code for r in queued] == [0, 0], queued
        total = len(outbox_rows(engine))
        sending = start(env, "outbox", "send", cwd=tmp_path)
        wait_for(lambda: sum(arrivals(engine, smtp, twilio).values()) >= 8, timeout=30,
                 what="the first messages to arrive")  # fmt: skip
        killed = kill(sending, ["outbox", "send"])
        assert sum(arrivals(engine, smtp, twilio).values()) < total, "it had finished"
        left = {
            row.id: (row.channel, row.attempted_at is not None)
            for row in outbox_rows(engine)
            if row.status == "sending"
        }
        time.sleep(1.2)  # past stale_after_seconds: the dead run's claims are known dead

        rerun = run(env, "outbox", "send", cwd=tmp_path)
        # An email the dead run had attempted is an outcome unknown: exit 1 (README).
        left_unknown = any(channel == "email" and tried for channel, tried in left.values())
        assert rerun.code == (1 if left_unknown else 0), rerun.out
        assert "recovered after a stop" in rerun.out
        unknown = run(env, "outbox", "list", "--status", "unknown", "--format", "json",
                      cwd=tmp_path)  # fmt: skip
        assert len(outbox_rows(engine)) == total, "a message was lost or added"
        assert_each_sent_once(engine, smtp, twilio)
        rows = {row.id: row for row in outbox_rows(engine)}
        listed = {m["id"] for m in unknown.json()}
        assert listed == {i for i, row in rows.items() if row.status == "unknown"}
        # Every email the dead run had attempted is unknown (listed for the team), never
        # re-sent; an SMS it had attempted was looked up at Twilio.
        assert left, "nothing was sending when it died"
        for message_id, (channel, attempted) in left.items():
            status = rows[message_id].status
            if channel == "email" and attempted:
                assert status == "unknown", (message_id, status)
            else:  # an SMS found at Twilio, or a message never attempted: sent once
                assert status == "sent", (message_id, channel, attempted, status)
        assert all(rows[i].channel == "email" for i in listed)
    assert_clean([*queued, killed, rerun, unknown], county_personal)
