"""`transport health` through the root app, in each state (SQLite, or PostgreSQL with
TRANSPORT_TEST_DATABASE_URL): all well (0), each concern that needs a person (1), and
what it cannot tell (2). The command runs on today's clock, so the county is built
around today: every child is covered, arranged and informed for this year and next."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli import app
from tests.bundles import arrangement, award, contact, pupil, school, term, write_bundle
from tests.smtp_server import free_port
from transport.db.engine import make_engine, writer
from transport.db.queries import channels, job_runs
from transport.db.tables import AuditEvent, OutboxMessage, Task, table_of
from transport.domain.calendar import academic_year_of, format_academic_year

runner = CliRunner()


def county() -> dict[str, list[dict[str, Any]]]:
    year = academic_year_of(date.today())
    terms = [
        term(
            "default",
            format_academic_year(y),
            name,
            f"{first_year}-{md_first}",
            f"{last_year}-{md_last}",
        )
        for y in (year, year + 1)
        for name, first_year, md_first, last_year, md_last in (
            ("autumn", y, "09-03", y, "12-18"),
            ("spring", y + 1, "01-05", y + 1, "03-26"),
            ("summer", y + 1, "04-12", y + 1, "07-21"),
        )
    ]
    return {
        "schools.csv": [school("100001")],
        "terms.csv": terms,
        "pupils.csv": [pupil("P1")],
        "contacts.csv": [contact("P1")],
        "awards.csv": [award("A1", valid_from=f"{year}-09-01", valid_until=f"{year + 2}-08-31")],
        "arrangements.csv": [
            arrangement("P1", year=format_academic_year(y), family_informed_on=f"{y}-08-20")
            for y in (year, year + 1)
        ],
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def lines(out: str) -> dict[str, str]:
    """concern -> state word, from the text output."""
    found = {}
    for line in out.splitlines()[1:]:
        state, name, *_ = line.split()
        found[name] = state
    return found


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A county all is well with: imported, the nightly and a dispatch just run."""
    monkeypatch.chdir(tmp_path)
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}
    for args in (
        ("import", str(write_bundle(tmp_path / "bundle", county()))),
        ("jobs", "run", "nightly"),
        ("jobs", "run", "dispatch"),
    ):
        code, out, err = run(env, *args)
        assert code == 0, (args, out, err)
    return env


@pytest.fixture
def db(db_url: str) -> Engine:
    return make_engine(db_url)


def test_all_is_well(env: dict[str, str]) -> None:
    code, out, err = run(env, "health")

    assert code == 0, out + err
    assert out.splitlines()[0] == "OK: all is well"
    assert set(lines(out).values()) == {"ok"}
    assert set(lines(out)) == {
        "data_age",
        "calendar_gaps",
        "nightly",
        "dispatch",
        "channel_email",
        "channel_sms",
        "channel_letter",
        "messages",
        "tasks",
        "letters",
    }
    code, out, _ = run(env, "health", "--format", "json")
    data = json.loads(out)
    assert code == 0 and (data["state"], data["exit_code"]) == ("ok", 0)
    assert {c["concern"]: c["state"] for c in data["concerns"]}["channel_sms"] == "ok"


def stale(db: Engine) -> None:
    with writer(db).begin() as conn:
        conn.execute(
            update(AuditEvent)
            .where(AuditEvent.action == "import")
            .values(at=datetime.now(UTC) - timedelta(days=5))
        )


def email_down(db: Engine) -> None:
    with writer(db).begin() as conn:
        channels.mark_down(
            conn,
            "email",
            "email: SMTP AUTH refused; check SMTP_PASSWORD",
            now=datetime.now(UTC) - timedelta(hours=2),
        )


def nightly_failed(db: Engine) -> None:
    run_id = job_runs.start(
        db, "nightly", date.today(), now=datetime.now(UTC), holder="elsewhere:1"
    )
    job_runs.fail(db, run_id, now=datetime.now(UTC), error="retention failed: the disk is full")


def dispatch_abandoned(db: Engine) -> None:
    run_id = job_runs.start(
        db, "dispatch", date.today(), now=datetime.now(UTC), holder="elsewhere:1"
    )
    job_runs.abandon(
        db, [run_id], now=datetime.now(UTC), why="abandoned: the process running it stopped"
    )


def a_message_failed(db: Engine) -> None:
    with writer(db).begin() as conn:
        conn.execute(
            update(OutboxMessage).values(
                status="failed_permanent", updated_at=datetime.now(UTC), error_code="550"
            )
        )


