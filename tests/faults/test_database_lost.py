"""The database going away mid-import, mid-nightly and mid-send: PostgreSQL reached
through a TCP proxy that the test cuts (tests/tcp_proxy.py), the command run as a user
runs it. Exit 2 in one sentence, no traceback, no personal datum; nothing half-written;
after restore() the same command recovers, sending each message exactly once.

PostgreSQL only (the suite's PostgreSQL pass in CI): an SQLite file has no connection to
cut; killing a command mid-write on SQLite is tests/faults/test_sigkill.py."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from tests.faults.conftest import NIGHT
from tests.faults.support import (
    TRACEBACK,
    Personal,
    arrivals,
    assert_clean,
    assert_each_sent_once,
    counts,
    environment,
    job_runs,
    one_sentence,
    outbox_rows,
    run,
    smtp_with_login,
    through,
    write_config,
)
from tests.tcp_proxy import TcpProxy
from tests.twilio_double import TwilioDouble

pytestmark = pytest.mark.usefixtures("postgresql_only")


@pytest.fixture
def postgresql_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("needs a database reached over TCP: runs in the PostgreSQL pass")


def proxy_for(db_url: str) -> TcpProxy:
    url = make_url(db_url)
    return TcpProxy(url.host or "127.0.0.1", url.port or 5432, lifetime_seconds=90)


def refs(folder: Path, name: str, column: str) -> set[str]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


def stored_refs(engine: Engine, table: str, column: str) -> set[str]:
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text(f"SELECT {column} FROM {table}"))}


def test_database_lost_mid_import_writes_nothing_and_the_rerun_imports_it_all(
    tmp_path: Path,
    db_url: str,
    engine: Engine,
    county: Path,
    mid_county: Path,
    county_personal: Personal,
) -> None:
    config = write_config(tmp_path)
    first = run(environment(db_url, config), "import", str(county), cwd=tmp_path)
    assert first.code == 0, first.out
    before = counts(engine)
    with proxy_for(db_url) as proxy:
        env = environment(through(db_url, proxy.port), config)
        proxy.cut_when(b"COPY ", after_bytes=100_000)  # some rows of the bulk load are up
        cut = run(env, "import", str(mid_county), cwd=tmp_path)
        assert proxy.cuts == 1, "the import ended before the cut"
        assert cut.code == 2, cut.out
        one_sentence(cut)
        assert counts(engine) == before, "the lost import left rows behind"

        again = run(env, "import", str(mid_county), cwd=tmp_path)  # refused: still cut
        assert again.code == 2, again.out
        one_sentence(again)

        proxy.restore()
        rerun = run(env, "import", str(mid_county), cwd=tmp_path)
        assert rerun.code == 0, rerun.out
    for table, file, column in (
        ("pupils", "pupils.csv", "pupil_ref"),
        ("awards", "awards.csv", "award_ref"),
        ("applications", "applications.csv", "application_ref"),
        ("schools", "schools.csv", "urn"),
    ):
        assert refs(mid_county, file, column) <= stored_refs(engine, table, column), table
    assert_clean([first, cut, again, rerun], Personal.of_bundle(mid_county))
    assert_clean([first, cut, again, rerun], county_personal)


def test_database_lost_mid_nightly_then_the_rerun_queues_each_message_once(
    tmp_path: Path,
    db_url: str,
    engine: Engine,
    night_reference: list[str],
    county: Path,
    county_personal: Personal,
) -> None:
    config = write_config(tmp_path)
    direct = environment(db_url, config)
    imported = run(direct, "import", str(county), cwd=tmp_path)
    assert imported.code == 0, imported.out
    with proxy_for(db_url) as proxy:
        env = environment(through(db_url, proxy.port), config)
        proxy.cut_when(b"INSERT INTO outbox")  # the ladder starts queueing
        cut = run(env, "jobs", "run", "nightly", "--on", NIGHT, cwd=tmp_path)
        assert proxy.cuts == 1, "the night ended before the cut"
        assert cut.code == 2, cut.out
        one_sentence(cut)
        assert outbox_rows(engine) == [], "half a ladder was queued"
        proxy.restore()
        rerun = run(env, "jobs", "run", "nightly", "--on", NIGHT, cwd=tmp_path)
        assert rerun.code == 0, rerun.out
    assert [row.outcome for row in job_runs(engine)][-1:] == ["ok"]

    # The same night, never interrupted, on a fresh database: the same messages.
    assert sorted(row.dedupe_key for row in outbox_rows(engine)) == night_reference
    assert_clean([imported, cut, rerun], county_personal)


def test_database_lost_mid_send_then_the_rerun_sends_each_message_exactly_once(
    tmp_path: Path, db_url: str, engine: Engine, county: Path, county_personal: Personal
) -> None:
    with smtp_with_login() as smtp, TwilioDouble() as twilio:
        config = write_config(tmp_path, smtp=smtp, twilio=twilio, per_second=15.0)
        direct = environment(db_url, config, twilio=twilio)
        queued = [
            run(direct, "import", str(county), cwd=tmp_path),
            run(direct, "jobs", "run", "nightly", "--on", NIGHT, cwd=tmp_path),
        ]
        assert [r.code for r in queued] == [0, 0], queued
        total = len(outbox_rows(engine))
        with proxy_for(db_url) as proxy:
            env = environment(through(db_url, proxy.port), config, twilio=twilio)
            # Cut as the first wave's outcomes are recorded: sent, not yet written down.
            proxy.cut_when(b"provider_id=$")
            cut = run(env, "outbox", "send", cwd=tmp_path)
            assert proxy.cuts == 1, "the send ended before the cut"
            assert cut.code == 2, cut.out
            one_sentence(cut)
            assert 0 < sum(arrivals(engine, smtp, twilio).values()) < total
            proxy.restore()
            time.sleep(1.2)  # past stale_after_seconds: the lost run's claims are dead
            rerun = run(env, "outbox", "send", cwd=tmp_path)
            assert rerun.code == 0, rerun.out
            unknown = run(env, "outbox", "list", "--status", "unknown", "--format", "json",
                          cwd=tmp_path)  # fmt: skip
        assert len(outbox_rows(engine)) == total, "a message was lost or added"
        assert_each_sent_once(engine, smtp, twilio)
        assert {m["id"] for m in unknown.json()} == {
            row.id for row in outbox_rows(engine) if row.status == "unknown"
        }
    assert_clean([*queued, rerun, unknown], county_personal)
    assert not county_personal.found_in(cut.out), cut.out
    assert TRACEBACK not in cut.out, cut.out
