"""No silent failure: each thing a council saw go quietly wrong is loud, named, with the
exit code that says so, and recoverable by a command. Through the root app, as a user
meets it; on SQLite, and on PostgreSQL in CI."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine, make_url
from typer.testing import CliRunner

from cli import app
from tests.bundles import contact, pupil, small_county, write_bundle
from transport.db.engine import make_engine, writer
from transport.db.tables import JobRun, table_of

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(db_url: str) -> dict[str, str | None]:
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def imported(tmp_path: Path, env: dict[str, str | None], files: dict | None = None) -> Path:
    folder = write_bundle(tmp_path / "bundle", files or small_county())
    code, out, err = run(env, "import", str(folder))
    assert code == 0, out + err
    return folder


# -- 1. no all-clear without data ---------------------------------------------------------


def test_a_check_from_a_folder_without_a_database_creates_nothing_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # cron runs in $HOME: the default sqlite:///transport.db
    env = {"TRANSPORT_DATABASE_URL": None, "TRANSPORT_CONFIG": ""}
    code, out, err = run(env, "check", "--fail-on", "critical")
    assert code == 2
    assert "no data" in err and "transport import" in err
    assert "No child is at risk" not in out
    assert list(tmp_path.iterdir()) == []  # no transport.db, no -wal, no -shm


def test_a_mistyped_sqlite_url_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "transprot.db"
    env = {"TRANSPORT_DATABASE_URL": f"sqlite:///{typo}", "TRANSPORT_CONFIG": ""}
    for command in (["check"], ["digest"], ["remind"], ["outbox", "list"], ["db", "current"]):
        code, _, err = run(env, *command)
        assert code == 2 and "does not exist" in err, (command, err)
    assert not typo.exists()


def test_a_mistyped_postgresql_database_exits_2(backend: str, db_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("a PostgreSQL server is needed to name a database it does not have")
    url = make_url(db_url).set(database="no_such_database_here")
    env = {"TRANSPORT_DATABASE_URL": url.render_as_string(False), "TRANSPORT_CONFIG": ""}
    code, _, err = run(env, "check")
    assert code == 2 and "no_such_database_here" in err
    assert "Traceback" not in err


def test_a_database_without_tables_or_imports_is_no_data(empty_db_url: str) -> None:
    env: dict[str, str | None] = {
        "TRANSPORT_DATABASE_URL": empty_db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"
    }  # fmt: skip
    code, _, err = run(env, "check")  # a fresh database: no file (SQLite), no tables
    assert code == 2 and "no data" in err
    assert run(env, "db", "upgrade")[0] == 0
    code, _, err = run(env, "check", "--fail-on", "critical")  # schema, never imported
    assert code == 2 and "nothing has ever been imported" in err


def test_an_unknown_school_is_a_usage_error(tmp_path: Path, env: dict[str, str | None]) -> None:
    imported(tmp_path, env)
    code, out, err = run(env, "check", "--school", "999999", "--as-of", "2026-08-24")
    assert code == 2 and "999999" in err and out == ""
    code, _, _ = run(env, "check", "--school", "100002", "--as-of", "2026-08-24")
    assert code == 0


def test_stale_data_warns_and_fails_the_monitor(tmp_path: Path, env: dict[str, str | None]) -> None:
    imported(tmp_path, env)
    config = tmp_path / "config.toml"
    config.write_text("[check]\nmax_data_age_days = 0\n")  # anything imported is old now
    stale = {**env, "TRANSPORT_CONFIG": str(config)}
    code, out, _ = run(stale, "check", "--as-of", "2026-08-24", "--format", "json")
    data = json.loads(out)
    assert code == 0
    imported_at = datetime.fromisoformat(data["data_imported_at"])
    assert abs(datetime.now(UTC) - imported_at) < timedelta(minutes=5)
    assert any("last imported" in warning for warning in data["warnings"])
    code, _, err = run(stale, "check", "--as-of", "2026-08-24", "--fail-on", "critical")
    assert code == 1 and "out of date" in err
    # With the default age the same record is fresh: the monitor passes.
    fresh_json = run(env, "check", "--as-of", "2026-08-24", "--format", "json")[1]
    assert json.loads(fresh_json)["warnings"] == []


# -- 3. causes shown in words -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_smtp_connection_is_shown_in_words(
    tmp_path: Path, env: dict[str, str | None]
) -> None:
    imported(tmp_path, env)
    assert run(env, "remind", "--as-of", "2026-06-01")[0] == 0
    config = tmp_path / "smtp.toml"
    config.write_text(
        f'[email]\nbackend = "smtp"\nhost = "127.0.0.1"\nport = {free_port()}\n'
        "starttls = false\ntimeout_seconds = 2\n"
    )
    smtp = {**env, "TRANSPORT_CONFIG": str(config)}
    code, out, _ = run(smtp, "outbox", "send")
    assert code == 1  # retrying
    assert "retrying" in out
    listed = json.loads(run(smtp, "outbox", "list", "--format", "json")[1])
    emails = [m for m in listed if m["channel"] == "email"]
    assert emails and all("refused" in (m["error"] or "") for m in emails)
    table = run(smtp, "outbox", "list")[1]
    assert "refused" in table


# -- 5. a crashed job is found ------------------------------------------------------------


def test_a_job_left_running_by_a_dead_process_is_marked_abandoned(
    tmp_path: Path, env: dict[str, str | None], engine: Engine
) -> None:
    imported(tmp_path, env)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    started = datetime.now(UTC) - timedelta(minutes=5)
    with writer(engine).begin() as conn:
        conn.execute(
            insert(table_of(JobRun)).values(
                job="nightly", run_on=started.date(), started_at=started, outcome="running",
                counts={}, holder=f"{socket.gethostname()[:60]}:{dead.stdout.strip()}",
            )
        )  # fmt: skip
    code, out, err = run(env, "jobs", "list", "--format", "json")
    assert code == 0, err
    [row] = json.loads(out)
    assert row["status"] == "abandoned" and row["job"] == "nightly"
    assert row["finished_at"] is not None and "stopped" in row["error"]
    code, out, _ = run(env, "jobs", "run", "nightly", "--on", "2026-06-01")
    assert code == 0
    runs = json.loads(run(env, "jobs", "list", "--format", "json")[1])
    assert [r["status"] for r in runs] == ["ok", "abandoned"]
    assert runs[0]["duration_seconds"] is not None


# -- 6. children's data is private --------------------------------------------------------


def test_the_database_an_import_creates_is_private(tmp_path: Path, backend: str) -> None:
    database = tmp_path / "council" / "transport.db"
    database.parent.mkdir()
    env = {"TRANSPORT_DATABASE_URL": f"sqlite:///{database}", "TRANSPORT_CONFIG": ""}
    before = os.umask(0o022)
    try:
        imported(tmp_path, env)
    finally:
        os.umask(before)
    for path in database.parent.iterdir():  # the database and its -wal/-shm
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


# -- 7. names shown literally -------------------------------------------------------------


def test_names_are_printed_literally_not_as_markup(
    tmp_path: Path, env: dict[str, str | None]
) -> None:
    files = small_county()
    files["pupils.csv"][0] = pupil("P1", first_name="[link=http://x]Click[/link]")
    files["pupils.csv"][1] = pupil("P2", first_name="[bold red]Mia", year_group="6",
                                   dob="2014-02-03", next_school_urn="100002")  # fmt: skip
    files["applications.csv"] = []
    imported(tmp_path, env, files)
    code, out, _ = run(env, "check", "--as-of", "2026-08-24", "--limit", "0")
    assert code == 0
    assert "[link=http://x]Click[/link]" in out
    assert "[bold red]Mia" in out


# -- 8. passwords masked ------------------------------------------------------------------


def test_demo_never_prints_the_database_password(backend: str, db_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("only a server URL carries a password")
    url = make_url(db_url).set(password="s3cret-pw")  # trust auth here: any password works
    env = {"TRANSPORT_DATABASE_URL": url.render_as_string(False), "TRANSPORT_CONFIG": ""}
    code, out, err = run(env, "demo", "--pupils", "60", "--limit", "1")
    assert code == 0, err
    assert "s3cret-pw" not in out + err
    assert "***" in out


# -- 9. the preview is the truth ----------------------------------------------------------


def test_the_preview_is_what_the_ladder_queues(
    tmp_path: Path, env: dict[str, str | None], db_url: str
) -> None:
    files = small_county()
    files["applications.csv"] = []  # nobody has applied for next year: the ladder is due
    imported(tmp_path, env, files)
    day = "2026-06-01"
    code, preview, _ = run(env, "outbox", "preview", "--pupil", "P1", "--kind",
                           "renewal_invite", "--channel", "email", "--as-of", day)  # fmt: skip
    assert code == 0, preview
    assert run(env, "remind", "--as-of", day)[0] == 0
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            queued = conn.execute(
                text(
                    "SELECT body_text FROM outbox "
                    "WHERE channel = 'email' AND CAST(pupil_refs AS TEXT) LIKE '%P1%'"
                )
            ).scalars().all()
    finally:
        engine.dispose()
    assert queued, "the ladder queued nothing for P1"
    assert queued[0].strip() in preview


def test_a_preview_with_nothing_to_send_says_so(
    tmp_path: Path, env: dict[str, str | None]
) -> None:
    files = small_county()
    files["applications.csv"] = []
    files["contacts.csv"] = [contact("P1", mobile=""), contact("P2"), contact("P3", mobile="")]
    imported(tmp_path, env, files)
    code, out, err = run(env, "outbox", "preview", "--pupil", "P1", "--kind",
                         "renewal_invite", "--channel", "sms", "--as-of", "2026-06-01")  # fmt: skip
    assert code == 1 and out == ""
    assert "nothing to send" in err
    code, _, err = run(env, "outbox", "preview", "--pupil", "P1", "--kind",
                       "renewal_invite", "--as-of", "2026-03-01")  # fmt: skip
    assert code == 1 and "not due" in err


# -- 10. generate never overwrites a council's export -------------------------------------


def test_generate_refuses_a_folder_that_holds_files(
    tmp_path: Path, env: dict[str, str | None]
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "pupils.csv").write_text("the council's own export\n")
    code, _, err = run(env, "generate", "--out", str(export), "--pupils", "50")
    assert code == 2 and "--force" in err
    assert (export / "pupils.csv").read_text() == "the council's own export\n"
    code, _, _ = run(env, "generate", "--out", str(export), "--pupils", "50", "--force")
    assert code == 0 and (export / "schools.csv").exists()


# -- 4. no traceback, and --debug for developers ------------------------------------------


def test_a_failure_is_one_sentence_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "TRANSPORT_CONFIG": "", "PYTHONPATH": str(ROOT),
           "TRANSPORT_DATABASE_URL": "postgresql://u:s3cret@127.0.0.1:1/x"}  # fmt: skip
    plain = subprocess.run([sys.executable, "-m", "cli", "check"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert plain.returncode == 2
    assert "Traceback" not in plain.stderr and len(plain.stderr.strip().splitlines()) == 1
    debug = subprocess.run([sys.executable, "-m", "cli", "--debug", "check"], env=env,
                           cwd=tmp_path, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert debug.returncode != 0 and "Traceback" in debug.stderr
    assert "s3cret" not in plain.stderr


def test_a_read_only_database_still_answers_the_check(
    tmp_path: Path, env: dict[str, str | None], backend: str, db_url: str
) -> None:
    if backend != "sqlite":
        pytest.skip("a read-only SQLite file; PostgreSQL's read-only standby is not here")
    imported(tmp_path, env)
    database = make_url(db_url).database
    read_only = {**env, "TRANSPORT_DATABASE_URL": f"sqlite:///file:{database}?mode=ro&uri=true"}
    code, out, err = run(read_only, "check", "--as-of", "2026-08-24", "--format", "json")
    assert code == 0
    assert json.loads(out)["counts"]["in_scope"] == 3  # the answer is not lost
    assert "not kept as a snapshot" in err and "read-only" in err
    code, _, err = run(read_only, "remind", "--as-of", "2026-06-01")
    assert code == 2 and "read-only" in err and "Traceback" not in err


# -- 2. a failure whose cause was ours can be sent again ----------------------------------


def test_outbox_retry_requeues_failed_messages_but_never_to_an_opted_out_number(
    tmp_path: Path, env: dict[str, str | None], engine: Engine
) -> None:
    imported(tmp_path, env)
    assert run(env, "remind", "--as-of", "2026-08-06")[0] == 0  # urgent: sms and email
    listed = json.loads(run(env, "outbox", "list", "--format", "json")[1])
    sms = next(m for m in listed if m["channel"] == "sms")
    email = next(m for m in listed if m["channel"] == "email")
    with writer(engine).begin() as conn:  # as a night of refused credentials left them
        conn.execute(
            text("UPDATE outbox SET status = 'failed_permanent', attempts = 8, "
                 "error_code = '20003' WHERE id IN (:a, :b)"),
            {"a": sms["id"], "b": email["id"]},
        )  # fmt: skip
        conn.execute(
            text("UPDATE contacts SET mobile_status = 'opted_out' WHERE id = :c"),
            {"c": sms["contact_id"]},
        )
    code, _, err = run(env, "outbox", "retry", "--status", "failed_permanent")
    assert code == 2 and "--by" in err  # who did it goes in the audit log
    code, out, _ = run(env, "outbox", "retry", "--status", "failed_permanent", "--by", "Jo")
    assert code == 0
    assert "queued again: 1" in out
    assert f"message {sms['id']}: the contact's sms is opted_out" in out
    after = {m["id"]: m for m in json.loads(run(env, "outbox", "list", "--format", "json")[1])}
    assert after[email["id"]]["status"] == "failed_temporary"
    assert after[email["id"]]["attempts"] == 0
    assert after[sms["id"]]["status"] == "failed_permanent"
    with engine.connect() as conn:
        actors = conn.execute(
            text("SELECT actor FROM audit_events WHERE action = 'retry'")
        ).scalars().all()
    assert actors == ["Jo"]
