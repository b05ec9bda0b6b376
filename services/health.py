"""`transport health`: what a council's monitor (cron, Nagios, Azure Monitor) asks, read
from the record: the record's age, calendar gaps in the window, the last nightly and
dispatch, each channel, messages failed or unknown in the last day, open tasks past due,
letters written more than two working days ago and not marked posted.
The digest cannot say that email is down when it is sent by email; this can.

Read-only. A database that cannot be used is one concern that cannot be told (exit 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Connection

from notifications.outbox import recent_failures
from services.app import App
from transport.db.queries import channels, job_runs, letters
from transport.db.queries.record import children_imported_at, last_import_at
from transport.db.queries.risk_facts import load_calendars
from transport.db.queries.tasks import past_due
from transport.domain import health as rules
from transport.domain.calendar import format_academic_year
from transport.domain.calendar_gaps import calendar_gaps
from transport.domain.health import Concern, GapFact, JobFact
from transport.domain.risk import RiskContext
from transport.errors import describe_failure
from transport.vocabulary import Channel, HealthState

CHANNELS = tuple(str(channel) for channel in Channel)


@dataclass(frozen=True)
class HealthReport:
    checked_at: datetime
    concerns: tuple[Concern, ...]

    @property
    def exit_code(self) -> int:
        return rules.exit_code(self.concerns)

    @property
    def state(self) -> HealthState:
        return next(s for s, code in rules.EXIT_CODES.items() if code == self.exit_code)


def health(app: App) -> HealthReport:
    now = app.clock.now()
    try:
        engine = app.ready().engine
        with engine.connect() as conn:
            concerns = _concerns(app, conn, now)
    except Exception as exc:  # no database, no schema, unreachable: cannot tell
        sentence, _code = describe_failure(exc, url=app.database)
        concerns = [Concern("database", HealthState.UNKNOWN, f"cannot tell: {sentence}")]
    return HealthReport(now, tuple(concerns))


def _concerns(app: App, conn: Connection, now: datetime) -> list[Concern]:
    settings = app.settings.check
    today = app.clock.date_of(now)
    found = [
        rules.data_age(
            children_imported_at(conn),
            ever_imported=last_import_at(conn) is not None,
            now=now,
            max_days=settings.max_data_age_days,
            tz=app.tz,
        ),
        rules.calendar_gaps(
            _gaps(conn, app, today), as_of=today, within_days=settings.thresholds.high
        ),
    ]
    schedule = app.schedule()
    found.append(rules.nightly(_latest(app, "nightly"), now=now, at=schedule.nightly_at,
                               tz=schedule.tz))  # fmt: skip
    found.append(
        rules.dispatch(
            _latest(app, "dispatch"), now=now, every_minutes=schedule.dispatch_minutes, tz=app.tz
        )
    )
    down = {d.channel: (d.since, d.reason) for d in channels.down(conn)}
    for name in (*CHANNELS, *sorted(set(down) - set(CHANNELS))):
        found.append(rules.channel(name, down.get(name), tz=app.tz))
    failures = recent_failures(conn, since=now - timedelta(days=1))
    unknown = sum(1 for failure in failures if failure.status == "unknown")
    found.append(rules.messages(len(failures) - unknown, unknown))
    found.append(rules.tasks(*past_due(conn, today)))
    before = rules.letters_written_before(today)
    start = datetime.combine(before, time(), tzinfo=app.tz)
    unposted, oldest = letters.waiting(conn, written_before=start)
    found.append(rules.letters(unposted, oldest, written_before=before, tz=app.tz))
    return found


def _gaps(conn: Connection, app: App, today: date) -> list[GapFact]:
    settings = app.settings.check
    calendars, school_calendar = load_calendars(conn)
    ctx = RiskContext(today, settings.horizon_days, calendars, school_calendar, settings.thresholds)
    return [
        GapFact(
            gap.calendar,
            format_academic_year(gap.academic_year),
            len(gap.schools),
            gap.first_assumed,
        )
        for gap in calendar_gaps(ctx)
    ]


def _latest(app: App, job: str) -> JobFact | None:
    runs = job_runs.recent(app.engine, job=job, limit=1)
    if not runs:
        return None
    run = runs[0]
    return JobFact(run.status, run.started_at, run.finished_at, run.error)
