"""The renewal ladder on a real database (SQLite, or PostgreSQL when
TRANSPORT_TEST_DATABASE_URL is set): `remind` and `nightly` from jobs/nightly.py.

Every expected value was worked out by hand from docs/reminders.md and
docs/check.md, for a small bundle on the council calendar (tests/bundles.py):

    2025/26 summer term Mon 2026-04-13 .. Wed 2026-07-22
    2026/27 autumn term Thu 2026-09-03 .. Fri 2026-12-18

Each pupil's award runs 2025-09-01 .. 2026-08-31 (Mon): covered through the summer
term, so R, the first school day not covered, is Thu 2026-09-03 (academic year 2026,
2026/27). With the default ladder (and the default 120-day horizon, which reaches R from
Wed 2026-05-06 on):

    invite   R - 100  Tue 2026-05-26  ["email"]
    reminder R -  56  Thu 2026-07-09  ["email", "sms"]
    urgent   R -  28  Thu 2026-08-06  ["sms", "email"]  + phone_family task
    final    R -  10  Mon 2026-08-24  ["sms", "email"]  + phone_family, team alert

Each pupil also has a 2025/26 arrangement the family was told about, so the only reason
at risk is NO_APPLICATION for 2026/27 (and UNREACHABLE where a test makes it so).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from jobs.nightly import nightly
from services.app import App, build
from services.renewals import remind
from tests.bundles import (
    application,
    arrangement,
    award,
    contact,
    council_terms,
    pupil,
    school,
    write_bundle,
)
from transport.clock import FixedClock
from transport.config import (
    Config,
    CouncilConfig,
    DatabaseConfig,
    LadderStepConfig,
    RemindersConfig,
)
from transport.db.engine import writer
from transport.db.tables import Contact, OutboxMessage, ReminderStep, Task
from transport.imports.bundle import import_bundle

R = date(2026, 9, 3)  # Thu
YEAR = 2026  # 2026/27
INVITE_DAY = date(2026, 5, 26)  # Tue, R - 100
REMINDER_DAY = date(2026, 7, 9)  # Thu, R - 56
URGENT_DAY = date(2026, 8, 6)  # Thu, R - 28
FINAL_DAY = date(2026, 8, 24)  # Mon, R - 10
EMAIL = "alex@example.com"
MOBILE = "+447700900123"  # 07700 900123 in E.164
TEAM = "team@county.example"


# --- the bundle and the app --------------------------------------------------------------


def family(
    *refs_and_names: tuple[str, str], preferred: str = "both", **contact_extra: Any
) -> dict[str, list[dict[str, Any]]]:
    """Children of one family (same contact row for each), all with the award above."""
    return {
        "schools.csv": [school("100001")],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil(ref, first_name=name) for ref, name in refs_and_names],
        "contacts.csv": [
            contact(ref, preferred_channel=preferred, **contact_extra) for ref, _ in refs_and_names
        ],
        "awards.csv": [award(f"A{ref}", pupil_ref=ref) for ref, _ in refs_and_names],
        "arrangements.csv": [
            arrangement(ref, year="2025/26", family_informed_on="2025-08-20")
            for ref, _ in refs_and_names
        ],
    }


def load(engine: Engine, folder: Path, files: dict[str, list[dict[str, Any]]]) -> None:
    report = import_bundle(
        engine, write_bundle(folder, files), now=datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    )
    assert report.ok, report.as_dict()


def apply(engine: Engine, folder: Path, status: str, *, year: str = "2026/27") -> None:
    """An application arrives (imported on its own, as the council's export would)."""
    load(
        engine,
        folder,
        {
            "applications.csv": [
                application(
                    "APP1", pupil_ref="P1", year=year, status=status, received_on="2026-06-01"
                )
            ]
        },
    )


def set_contact(engine: Engine, **values: Any) -> None:
    with writer(engine).begin() as conn:
        conn.execute(update(Contact).values(**values))


@pytest.fixture
def app(db_url: str, engine: Engine) -> Iterator[App]:
    config = dataclasses.replace(
        Config(),
        database=DatabaseConfig(url=db_url),
        council=dataclasses.replace(CouncilConfig(), team_email=TEAM),
    )
    built = build(config, clock=FixedClock(datetime(2026, 5, 1, 1, 0, tzinfo=UTC)))
    yield built
    built.close()


def at(app: App, day: date) -> None:
    """The job runs at 02:00 UTC on ``day``."""
    assert isinstance(app.clock, FixedClock)
    app.clock.set(datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC))