def a_task_past_due(db: Engine) -> None:
    with writer(db).begin() as conn:
        conn.execute(
            insert(table_of(Task)).values(
                kind="phone_family",
                pupil_ref="P1",
                academic_year=academic_year_of(date.today()),
                reason="phone the family",
                due_on=date.today() - timedelta(days=3),
                status="open",
                opened_on=date.today() - timedelta(days=10),
                opened_at=datetime.now(UTC) - timedelta(days=10),
            )
        )


def a_letter_not_marked_posted(db: Engine) -> None:
    """A letter the file backend wrote a fortnight ago (more than two working days, even
    over Christmas) that the post room never marked posted."""
    with writer(db).begin() as conn:
        first = conn.execute(select(func.min(OutboxMessage.id))).scalar_one()
        conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first)
            .values(
                channel="letter",
                status="sent",
                provider_id="file:letters/1.pdf",
                sent_at=datetime.now(UTC) - timedelta(days=14),
                posted_on=None,
            )
        )


def a_calendar_without_terms(db: Engine, env: dict[str, str], tmp_path: Path) -> None:
    files = {"schools.csv": [school("100002", name="Hill Academy", calendar="trust-north")]}
    code, out, err = run(env, "import", str(write_bundle(tmp_path / "gap", files)))
    assert code == 0, out + err


@pytest.mark.parametrize(
    ("make", "concern"),
    [
        (stale, "data_age"),
        (email_down, "channel_email"),
        (nightly_failed, "nightly"),
        (dispatch_abandoned, "dispatch"),
        (a_message_failed, "messages"),
        (a_task_past_due, "tasks"),
        (a_letter_not_marked_posted, "letters"),
        (a_calendar_without_terms, "calendar_gaps"),
    ],
)
def test_each_concern_that_needs_a_person_exits_1_and_says_so(
    env: dict[str, str], db: Engine, tmp_path: Path, make: Callable[..., None], concern: str
) -> None:
    if make is a_calendar_without_terms:
        make(db, env, tmp_path)
    else:
        make(db)

    code, out, err = run(env, "health")

    assert code == 1, out + err
    assert out.startswith("PROBLEM: 1 concern(s) need a person: " + concern)
    states = lines(out)
    assert states.pop(concern) == "PROBLEM"
    assert set(states.values()) == {"ok"}
    code, out, _ = run(env, "health", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["state"] == "problem"
    assert [c["concern"] for c in data["concerns"] if c["state"] == "problem"] == [concern]


def test_a_letter_left_unposted_names_the_command_that_records_it(
    env: dict[str, str], db: Engine
) -> None:
    a_letter_not_marked_posted(db)

    code, out, err = run(env, "health")

    assert code == 1, out + err
    line = next(line for line in out.splitlines() if line.split()[1:2] == ["letters"])
    assert line.startswith("PROBLEM  letters")
    assert "1 letter(s) written more than 2 working days ago are not marked posted" in line
    assert "transport outbox posted --date D --by NAME" in line
    code, out, err = run(env, "outbox", "posted", "--date", date.today().isoformat(), "--by", "Jo")
    assert code == 0, out + err
    code, out, err = run(env, "health")
    assert code == 0, out + err


def test_a_missing_database_cannot_be_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"TRANSPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'nothing.db'}", "TRANSPORT_CONFIG": ""}

    code, out, _ = run(env, "health")

    assert code == 2
    assert out.startswith("UNKNOWN: transport health cannot tell (database)")
    assert not (tmp_path / "nothing.db").exists()


def test_an_unreachable_database_cannot_be_told_and_its_password_never_shows() -> None:
    url = f"postgresql://transport:hunter2@127.0.0.1:{free_port()}/transport"
    env = {"TRANSPORT_DATABASE_URL": url, "TRANSPORT_CONFIG": ""}

    code, out, err = run(env, "health", "--format", "json")

    assert code == 2, out + err
    data = json.loads(out)
    assert (data["state"], data["exit_code"]) == ("unknown", 2)
    assert data["concerns"][0]["concern"] == "database"
    assert "hunter2" not in out + err


def test_a_record_never_imported_cannot_be_told(db_url: str, tmp_path: Path) -> None:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}
    assert run(env, "db", "upgrade")[0] == 0

    code, out, _ = run(env, "health")

    assert code == 2
    assert lines(out)["data_age"] == "UNKNOWN"
