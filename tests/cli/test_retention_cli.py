"""`transport retention apply` through the command line (SQLite, or PostgreSQL with
TRANSPORT_TEST_DATABASE_URL), and the nightly job that runs it.

The county: P1 and P2 share their parent Alex; P3's parent is Jo; P4's is Kim; every
contact by email only. Each award ends 2026-08-31, so R is Thu 2026-09-03 and the nightly
of Thu 2026-08-06 sends the urgent step (by email) and opens a phone task for each child.
Then an import says P2, P3 and P4 have left, on the day the test runs (T, which is also
the day the messages were created): retention counts from T. P4's leaving day is then
moved a year later by hand (the command line cannot import on another day), so that one
run sees a pupil left 2 years and a day ago and one left a year ago.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli import app
from tests.bundles import arrangement, award, contact, council_terms, pupil, school, write_bundle
from transport.db.engine import writer
from transport.db.tables import (
    AuditEvent,
    Contact,
    OutboxMessage,
    Pupil,
    PupilContact,
    ReminderStep,
    RiskSnapshot,
    Task,
)

runner = CliRunner()
URGENT_DAY = "2026-08-06"
REFS = ("P1", "P2", "P3", "P4")
PARENTS = {
    "P1": ("Alex O'Brien", "alex@example.com"),
    "P2": ("Alex O'Brien", "alex@example.com"),
    "P3": ("Jo Smith", "jo@example.org"),
    "P4": ("Kim Lee", "kim@example.net"),
}


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # the file senders write under ./outbox
    return {
        "TRANSPORT_DATABASE_URL": db_url,
        "TRANSPORT_CONFIG": "",
        "COLUMNS": "220",
        "LOGNAME": "night.operator",  # the OS user, as getpass.getuser() reads it
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def county(left: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "schools.csv": [school("100001")],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil(r, status="left" if r in left else "active") for r in REFS],
        "contacts.csv": [
            contact(r, name=PARENTS[r][0], email=PARENTS[r][1], mobile="") for r in REFS
        ],
        "awards.csv": [award(f"A{r}", pupil_ref=r) for r in REFS],
        "arrangements.csv": [
            arrangement(r, year="2025/26", family_informed_on="2025-08-20") for r in REFS
        ],
    }


def imported(env: dict[str, str], folder: Path, files: dict[str, Any]) -> None:
    code, out, err = run(env, "import", str(write_bundle(folder, files)), "--format", "json")
    assert code == 0, err + out


def retention(env: dict[str, str], *args: str) -> dict[str, Any]:
    code, out, err = run(env, "retention", "apply", "--format", "json", *args)
    assert code == 0, err + out
    result: dict[str, Any] = json.loads(out)
    return result


def today() -> date:
    """T: the day the messages were created and the import recorded the leavers (UK)."""
    return datetime.now(ZoneInfo("Europe/London")).date()


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        found = {
            model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Pupil, Contact, PupilContact, OutboxMessage, Task, ReminderStep,
                          RiskSnapshot, AuditEvent)
        }  # fmt: skip
        found["redacted"] = conn.execute(
            select(func.count()).where(OutboxMessage.redacted_at.is_not(None))
        ).scalar_one()
    return found


def rows_about(engine: Engine, model: Any, refs: tuple[str, ...]) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(model).where(model.pupil_ref.in_(refs))
            ).scalar_one()
        )


def outbox_files(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "outbox").glob("*.eml"))


@pytest.fixture
def county_with_leavers(env: dict[str, str], engine: Engine, tmp_path: Path) -> date:
    """The county above, its messages sent (file outbox), P2-P4 left on T, P4 moved to
    T + 1 year + 1 day. Returns T."""
    imported(env, tmp_path / "v1", county())
    code, out, err = run(env, "jobs", "run", "nightly", "--on", URGENT_DAY)
    assert code == 0, err + out
    code, out, err = run(env, "outbox", "send", "--format", "json")
    assert code == 0, err + out
    imported(env, tmp_path / "v2", county(left=("P2", "P3", "P4")))
    t = today()
    with writer(engine).begin() as conn:
        conn.execute(
            update(Pupil).where(Pupil.pupil_ref == "P4").values(left_on=t + timedelta(days=366))
        )
    return t


def test_messages_are_redacted_after_400_days_and_left_pupils_purged_after_2_years(
    env: dict[str, str], engine: Engine, tmp_path: Path, county_with_leavers: date
) -> None:
    t = county_with_leavers
    before = counts(engine)
    # 3 household messages (Alex for P1+P2, Jo, Kim) and the team's digest, all sent.
    assert before["outbox"] == 4 and before["redacted"] == 0
    assert len(outbox_files(tmp_path)) == 4
    about_p2_p3 = {m: rows_about(engine, m, ("P2", "P3")) for m in (Task, ReminderStep)}
    assert all(about_p2_p3.values()) and rows_about(engine, RiskSnapshot, ("P2", "P3")) == 2

    # 399 days after the messages, a year after P2-P3 left: nothing to do.
    quiet = retention(env, "--as-of", str(t + timedelta(days=399)))
    assert quiet["changes"] == 0 and quiet["audited"] is False
    code, out, _ = run(env, "retention", "apply", "--as-of", str(t + timedelta(days=365)))
    assert code == 0 and "Nothing to do" in out
    assert counts(engine) == before

    # 401 days: a dry run says the 4 messages and their 4 files, and writes nothing.
    day401 = str(t + timedelta(days=401))
    dry = retention(env, "--as-of", day401, "--dry-run")
    assert (dry["messages_redacted"], dry["outbox_files_deleted"], dry["purged"]["pupils"]) == (
        4, 4, 0,
    )  # fmt: skip
    assert counts(engine) == before and len(outbox_files(tmp_path)) == 4

    done = retention(env, "--as-of", day401, "--by", "Priya Shah")
    assert (done["messages_redacted"], done["outbox_files_deleted"]) == (4, 4)
    assert outbox_files(tmp_path) == []
    with engine.connect() as conn:
        for m in conn.execute(select(OutboxMessage)).all():
            assert (m.subject, m.body_text, m.body_html, m.to_address, m.context) == (
                None, "", None, "", {},
            )  # fmt: skip
            assert m.status == "sent" and m.channel == "email" and m.redacted_at is not None
            assert m.created_at is not None and m.sent_at is not None
        kept_refs = sorted(tuple(m.pupil_refs) for m in conn.execute(select(OutboxMessage)))
    assert kept_refs == [(), ("P1", "P2"), ("P3",), ("P4",)]
    assert retention(env, "--as-of", day401)["changes"] == 0  # again: nothing

    # 2 years and a day after T: P2 and P3 go; P4 (left a year before) stays.
    purge_day = two_years_and_a_day(t)
    before = counts(engine)
    dry = retention(env, "--as-of", str(purge_day), "--dry-run")
    assert dry["purged"]["pupils"] == 2 and counts(engine) == before
    done = retention(env, "--as-of", str(purge_day))
    assert done["purged"] == dry["purged"]
    purged = done["purged"]
    assert purged["by_school_and_year_left"] == [
        {"school_urn": "100001", "academic_year": f"{ay(t)}/{(ay(t) + 1) % 100:02}", "pupils": 2}
    ]
    rows = purged["rows"]
    assert rows["contacts"] == 1  # Jo; Alex stays for P1, Kim for P4
    assert rows["pupil_contacts"] == 2  # P2-Alex, P3-Jo
    assert rows["outbox"] == 1  # the message to Jo
    assert purged["messages_refs_dropped"] == 1  # Alex's message keeps P1 only
    assert (rows["awards"], rows["arrangements"], rows["applications"]) == (2, 2, 0)
    assert (
        rows["tasks"] == about_p2_p3[Task] and rows["reminder_steps"] == about_p2_p3[ReminderStep]
    )
    assert rows["risk_snapshots"] == 2

    with engine.connect() as conn:
        assert sorted(conn.execute(select(Pupil.pupil_ref)).scalars()) == ["P1", "P4"]
        assert sorted(conn.execute(select(Contact.name)).scalars()) == ["Alex O'Brien", "Kim Lee"]
        refs = sorted(tuple(m.pupil_refs) for m in conn.execute(select(OutboxMessage)))
    assert refs == [(), ("P1",), ("P4",)]
    for model in (Task, ReminderStep, RiskSnapshot, PupilContact):
        assert rows_about(engine, model, ("P2", "P3")) == 0, model
        assert rows_about(engine, model, ("P1",)) > 0, model
    code, out, _ = run(env, "pupil", "P1", "--format", "json")
    assert code == 0 and json.loads(out)["pupil"]["status"] == "active"
    code, _, err = run(env, "pupil", "P3")
    assert code == 2 and "P3" in err

    # A second run: nothing more, and nothing written.
    after = counts(engine)
    again = retention(env, "--as-of", str(purge_day))
    assert again["changes"] == 0 and counts(engine) == after

    # The audit log: one event per run that changed something, with counts only.
    code, out, _ = run(env, "audit", "--action", "retention", "--format", "json")
    events = json.loads(out)
    assert [(e["actor"], e["entity_key"]) for e in events] == [
        ("night.operator", str(purge_day)),
        ("Priya Shah", day401),
    ]
    detail = json.dumps(events[0]["detail"])
    assert events[0]["detail"]["purged"]["pupils"] == 2
    for personal in ("P2", "P3", "Jo Smith", "jo@example.org", "Sam"):
        assert personal not in detail


def two_years_and_a_day(t: date) -> date:
    if (t.month, t.day) == (2, 29):  # its second anniversary is 1 March
        return date(t.year + 2, 3, 2)
    return date(t.year + 2, t.month, t.day) + timedelta(days=1)


def ay(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def test_the_nightly_job_runs_retention_and_can_run_again(
    env: dict[str, str], engine: Engine, county_with_leavers: date
) -> None:
    t = county_with_leavers
    night = str(date(t.year + 2, 12, 31))  # more than 2 years after P2, P3 left; P4 not
    code, out, err = run(env, "jobs", "run", "nightly", "--on", night)
    assert code == 0, err + out
    counts_ = json.loads(out)
    assert counts_["retention"]["pupils_purged"] == 2
    assert counts_["retention"]["messages_redacted"] == 4
    assert "digest_queued" in counts_ and "ladder" in counts_
    with engine.connect() as conn:
        assert sorted(conn.execute(select(Pupil.pupil_ref)).scalars()) == ["P1", "P4"]
    code, out, err = run(env, "jobs", "run", "nightly", "--on", night)
    assert code == 0, err + out
    assert json.loads(out)["retention"] == {
        "messages_redacted": 0,
        "pupils_purged": 0,
        "rows_deleted": 0,
        "outbox_files_deleted": 0,
    }
    code, out, _ = run(env, "jobs", "list", "--job", "nightly", "--format", "json")
    assert [r["status"] for r in json.loads(out)][:2] == ["ok", "ok"]


def test_a_failed_retention_fails_the_nightly_loudly_after_the_reminders(
    env: dict[str, str], engine: Engine, county_with_leavers: date
) -> None:
    t = county_with_leavers
    with writer(engine).begin() as conn:  # the database refuses to delete a pupil
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE DELETE ON pupils "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE DELETE ON pupils "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
    before = counts(engine)
    night = str(date(t.year + 2, 12, 31))
    code, out, err = run(env, "jobs", "run", "nightly", "--on", night)
    assert code == 2
    assert "retention failed" in err and "reminders" in err
    code, out, _ = run(env, "jobs", "list", "--job", "nightly", "--format", "json")
    latest = json.loads(out)[0]
    assert latest["status"] == "failed" and "retention failed" in latest["error"]
    after = counts(engine)
    # The digest of that night was queued; retention's changes were all rolled back.
    assert after["outbox"] == before["outbox"] + 1
    assert (after["pupils"], after["redacted"], after["audit_events"]) == (
        before["pupils"], 0, before["audit_events"],
    )  # fmt: skip