def run(app: App, day: date, **kw: Any) -> Any:
    at(app, day)
    return remind(app, day, **kw)


def run_nightly(app: App, day: date) -> dict[str, Any]:
    at(app, day)
    return nightly(app, day).as_dict()


# --- reading the record ------------------------------------------------------------------


def outbox(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage.__table__).order_by(OutboxMessage.id))
        return [dict(row._mapping) for row in rows]


ORDER = {"invite": 0, "reminder": 1, "urgent": 2, "final": 3}


def sent(engine: Engine) -> list[tuple[str | None, str, list[str]]]:
    """(step, channel, pupil_refs) of the family messages, by ladder step, then channel
    (the order of messages queued together is not part of the spec)."""
    found = [
        (row["step"], row["channel"], list(row["pupil_refs"]))
        for row in outbox(engine)
        if row["kind"] != "team_digest"
    ]
    return sorted(found, key=lambda m: (ORDER[m[0] or ""], m[1], m[2]))


def steps(engine: Engine) -> list[tuple[str, int, str, str, date]]:
    """(pupil, year, step, outcome, on_date), by step order of the ladder."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ReminderStep.pupil_ref,
                ReminderStep.academic_year,
                ReminderStep.step,
                ReminderStep.outcome,
                ReminderStep.on_date,
            )
        ).all()
    return sorted(
        ((r.pupil_ref, r.academic_year, r.step, r.outcome, r.on_date) for r in rows),
        key=lambda row: (row[0], ORDER[row[2]]),
    )


def tasks(engine: Engine) -> list[tuple[str, str, int, str, str | None]]:
    """(kind, pupil, year, status, closed_by)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Task.kind, Task.pupil_ref, Task.academic_year, Task.status, Task.closed_by
            ).order_by(Task.id)
        ).all()
    return [(r.kind, r.pupil_ref, r.academic_year, r.status, r.closed_by) for r in rows]


# --- the first step ----------------------------------------------------------------------


