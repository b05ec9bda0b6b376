"""`transport simulate` agrees with running `transport remind` day by day, and never
writes anything."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from jobs.simulate import simulate
from services.app import build
from services.renewals import remind
from transport.clock import FixedClock
from transport.config import Config, DatabaseConfig
from transport.db.tables import OutboxMessage, ReminderStep, Task
from transport.domain.council import parse_team
from transport.imports.bundle import import_bundle
from transport.synthetic import generate_bundle

START, END = date(2026, 8, 1), date(2026, 8, 28)


def county(tmp_path: Path, engine: Engine) -> None:
    folder = tmp_path / "bundle"
    generate_bundle(folder, pupils=240, seed=3, year=2026)
    report = import_bundle(engine, folder, now=datetime(2026, 7, 31, tzinfo=UTC))
    assert report.ok, report.problems.items[:3]


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (OutboxMessage, ReminderStep, Task)
        )


def test_simulation_agrees_with_remind_day_by_day(
    tmp_path: Path, engine: Engine, db_url: str
) -> None:
    county(tmp_path, engine)
    config = dataclasses.replace(Config(), database=DatabaseConfig(url=db_url))
    idle = parse_team(["decide=0,award=0,arrange=0,inform=0"])  # `remind` decides nothing
    sim = simulate(build(config), start=START, end=END, reply_rate=0.0, team=idle).runs[
        "with_reminders"
    ]
    assert counts(engine) == (0, 0, 0)  # the simulation wrote nothing
    simulated = {(m.on, m.step, m.contact_id, m.channel, m.pupil_refs) for m in sim.messages}
    assert {m.step for m in sim.messages} >= {"urgent", "final"}

    clock = FixedClock(datetime(2026, 8, 1, 21, 30, tzinfo=UTC))
    app = build(config, clock=clock)
    day = START
    while day <= END:
        clock.set(datetime(day.year, day.month, day.day, 21, 30, tzinfo=UTC))
        remind(app, day)
        day += timedelta(days=1)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                OutboxMessage.created_at,
                OutboxMessage.step,
                OutboxMessage.contact_id,
                OutboxMessage.channel,
                OutboxMessage.pupil_refs,
            )
        ).all()
    reminded = {(r[0].date(), r[1], r[2], r[3], tuple(r[4])) for r in rows}
    assert reminded == simulated
    assert len(rows) == len(sim.messages)


def test_replies_stop_the_ladder_in_the_simulation(
    tmp_path: Path, engine: Engine, db_url: str
) -> None:
    county(tmp_path, engine)
    config = dataclasses.replace(Config(), database=DatabaseConfig(url=db_url))
    silent = simulate(build(config), start=START, end=END, reply_rate=0.0).runs["with_reminders"]
    everyone = simulate(build(config), start=START, end=END, reply_rate=1.0).runs[
        "with_reminders"
    ]
    # Everyone applies after their first message: nobody gets a second step.
    first_messages = {m.pupil_refs for m in everyone.messages}
    assert len(everyone.messages) < len(silent.messages)
    assert len(everyone.replies) > 0
    steps_per_pupil: dict[str, set[str]] = {}
    for message in everyone.messages:
        for ref in message.pupil_refs:
            steps_per_pupil.setdefault(ref, set()).add(message.step)
    assert all(len(steps) == 1 for steps in steps_per_pupil.values())
    assert first_messages
