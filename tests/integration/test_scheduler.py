"""The scheduler's wiring: its triggers around the 2026 clock changes, the catch-up after a
missed night, the single-active lease (with real processes), a short real-time smoke test
and a clean stop on SIGTERM. No freezegun here: it freezes time.monotonic, which the
scheduler's threads wait on. Times are passed explicitly instead.

The catch-up tests put a recording stub in JOBS["nightly"]: they are about which date is
run, how often and what job_runs says (the real nightly is tested with its own data in
test_remind.py). The SIGTERM test runs the real jobs, on an empty database, in a real
`run_scheduler` process.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from jobs import JOBS
from jobs.scheduler import (
    EXIT_LEASE_HELD,
    LEASE_NAME,
    ScheduleSettings,
    build_scheduler,
    catch_up,
    next_nightly_times,
)
from services.app import App, build
from tests.bundles import small_county, write_bundle
from transport.clock import Clock, FixedClock
from transport.config import Config, DatabaseConfig
from transport.db.engine import make_engine, writer
from transport.db.queries.leases import LeaseKeeper, acquire, new_holder_id, release, renew, state
from transport.db.tables import JobRun, table_of
from transport.imports.bundle import import_bundle

ROOT = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 5, 5, 11, 0, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def make_app(engine: Engine, db_url: str) -> Iterator[Callable[..., App]]:
    """Apps on the test database (migrated by `engine`), closed afterwards."""
    built: list[App] = []

    def make(clock: Clock | None = None) -> App:
        config = dataclasses.replace(Config(), database=DatabaseConfig(url=db_url))
        built.append(build(config, clock=clock))
        return built[-1]

    yield make
    for app in built:
        app.close()


def job_runs(engine: Engine, job: str | None = None) -> list[Any]:
    table = table_of(JobRun)
    query = select(table).order_by(table.c.id)
    if job is not None:
        query = query.where(table.c.job == job)
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def wait_for(condition: Callable[[], Any], seconds: float, step: float = 0.05) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(step)
    return condition()


# ------------------------------------------------------------------------------ triggers


def test_the_nightly_fires_at_2130_london_time_every_day_across_both_clock_changes() -> None:
    settings = ScheduleSettings(nightly_time="21:30")
    spring = next_nightly_times(settings, datetime(2026, 3, 27, 12, 0, tzinfo=UTC), 4)
    assert [t.astimezone(UTC) for t in spring] == [
        datetime(2026, 3, 27, 21, 30, tzinfo=UTC),  # 21:30 GMT
        datetime(2026, 3, 28, 21, 30, tzinfo=UTC),  # 21:30 GMT, the night before the change
        datetime(2026, 3, 29, 20, 30, tzinfo=UTC),  # 21:30 BST, the day the clocks went forward
        datetime(2026, 3, 30, 20, 30, tzinfo=UTC),
    ]
    autumn = next_nightly_times(settings, datetime(2026, 10, 23, 12, 0, tzinfo=UTC), 4)
    assert [t.astimezone(UTC) for t in autumn] == [
        datetime(2026, 10, 23, 20, 30, tzinfo=UTC),  # 21:30 BST
        datetime(2026, 10, 24, 20, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 21, 30, tzinfo=UTC),  # 21:30 GMT, the day the clocks went back
        datetime(2026, 10, 26, 21, 30, tzinfo=UTC),
    ]
    for fire in spring + autumn:
        assert fire.astimezone(LONDON).strftime("%H:%M") == "21:30"


@pytest.mark.parametrize(
    ("nightly_time", "on_change_days"),
    [
        # 00:30 GMT on 29 March; 00:30 BST on 25 October (23:30Z the day before).
        ("00:30", [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 10, 24, 23, 30, tzinfo=UTC)]),  # noqa: E501
        # 02:30 BST on 29 March; 02:30 GMT on 25 October.
        ("02:30", [datetime(2026, 3, 29, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 30, tzinfo=UTC)]),  # noqa: E501
    ],
)  # fmt: skip
def test_a_nightly_next_to_the_change_hour_fires_exactly_once_on_each_change_day(
    nightly_time: str, on_change_days: list[datetime]
) -> None:
    settings = ScheduleSettings(nightly_time=nightly_time)
    fired = []
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        times = next_nightly_times(settings, local(day.year, day.month, day.day - 1, 12), 3)
        fired += [t.astimezone(UTC) for t in times if t.astimezone(LONDON).date() == day]
    assert fired == on_change_days


@pytest.mark.parametrize("nightly_time", ["01:00", "01:30", "01:59"])
def test_a_nightly_in_the_clock_change_hour_is_refused(nightly_time: str) -> None:
    with pytest.raises(ValueError, match="clock-change hour 01:00-01:59"):
        ScheduleSettings(nightly_time=nightly_time)


def test_the_nightly_time_and_intervals_are_checked() -> None:
    for ok in ("00:59", "02:00", "21:30", "23:59"):
        assert ScheduleSettings(nightly_time=ok).nightly_time == ok
    for bad in ("2130", "24:00", "21:60", "9:30", ""):
        with pytest.raises(ValueError, match="HH:MM"):
            ScheduleSettings(nightly_time=bad)
    with pytest.raises(ValueError, match="does not exist or happens twice"):
        ScheduleSettings(nightly_time="02:30", timezone="America/New_York")
    with pytest.raises(ValueError, match="not a known timezone"):
        ScheduleSettings(timezone="Europe/Atlantis")
    with pytest.raises(ValueError, match="dispatch_minutes"):
        ScheduleSettings(dispatch_minutes=0)


def test_the_scheduler_is_wired_with_memory_jobs_and_london_time(
    make_app: Callable[..., App],
) -> None:
    app = make_app(FixedClock(T0))
    keeper = LeaseKeeper(app.engine, LEASE_NAME, timedelta(seconds=120), app.clock.now)
    settings = ScheduleSettings()
    scheduler = build_scheduler(app, settings, scheduler_cls=BackgroundScheduler, keeper=keeper)
    scheduler.start(paused=True)  # the job defaults apply as jobs are scheduled; none runs
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown()
    assert set(jobs) == {"nightly", "dispatch", "poll_status", "lease"}
    assert str(scheduler.timezone) == "Europe/London"
    assert type(scheduler._jobstores["default"]).__name__ == "MemoryJobStore"
    nightly = jobs["nightly"].trigger
    assert str(nightly.timezone) == "Europe/London"
    start = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    assert nightly.get_next_fire_time(None, start) == next_nightly_times(settings, start, 1)[0]
    assert jobs["dispatch"].trigger.interval == timedelta(minutes=5)
    assert jobs["poll_status"].trigger.interval == timedelta(minutes=15)
    assert jobs["lease"].trigger.interval == timedelta(seconds=40)
    assert jobs["nightly"].misfire_grace_time == 3600
    assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
    without = build_scheduler(app, settings, scheduler_cls=BackgroundScheduler)
    assert {job.id for job in without.get_jobs()} == {"nightly", "dispatch", "poll_status"}


@pytest.mark.parametrize(
    ("first", "change_at"),
    [
        (datetime(2026, 3, 29, 0, 32, tzinfo=UTC), "01:00 GMT -> 02:00 BST"),
        (datetime(2026, 10, 25, 0, 32, tzinfo=UTC), "02:00 BST -> 01:00 GMT"),
    ],
)
def test_dispatch_fires_every_300_seconds_across_the_clock_change(
    make_app: Callable[..., App], first: datetime, change_at: str
) -> None:
    app = make_app(FixedClock(T0))
    scheduler = build_scheduler(app, ScheduleSettings(), scheduler_cls=BackgroundScheduler)
    trigger = scheduler.get_job("dispatch").trigger
    fires = [first]
    for _ in range(12):
        fires.append(trigger.get_next_fire_time(fires[-1], fires[-1]))
    assert {(b - a).total_seconds() for a, b in itertools.pairwise(fires)} == {300.0}
    offsets = {fire.astimezone(LONDON).utcoffset() for fire in fires}
    assert offsets == {timedelta(0), timedelta(hours=1)}, f"does not cross {change_at}"


# ------------------------------------------------------------------------------ catch-up


@pytest.fixture
def nightly_calls(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    calls: list[date] = []

    def stub(app: App, on: date) -> dict[str, Any]:
        calls.append(on)
        return {"stub": True}

    monkeypatch.setitem(JOBS, "nightly", stub)
    return calls


def record(engine: Engine, on: date, outcome: str) -> None:
    started = datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    with writer(engine).begin() as conn:
        conn.execute(
            insert(table_of(JobRun)).values(
                job="nightly", run_on=on, started_at=started, finished_at=started,
                outcome=outcome, counts={},
            )
        )  # fmt: skip


MAY = {day: date(2026, 5, day) for day in range(1, 6)}


@pytest.mark.parametrize(
    ("ok", "failed", "now", "expected"),
    [
        pytest.param([], [], local(2026, 5, 5, 8, 0), [MAY[5]], id="never-run"),
        pytest.param([MAY[4]], [], local(2026, 5, 5, 8, 0), [], id="last-night-ran"),
        pytest.param([MAY[2]], [], local(2026, 5, 5, 8, 0), [MAY[5]], id="missed-nights"),
        pytest.param([MAY[3]], [MAY[4]], local(2026, 5, 5, 8, 0), [MAY[5]], id="failed-not-run"),
        pytest.param([MAY[4]], [], local(2026, 5, 5, 21, 29), [], id="before-tonight"),
        pytest.param([MAY[4]], [], local(2026, 5, 5, 21, 30), [MAY[5]], id="tonight-due"),
        pytest.param([MAY[4]], [], local(2026, 5, 5, 22, 0), [MAY[5]], id="tonight-missed"),
        pytest.param([MAY[4], MAY[5]], [], local(2026, 5, 5, 22, 0), [], id="tonight-ran"),
        pytest.param(
            [MAY[3], date(2026, 9, 1)], [], local(2026, 5, 5, 8, 0), [MAY[5]],
            id="a-run-by-hand-for-september-hides-no-missed-night",
        ),
        # 29 March: 21:00 BST is 20:00Z, before tonight's 21:30 BST; 21:45 BST is after it
        # (and before 21:30Z, so a schedule read in UTC would get both wrong).
        pytest.param([date(2026, 3, 28)], [], local(2026, 3, 29, 21, 0), [], id="spring-before"),
        pytest.param(
            [date(2026, 3, 28)], [], local(2026, 3, 29, 21, 45), [date(2026, 3, 29)],
            id="spring-after",
        ),
    ],
)  # fmt: skip
def test_catch_up_runs_a_missed_nightly_once_for_today(
    make_app: Callable[..., App],
    engine: Engine,
    nightly_calls: list[date],
    ok: list[date],
    failed: list[date],
    now: datetime,
    expected: list[date],
) -> None:
    for day in ok:
        record(engine, day, "ok")
    for day in failed:
        record(engine, day, "failed")
    app = make_app(FixedClock(now))
    before = len(job_runs(engine, "nightly"))

    assert catch_up(app, ScheduleSettings(), now.astimezone(UTC)) == expected

    assert nightly_calls == expected
    new = job_runs(engine, "nightly")[before:]
    assert [(row.run_on, row.outcome) for row in new] == [(day, "ok") for day in expected]


@pytest.mark.parametrize(
    ("ok", "expected"),
    [([MAY[5]], []), ([MAY[4]], [MAY[5]])],
    ids=["ran-at-00:30-today", "missed-00:30-today"],
)
def test_catch_up_after_midnight_goes_by_the_local_date_of_the_run(
    make_app: Callable[..., App],
    engine: Engine,
    nightly_calls: list[date],
    ok: list[date],
    expected: list[date],
) -> None:
    # 00:30 BST on 5 May is 23:30Z on 4 May: the run due last was 5 May's.
    for day in ok:
        record(engine, day, "ok")
    now = local(2026, 5, 5, 8, 0)
    app = make_app(FixedClock(now))
    assert catch_up(app, ScheduleSettings(nightly_time="00:30"), now) == expected
    assert nightly_calls == expected


def test_a_failed_catch_up_is_recorded_and_raised(
    make_app: Callable[..., App], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(app: App, on: date) -> dict[str, Any]:
        raise RuntimeError("the database of schools is on fire")

    monkeypatch.setitem(JOBS, "nightly", broken)
    app = make_app(FixedClock(T0))
    with pytest.raises(RuntimeError, match="on fire"):
        catch_up(app, ScheduleSettings(), T0)
    [row] = job_runs(engine, "nightly")
    assert (row.run_on, row.outcome) == (MAY[5], "failed")
    assert "on fire" in row.error


# ------------------------------------------------------------------------------ the lease

TTL = timedelta(seconds=60)


def test_the_lease_is_one_holders_until_it_expires(engine: Engine) -> None:
    a, b = "host:1:aaaa", "host:2:bbbb"
    assert acquire(engine, "scheduler", a, now=T0, ttl=TTL)
    assert state(engine, "scheduler") == (a, T0 + TTL)
    assert not acquire(engine, "scheduler", b, now=T0 + timedelta(seconds=30), ttl=TTL)
    assert not renew(engine, "scheduler", b, now=T0 + timedelta(seconds=30), ttl=TTL)
    assert state(engine, "scheduler") == (a, T0 + TTL)
    # The holder may take it again (a restart of the same process) and renew it.
    assert acquire(engine, "scheduler", a, now=T0 + timedelta(seconds=10), ttl=TTL)
    assert renew(engine, "scheduler", a, now=T0 + timedelta(seconds=40), ttl=TTL)
    expires = T0 + timedelta(seconds=40) + TTL
    assert state(engine, "scheduler") == (a, expires)
    # Live up to and including its expiry instant.
    assert not acquire(engine, "scheduler", b, now=expires, ttl=TTL)
    # Other names are other leases.
    assert acquire(engine, "other", b, now=T0, ttl=TTL)
    # Only the holder can release it; then anyone may take it at once.
    release(engine, "scheduler", b)
    assert state(engine, "scheduler") == (a, expires)
    release(engine, "scheduler", a)
    assert state(engine, "scheduler") is None
    assert not renew(engine, "scheduler", a, now=T0 + timedelta(seconds=50), ttl=TTL)
    assert acquire(engine, "scheduler", b, now=T0 + timedelta(seconds=50), ttl=TTL)
    assert state(engine, "scheduler") == (b, T0 + timedelta(seconds=50) + TTL)
    with pytest.raises(ValueError, match="aware"):
        acquire(engine, "scheduler", a, now=T0.replace(tzinfo=None), ttl=TTL)


def test_an_expired_lease_is_taken_over_and_its_old_holder_cannot_renew(engine: Engine) -> None:
    a, b = new_holder_id(), new_holder_id()
    assert a != b and a.split(":")[1] == str(os.getpid())
    assert acquire(engine, "scheduler", a, now=T0, ttl=TTL)
    later = T0 + TTL + timedelta(microseconds=1)
    assert acquire(engine, "scheduler", b, now=later, ttl=TTL)
    assert state(engine, "scheduler") == (b, later + TTL)
    assert not renew(engine, "scheduler", a, now=later, ttl=TTL)
    assert not acquire(engine, "scheduler", a, now=later, ttl=TTL)
    release(engine, "scheduler", a)  # a no-op: it is not a's any more
    assert state(engine, "scheduler") == (b, later + TTL)


def contend(url: str, wins: str, start_at: float, ttl: float) -> None:
    """In a subprocess: wait for the start, try for the lease until it is ours, note the
    win (pid and wall time), then hold it, renewing, until killed."""
    engine = make_engine(url)
    holder, lifetime = new_holder_id(), timedelta(seconds=ttl)
    time.sleep(max(0.0, start_at - time.time()))
    while not acquire(engine, "scheduler", holder, now=datetime.now(UTC), ttl=lifetime):
        time.sleep(0.02)
    with open(wins, "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()} {time.time()}\n")
    while renew(engine, "scheduler", holder, now=datetime.now(UTC), ttl=lifetime):
        time.sleep(ttl / 4)
    raise SystemExit(5)  # lost it while alive: a bug


def test_two_processes_one_lease_and_the_survivor_takes_over_when_the_holder_dies(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    wins, ttl = tmp_path / "wins.txt", 1.0
    wins.touch()
    start_at = time.time() + 1.5  # both are ready by then, and race for it
    code = f"from tests.integration.test_scheduler import contend; contend(*{[db_url, str(wins)]!r}, {start_at}, {ttl})"  # noqa: E501
    processes = {
        p.pid: p
        for p in (
            subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE)
            for _ in range(2)
        )
    }
    try:

        def winners() -> list[tuple[int, float]]:
            lines = wins.read_text(encoding="utf-8").split()
            return [(int(pid), float(at)) for pid, at in zip(lines[::2], lines[1::2], strict=True)]

        assert wait_for(winners, 15), "nobody won the lease"
        # While the winner lives (two lease lifetimes), the other never wins.
        time.sleep(2 * ttl)
        [(first, _)] = winners()
        assert all(p.poll() is None for p in processes.values())
        held = state(engine, "scheduler")
        assert held is not None and held.holder.split(":")[1] == str(first)

        processes[first].kill()
        processes[first].wait()
        left = state(engine, "scheduler")  # as the dead holder left it
        assert left is not None and left.holder.split(":")[1] == str(first)
        assert wait_for(lambda: len(winners()) == 2, ttl + 5), "nobody took over"
        (second, took_at) = winners()[1]
        assert second != first and second in processes
        assert took_at >= left.expires_at.timestamp() - 0.05, "taken before it expired"
        held = state(engine, "scheduler")
        assert held is not None and held.holder.split(":")[1] == str(second)
    finally:
        for process in processes.values():
            process.kill()
            _, err = process.communicate()
            assert b"Traceback" not in err, err.decode()


# ------------------------------------------------------------------------- in real time


def test_smoke_the_scheduler_runs_jobs_in_real_time_and_survives_a_failing_one(
    make_app: Callable[..., App], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[date] = []

    def dispatch_stub(app: App, on: date) -> dict[str, Any]:
        calls.append(on)
        if len(calls) == 1:
            raise RuntimeError("provider down")
        return {"sent": 1}

    monkeypatch.setitem(JOBS, "dispatch", dispatch_stub)
    app = make_app()  # the system clock: this test is about real time
    settings = ScheduleSettings(dispatch_minutes=0.4 / 60, poll_minutes=60, lease_seconds=1.5)
    keeper = LeaseKeeper(app.engine, LEASE_NAME, settings.lease_ttl, app.clock.now)
    assert keeper.acquire()
    first_expiry = state(engine, LEASE_NAME)
    scheduler = build_scheduler(app, settings, scheduler_cls=BackgroundScheduler, keeper=keeper)
    scheduler.start()
    try:
        rows = wait_for(
            lambda: [r.outcome for r in job_runs(engine, "dispatch")][:2] == ["failed", "ok"], 3
        )
        assert rows, job_runs(engine, "dispatch")
        assert scheduler.running
        renewed = state(engine, LEASE_NAME)
    finally:
        scheduler.shutdown(wait=True)
    assert calls[0] == app.clock.today()
    assert first_expiry is not None and renewed is not None
    assert renewed.holder == keeper.holder and renewed.expires_at > first_expiry.expires_at
    ok = next(row for row in job_runs(engine, "dispatch") if row.outcome == "ok")
    assert ok.counts == {"sent": 1} and ok.finished_at is not None


def test_a_scheduler_whose_lease_is_taken_over_stops(
    make_app: Callable[..., App], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    settings = ScheduleSettings(lease_seconds=0.6)
    keeper = LeaseKeeper(app.engine, LEASE_NAME, settings.lease_ttl, app.clock.now)
    assert keeper.acquire()
    scheduler = build_scheduler(app, settings, scheduler_cls=BackgroundScheduler, keeper=keeper)
    scheduler.start()
    try:
        # Someone whose clock says the lease has run out takes it over.
        later = datetime.now(UTC) + timedelta(seconds=5)
        assert acquire(engine, LEASE_NAME, "intruder", now=later, ttl=TTL)
        assert wait_for(lambda: not scheduler.running, 3), "still running without the lease"
        assert not keeper.held()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
    assert state(engine, LEASE_NAME) == ("intruder", later + TTL)


def test_run_scheduler_holds_the_lease_refuses_a_second_and_stops_cleanly_on_sigterm(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRANSPORT_")}
    environment |= {"TRANSPORT_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    code = (
        "import sys; from transport.config import load_config; "
        "from services.app import build; from jobs.scheduler import run_scheduler; "
        "sys.exit(run_scheduler(build(load_config())))"
    )
    # A county the nightly can check: a never-imported database is "no data" (exit 2).
    report = import_bundle(
        engine, write_bundle(tmp_path / "bundle", small_county()), now=datetime.now(UTC)
    )
    assert report.ok
    log = tmp_path / "scheduler.log"
    with log.open("wb") as err:
        # The real jobs, on a small county, in the temporary folder (its file outbox).
        process = subprocess.Popen(
            [sys.executable, "-c", code], cwd=tmp_path, env=environment, stderr=err
        )
    try:
        holder = wait_for(lambda: state(engine, LEASE_NAME), 15)
        assert holder is not None, log.read_text()
        assert holder.holder.split(":")[1] == str(process.pid)
        # Its catch-up ran the real nightly once (never run before).
        assert wait_for(lambda: [r.outcome for r in job_runs(engine, "nightly")] == ["ok"], 10), (
            job_runs(engine),
            log.read_text(),
        )

        # A second scheduler against the same database does not start.
        second = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=environment,
            capture_output=True, timeout=15,
        )  # fmt: skip
        assert second.returncode == EXIT_LEASE_HELD, second.stderr.decode()
        assert b"another scheduler is active against this database" in second.stderr
        assert state(engine, LEASE_NAME) == holder
        assert process.poll() is None

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert state(engine, LEASE_NAME) is None, "the lease was not released"
    text = log.read_text()
    assert "SIGTERM received" in text and "Traceback" not in text, text
    assert len(job_runs(engine, "nightly")) == 1