def test_the_invite_goes_by_email_on_its_first_day(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    # Mon 2026-05-25 = R - 101: renewal-due, but no step yet.
    early = run(app, date(2026, 5, 25))
    assert early.ladder.due == 1
    assert early.ladder.planned == []
    assert outbox(engine) == []
    assert steps(engine) == []

    # Tue 2026-05-26 = R - 100: the invite, by email only (invite: ["email"]), although
    # the contact prefers both.
    result = run(app, INVITE_DAY)
    rows = outbox(engine)
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "renewal_invite"
    assert row["step"] == "invite"
    assert row["channel"] == "email"
    assert row["to_address"] == EMAIL
    assert list(row["pupil_refs"]) == ["P1"]
    assert row["academic_year"] == YEAR
    assert row["status"] == "queued"
    assert row["contact_id"] is not None
    assert row["subject"]
    # The message names the child, the day transport ends (Mon 2026-08-31), how to apply
    # and the council's number (spec: Messages; council defaults from Config()).
    body = row["body_text"]
    assert "Sam" in body
    assert "Monday 31 August 2026" in body
    assert app.config.council.renewal_url in body
    assert app.config.council.contact_phone in body
    assert steps(engine) == [("P1", YEAR, "invite", "sent", INVITE_DAY)]
    with engine.connect() as conn:
        stored = conn.execute(select(ReminderStep.uncovered_from)).scalar_one()
    assert stored == R
    counts = result.counts.ladder
    assert counts.renewal_due == 1
    assert counts.by_step == (("invite", 1),)
    assert counts.steps_recorded == 1
    assert counts.steps_skipped == 0
    assert counts.queued == 1
    assert counts.unreachable == 0
    assert tasks(engine) == []  # the invite asks for no caseworker task


def test_two_runs_on_the_same_night_queue_nothing_new(
    app: App, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    run(app, INVITE_DAY)
    again = run(app, INVITE_DAY)
    assert again.ladder.planned == []
    assert again.ladder.queued == 0
    # A second process (its own App and engine) the same night.
    other = build(app.config, clock=FixedClock(datetime(2026, 5, 26, 3, 0, tzinfo=UTC)))
    try:
        third = remind(other, INVITE_DAY)
    finally:
        other.close()
    assert third.ladder.queued == 0
    # The next night too: the invite is not repeated (Wed 2026-05-27 = R - 99).
    run(app, date(2026, 5, 27))
    assert len(outbox(engine)) == 1
    assert steps(engine) == [("P1", YEAR, "invite", "sent", INVITE_DAY)]


def test_two_runs_at_the_urgent_step_open_one_task(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    run(app, URGENT_DAY)
    run(app, URGENT_DAY)
    assert sent(engine) == [("urgent", "email", ["P1"]), ("urgent", "sms", ["P1"])]
    assert len(steps(engine)) == 3  # invite and reminder skipped, urgent sent
    assert tasks(engine) == [("phone_family", "P1", YEAR, "open", None)]


def test_two_processes_at_once_record_and_send_nothing_twice(
    app: App, engine: Engine, tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spec: "re-running the night, or running two processes, sends nothing twice". Two
    processes (their own App and engine) run `remind` for Thu 2026-08-06 at the same time.
    P1's contact is reachable (urgent by sms and email, a phone_family task); P2's contact
    has a bounced email and no mobile (urgent unreachable, a fix_contact task). On
    PostgreSQL both runs are held just before the task sync so that both have decided
    what they want before either commits (the race a scheduler and a manual run can have);
    SQLite takes the write lock at BEGIN, so there the runs queue behind each other."""
    files = family(("P1", "Sam"))
    files["pupils.csv"].append(pupil("P2", first_name="Mia"))
    files["contacts.csv"].append(contact("P2", name="Jo Smith", email="jo@example.org", mobile=""))
    files["awards.csv"].append(award("AP2", pupil_ref="P2"))
    files["arrangements.csv"].append(
        arrangement("P2", year="2025/26", family_informed_on="2025-08-20")
    )
    load(engine, tmp_path / "b", files)
    with writer(engine).begin() as conn:
        conn.execute(
            update(Contact).where(Contact.name == "Jo Smith").values(email_status="bounced")
        )

    nightly_module = importlib.import_module("services.renewals")
    real_sync = nightly_module.sync_tasks
    barrier = threading.Barrier(2)

    def held_sync(*args: Any, **kwargs: Any) -> Any:
        if backend == "postgresql":
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10)
        return real_sync(*args, **kwargs)

    monkeypatch.setattr(nightly_module, "sync_tasks", held_sync)
    start = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def one_process() -> None:
        other = build(app.config, clock=FixedClock(datetime(2026, 8, 6, 2, 0, tzinfo=UTC)))
        try:
            other.ready()
            start.wait(timeout=10)
            results.append(remind(other, URGENT_DAY))
        except BaseException as exc:
            errors.append(exc)
        finally:
            other.close()

    threads = [threading.Thread(target=one_process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sent(engine) == [("urgent", "email", ["P1"]), ("urgent", "sms", ["P1"])]
    assert [s for s in steps(engine) if s[2] == "urgent"] == [
        ("P1", YEAR, "urgent", "sent", URGENT_DAY),
        ("P2", YEAR, "urgent", "unreachable", URGENT_DAY),
    ]
    assert len(steps(engine)) == 6  # plus invite and reminder skipped for each
    # Both processes finish: the second one finds the work done, it does not fail.
    assert [repr(exc)[:300] for exc in errors] == []
    assert sum(result.ladder.queued for result in results) == 2
    # The urgent step's phone_family task is open (and each task once), also after the
    # next night's run (Fri 2026-08-07), when no step asks for it any more.
    run(app, date(2026, 8, 7))
    open_keys = [(t[0], t[1], t[2]) for t in tasks(engine) if t[3] == "open"]
    assert len(open_keys) == len(set(open_keys))
    assert {("phone_family", "P1", YEAR), ("fix_contact", "P2", YEAR)} <= set(open_keys)


def test_a_rerun_after_a_crash_before_the_task_sync_still_opens_phone_family(
    app: App, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The night's run stops after the ladder committed (urgent queued, Thu 2026-08-06)
    but before the task sync. Re-running the night (the nightly job's promise: every step
    can be re-run for a date) sends nothing twice and still opens the phone_family task
    that the urgent step asks for."""
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    nightly_module = importlib.import_module("services.renewals")
    real_sync = nightly_module.sync_tasks

    def killed(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("process killed between the ladder and the task sync")

    monkeypatch.setattr(nightly_module, "sync_tasks", killed)
    with pytest.raises(RuntimeError):
        run(app, URGENT_DAY)
    monkeypatch.setattr(nightly_module, "sync_tasks", real_sync)
    assert sent(engine) == [("urgent", "email", ["P1"]), ("urgent", "sms", ["P1"])]
    assert tasks(engine) == []

    run(app, URGENT_DAY)
    assert sent(engine) == [("urgent", "email", ["P1"]), ("urgent", "sms", ["P1"])]
    assert tasks(engine) == [("phone_family", "P1", YEAR, "open", None)]


def test_steps_of_another_school_year_do_not_count(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    # The key is (pupil, academic year of R, step): last year's invite (2025/26, for an R
    # in September 2025) does not stop this year's (2026/27) on Tue 2026-05-26.
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    with writer(engine).begin() as conn:
        conn.execute(
            insert(ReminderStep).values(
                pupil_ref="P1",
                academic_year=2025,
                step="invite",
                outcome="sent",
                on_date=date(2025, 5, 27),
                uncovered_from=date(2025, 9, 4),
                created_at=datetime(2025, 5, 27, 2, 0, tzinfo=UTC),
            )
        )
    run(app, INVITE_DAY)
    assert sent(engine) == [("invite", "email", ["P1"])]
    assert [(s[1], s[2], s[3]) for s in steps(engine)] == [
        (2025, "invite", "sent"),
        (2026, "invite", "sent"),
    ]


def test_a_ladder_from_the_config_is_used(db_url: str, engine: Engine, tmp_path: Path) -> None:
    # Two steps: "early" 30 days before R by sms (from Tue 2026-08-04), "last" 5 days
    # before R by email with a caseworker task (from Sat 2026-08-29).
    ladder = [
        LadderStepConfig("early", 30, ["sms"]),
        LadderStepConfig("last", 5, ["email"], caseworker_task=True),
    ]
    config = dataclasses.replace(
        Config(),
        database=DatabaseConfig(url=db_url),
        reminders=dataclasses.replace(RemindersConfig(), ladder=ladder),
    )
    custom = build(config, clock=FixedClock(datetime(2026, 8, 3, 2, 0, tzinfo=UTC)))
    try:
        load(engine, tmp_path / "b", family(("P1", "Sam")))
        # Thu 2026-07-09 (the default reminder day) and Mon 2026-08-03 (R - 31): nothing.
        assert run(custom, REMINDER_DAY).ladder.planned == []
        assert run(custom, date(2026, 8, 3)).ladder.planned == []
        assert outbox(engine) == []
        run(custom, date(2026, 8, 4))  # Tue, R - 30
        rows = outbox(engine)
        assert [(r["step"], r["channel"], r["to_address"]) for r in rows] == [
            ("early", "sms", MOBILE)
        ]
        assert tasks(engine) == []
        run(custom, date(2026, 8, 29))  # Sat, R - 5
        rows = outbox(engine)
        assert [(r["step"], r["channel"], r["to_address"]) for r in rows] == [
            ("early", "sms", MOBILE),
            ("last", "email", EMAIL),
        ]
        assert tasks(engine) == [("phone_family", "P1", YEAR, "open", None)]
    finally:
        custom.close()


# --- catch-up ----------------------------------------------------------------------------


def test_after_a_missed_week_only_the_current_step_is_sent(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    # The job first runs on Thu 2026-07-16, a week after the reminder's Thu 2026-07-09:
    # the reminder (email and sms for "both"); the invite is recorded as skipped.
    first = run(app, date(2026, 7, 16))
    assert sent(engine) == [("reminder", "email", ["P1"]), ("reminder", "sms", ["P1"])]
    assert {row["to_address"] for row in outbox(engine)} == {EMAIL, MOBILE}
    assert all(row["kind"] == "renewal_reminder" for row in outbox(engine))
    assert steps(engine) == [
        ("P1", YEAR, "invite", "skipped", date(2026, 7, 16)),
        ("P1", YEAR, "reminder", "sent", date(2026, 7, 16)),
    ]
    assert first.counts.ladder.steps_skipped == 1
    # The skipped invite is never sent later (Fri 2026-07-17, Mon 2026-07-20).
    run(app, date(2026, 7, 17))
    run(app, date(2026, 7, 20))
    assert len(outbox(engine)) == 2


def test_from_invite_straight_to_urgent_skips_the_reminder_for_good(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    run(app, INVITE_DAY)
    # No run from Wed 2026-05-27 until Mon 2026-08-10 (after urgent, Thu 2026-08-06):
    # urgent only, the reminder recorded as skipped.
    run(app, date(2026, 8, 10))
    assert sent(engine) == [
        ("invite", "email", ["P1"]),
        ("urgent", "email", ["P1"]),
        ("urgent", "sms", ["P1"]),
    ]
    # Every night from Tue 2026-08-11 to Mon 2026-08-24 (final): only the final is new.
    for day in range(11, 25):
        run(app, date(2026, 8, day))
    assert sent(engine) == [
        ("invite", "email", ["P1"]),
        ("urgent", "email", ["P1"]),
        ("urgent", "sms", ["P1"]),
        ("final", "email", ["P1"]),
        ("final", "sms", ["P1"]),
    ]
    assert steps(engine) == [
        ("P1", YEAR, "invite", "sent", INVITE_DAY),
        ("P1", YEAR, "reminder", "skipped", date(2026, 8, 10)),
        ("P1", YEAR, "urgent", "sent", date(2026, 8, 10)),
        ("P1", YEAR, "final", "sent", FINAL_DAY),
    ]
    assert [row["kind"] for row in outbox(engine)] == [
        "renewal_invite",
        "renewal_urgent",
        "renewal_urgent",
        "renewal_final",
        "renewal_final",
    ]


# --- an application stops the ladder -----------------------------------------------------


@pytest.mark.parametrize("status", ["received", "assessing", "approved", "refused"])
def test_an_application_for_the_year_stops_the_reminders(
    app: App, engine: Engine, tmp_path: Path, status: str
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    run(app, INVITE_DAY)
    apply(engine, tmp_path / "app", status)  # received Mon 2026-06-01, for 2026/27
    for day in (REMINDER_DAY, URGENT_DAY, FINAL_DAY, R):
        result = run(app, day)
        assert result.ladder.planned == []
    assert sent(engine) == [("invite", "email", ["P1"])]
    assert steps(engine) == [("P1", YEAR, "invite", "sent", INVITE_DAY)]
    assert [t for t in tasks(engine) if t[0] == "phone_family"] == []


@pytest.mark.parametrize(
    ("status", "year"),
    [
        ("withdrawn", "2026/27"),  # a withdrawn application does not stop them
        ("approved", "2025/26"),  # an application for another year does not either
    ],
)
def test_a_withdrawn_or_other_year_application_does_not_stop_them(
    app: App, engine: Engine, tmp_path: Path, status: str, year: str
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    run(app, INVITE_DAY)
    apply(engine, tmp_path / "app", status, year=year)
    run(app, REMINDER_DAY)
    assert sent(engine) == [
        ("invite", "email", ["P1"]),
        ("reminder", "email", ["P1"]),
        ("reminder", "sms", ["P1"]),
    ]


def test_phone_family_task_closes_itself_when_the_application_arrives(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    # Thu 2026-08-06, urgent: a phone_family task for P1, 2026/27.
    urgent = run(app, URGENT_DAY)
    assert tasks(engine) == [("phone_family", "P1", YEAR, "open", None)]
    assert urgent.counts.tasks is not None and urgent.counts.tasks.opened == 1
    # Fri 2026-08-07: no application yet, no step due, the task stays open (not reopened).
    run(app, date(2026, 8, 7))
    assert tasks(engine) == [("phone_family", "P1", YEAR, "open", None)]
    # The application arrives; Mon 2026-08-10: the cause is gone, the task closes. R is
    # 24 days away (> task_within_days 21): no chase_application yet.
    apply(engine, tmp_path / "app", "received")
    closing = run(app, date(2026, 8, 10))
    assert closing.counts.tasks is not None and closing.counts.tasks.closed == 1
    assert tasks(engine) == [("phone_family", "P1", YEAR, "closed", "auto")]
    # Mon 2026-08-24: no final reminder.
    run(app, FINAL_DAY)
    assert sent(engine) == [("urgent", "email", ["P1"]), ("urgent", "sms", ["P1"])]


def test_phone_family_stays_one_task_through_urgent_and_final(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    run(app, URGENT_DAY)
    run(app, FINAL_DAY)  # final asks again: the same open task
    assert tasks(engine) == [("phone_family", "P1", YEAR, "open", None)]


# --- households ----------------------------------------------------------------------------


def test_siblings_sharing_a_contact_get_one_message_naming_both(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam"), ("P2", "Mia")))
    with engine.connect() as conn:
        assert len(conn.execute(select(Contact.id)).all()) == 1  # one person
    # Tue 2026-05-26: one invite email naming Sam and Mia.
    run(app, INVITE_DAY)
    rows = outbox(engine)
    assert len(rows) == 1
    assert list(rows[0]["pupil_refs"]) == ["P1", "P2"]
    assert "Sam" in rows[0]["body_text"]
    assert "Mia" in rows[0]["body_text"]
    assert [(s[0], s[2], s[3]) for s in steps(engine)] == [
        ("P1", "invite", "sent"),
        ("P2", "invite", "sent"),
    ]
    # Thu 2026-07-09: the reminder, one email and one sms, each naming both.
    run(app, REMINDER_DAY)
    reminders = [row for row in outbox(engine) if row["step"] == "reminder"]
    assert sorted(row["channel"] for row in reminders) == ["email", "sms"]
    for row in reminders:
        assert list(row["pupil_refs"]) == ["P1", "P2"]
        assert "Sam" in row["body_text"]
        assert "Mia" in row["body_text"]


# --- channels ------------------------------------------------------------------------------


def test_a_contact_who_opted_out_of_sms_gets_email_instead(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam"), preferred="sms"))
    set_contact(engine, mobile_status="opted_out")
    # Thu 2026-08-06, urgent ["sms", "email"], prefers sms, but STOP: by email.
    run(app, URGENT_DAY)
    rows = outbox(engine)
    assert [(r["step"], r["channel"], r["to_address"]) for r in rows] == [
        ("urgent", "email", EMAIL)
    ]
    assert steps(engine)[-1] == ("P1", YEAR, "urgent", "sent", URGENT_DAY)


def test_an_opted_out_contact_who_prefers_both_gets_only_email(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    set_contact(engine, mobile_status="opted_out")
    # Thu 2026-07-09, reminder ["email", "sms"]: sms is unusable, email only.
    run(app, REMINDER_DAY)
    assert sent(engine) == [("reminder", "email", ["P1"])]


def test_a_contact_who_prefers_sms_gets_the_invite_by_sms(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam"), preferred="sms"))
    # Tue 2026-05-26, invite ["email"]: email is not wanted, the next usable is sms.
    run(app, INVITE_DAY)
    rows = outbox(engine)
    assert [(r["step"], r["channel"], r["to_address"]) for r in rows] == [("invite", "sms", MOBILE)]
    assert "Sam" in rows[0]["body_text"]


def test_a_bounced_email_makes_the_invite_go_by_sms(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam"), preferred="email"))
    set_contact(engine, email_status="bounced")
    run(app, INVITE_DAY)
    assert [(r["channel"], r["to_address"]) for r in outbox(engine)] == [("sms", MOBILE)]


@pytest.mark.parametrize(
    ("contact_extra", "statuses"),
    [
        ({}, {"email_status": "bounced", "mobile_status": "opted_out"}),
        ({}, {"email_status": "bounced", "mobile_status": "invalid"}),
        ({"email": ""}, {"mobile_status": "invalid"}),  # mobile only, and it is invalid
    ],
)
def test_no_usable_channel_is_unreachable_with_a_fix_contact_task(
    app: App,
    engine: Engine,
    tmp_path: Path,
    contact_extra: dict[str, str],
    statuses: dict[str, str],
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam"), **contact_extra))
    set_contact(engine, **statuses)
    result = run(app, INVITE_DAY)
    assert outbox(engine) == []
    assert steps(engine) == [("P1", YEAR, "invite", "unreachable", INVITE_DAY)]
    assert result.ladder.unreachable == ["P1"]
    assert result.counts.ladder.unreachable == 1
    assert tasks(engine) == [("fix_contact", "P1", YEAR, "open", None)]
    # Re-running the night changes nothing.
    run(app, INVITE_DAY)
    assert outbox(engine) == []
    assert len(steps(engine)) == 1
    assert tasks(engine) == [("fix_contact", "P1", YEAR, "open", None)]


# --- dry run ---------------------------------------------------------------------------------


def test_a_dry_run_writes_nothing_but_reports_the_messages(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    # Thu 2026-08-06, urgent: sms and email, a phone_family task, two skipped steps.
    dry = run(app, URGENT_DAY, dry_run=True)
    assert sorted(m.channel for m in dry.ladder.messages) == ["email", "sms"]
    assert all(list(m.pupil_refs) == ["P1"] for m in dry.ladder.messages)
    assert all("Sam" in (m.body_text or "") for m in dry.ladder.messages)
    assert dry.ladder.dry_run
    assert outbox(engine) == []
    assert steps(engine) == []
    assert tasks(engine) == []
    # The real run afterwards sends it all.
    run(app, URGENT_DAY)
    assert sent(engine) == [("urgent", "email", ["P1"]), ("urgent", "sms", ["P1"])]
    assert tasks(engine) == [("phone_family", "P1", YEAR, "open", None)]


# --- nightly and the team digest ----------------------------------------------------------


def digests(engine: Engine) -> list[dict[str, Any]]:
    return [row for row in outbox(engine) if row["kind"] == "team_digest"]


def test_nightly_queues_the_team_digest_once_per_day(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    first = run_nightly(app, INVITE_DAY)
    assert first["digest_queued"] is True
    [digest] = digests(engine)
    assert digest["dedupe_key"] == "digest:2026-05-26"
    assert digest["to_address"] == TEAM
    assert digest["channel"] == "email"
    assert digest["status"] == "queued"
    assert digest["pupil_refs"] in ([], None)
    assert sent(engine) == [("invite", "email", ["P1"])]
    # Again the same day: nothing new at all.
    again = run_nightly(app, INVITE_DAY)
    assert again["digest_queued"] is False
    assert len(outbox(engine)) == 2
    assert len(steps(engine)) == 1
    # The next day (Wed 2026-05-27): a new digest, no new reminder.
    run_nightly(app, date(2026, 5, 27))
    assert [row["dedupe_key"] for row in digests(engine)] == [
        "digest:2026-05-26",
        "digest:2026-05-27",
    ]
    assert sent(engine) == [("invite", "email", ["P1"])]


def test_the_final_step_alerts_the_team_in_the_digest(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    run_nightly(app, URGENT_DAY)
    [urgent_digest] = digests(engine)
    assert "Final reminders sent today" not in urgent_digest["body_text"]
    # Mon 2026-08-24: the final (alert_team): the digest names the child.
    run_nightly(app, FINAL_DAY)
    final_digest = digests(engine)[-1]
    assert final_digest["dedupe_key"] == "digest:2026-08-24"
    assert "Final reminders sent today" in final_digest["body_text"]
    alerted = final_digest["body_text"].split("Final reminders sent today", 1)[1]
    assert any(line.split() == ["P1", "Sam", "O'Brien"] for line in alerted.splitlines())
