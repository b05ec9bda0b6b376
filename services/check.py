"""Run the day-one risk check: gather the facts, run the pure check, keep the snapshot."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from notifications.digest import SeverityTotals
from services.app import App, CheckSettings
from services.keys import known_keys
from transport.db.engine import writer
from transport.db.failures import explain
from transport.db.queries import snapshots
from transport.db.queries.needs import ChildNeeds, child_needs
from transport.db.queries.record import children_imported_at, last_import_at
from transport.db.queries.risk_facts import (
    load_calendars,
    pupil_facts,
    pupil_names,
    school_names,
    schools_named,
    schools_of_pupil,
)
from transport.db.queries.work_done import done_in_window
from transport.domain.calendar_gaps import CalendarGap, calendar_gaps
from transport.domain.forecast import StageForecast, forecast, window_start
from transport.domain.risk import (
    REASON_ORDER,
    CheckResult,
    PupilRisk,
    RiskContext,
    assess,
    check,
)
from transport.errors import NoData
from transport.gc_tuning import full_passes_held
from transport.vocabulary import Reason


@dataclass(frozen=True)
class CheckCounts:
    """Totals by severity and by reason (the JSON's ``counts``: commands/views/check.py)."""

    in_scope: int
    at_risk: int
    critical: int
    high: int
    medium: int
    low: int
    by_reason: tuple[tuple[Reason, int], ...]  # every reason, in the check's order
    new: int | None  # at risk now and not in the baseline run; None without a baseline

    def totals(self) -> SeverityTotals:
        return SeverityTotals(
            self.in_scope, self.at_risk, self.critical, self.high, self.medium, self.low
        )

    def of(self, severity: str) -> int:
        found: int = getattr(self, str(severity))
        return found


@dataclass(frozen=True)
class CheckOutcome:
    result: CheckResult
    school_urn: str | None
    baseline: snapshots.Baseline | None
    run_id: int | None
    gaps: tuple[CalendarGap, ...] = ()
    # When an import last carried rows of pupils.csv, awards.csv or applications.csv (the
    # record's age; None: none ever did).
    data_imported_at: datetime | None = None
    stale: bool = False  # the record is older than the council allows (or has no children)
    not_saved: str | None = None  # why this run could not be kept as a snapshot
    # The whole record (whatever --school says) has no child in scope: not an all-clear.
    no_children: bool = False

    def is_new(self, pupil_ref: str) -> bool | None:
        """At risk now but not in the baseline run; None when there is no baseline."""
        if self.baseline is None:
            return None
        return pupil_ref not in self.baseline.pupil_refs

    def listed(self, *, only_new: bool) -> list[PupilRisk]:
        """The children to show: all at risk, or only those new since the baseline."""
        risks = list(self.result.at_risk)
        if only_new and self.baseline is not None:
            risks = [risk for risk in risks if self.is_new(risk.pupil_ref)]
        return risks

    def counts(self) -> CheckCounts:
        """Totals by severity and by reason."""
        result = self.result
        severities = result.severity_counts()
        reasons = Counter(reason for risk in result.at_risk for reason in risk.reasons)
        new = None
        if self.baseline is not None:
            new = sum(1 for risk in result.at_risk if self.is_new(risk.pupil_ref))
        return CheckCounts(
            result.in_scope,
            len(result.at_risk),
            severities["critical"],
            severities["high"],
            severities["medium"],
            severities["low"],
            tuple((reason, reasons.get(reason, 0)) for reason in REASON_ORDER),
            new,
        )


def run_check(
    app: App,
    *,
    as_of: date,
    horizon_days: int | None = None,
    school_urn: str | None = None,
    save: bool = True,
    now: datetime | None = None,
) -> CheckOutcome:
    """The check for ``as_of``. A whole-county run is kept as a snapshot (``save``).
    ``now``: the instant the calling use case read (default: read the clock here)."""
    settings = app.settings.check
    horizon = settings.horizon_days if horizon_days is None else horizon_days
    engine = app.ready().engine
    now = now or app.clock.now()
    with engine.connect() as conn, full_passes_held():
        if last_import_at(conn) is None:
            raise NoData(
                f"no data: nothing has ever been imported into {app.database}; "
                "run `transport import DIR` first"
            )
        school_urn = known_keys(conn, school_urn=school_urn).school_urn
        calendars, school_calendar = load_calendars(conn)
        ctx = RiskContext(as_of, horizon, calendars, school_calendar, settings.thresholds)
        result = check(pupil_facts(conn, school_urn=school_urn), ctx)
        gaps = tuple(calendar_gaps(ctx, result))
        baseline = snapshots.baseline_before(conn, as_of)
        imported_at = children_imported_at(conn)
        no_children = result.in_scope == 0 and (school_urn is None or not _any_in_scope(conn, ctx))
    run_id, not_saved = None, None
    # Only a whole-county run is a snapshot: a run for one school is a view of it.
    if save and school_urn is None:
        try:
            with writer(engine).begin() as conn, full_passes_held():
                run_id = snapshots.save(conn, result, run_at=now)
        except OperationalError as exc:  # read-only, locked, disk full: the answer stands
            not_saved = explain(exc, url=app.database) or "the database refused the write"
    stale = imported_at is None or now - imported_at > timedelta(days=settings.max_data_age_days)
    return CheckOutcome(
        result, school_urn, baseline, run_id, gaps, imported_at, stale, not_saved, no_children
    )


def _any_in_scope(conn: Connection, ctx: RiskContext) -> bool:
    """Whether the whole record has a child in scope (for a school with nobody in scope:
    "no children" is about the record); stops at the first one."""
    facts = pupil_facts(conn)
    try:
        return any(assess(pupil, ctx)[0] for pupil in facts)
    finally:
        close = getattr(facts, "close", None)  # a generator: its cursor closes now
        if close is not None:
            close()


def names_for(app: App, pupil_refs: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Names for a person's view (never for logs): the given pupils', and every school's."""
    with app.engine.connect() as conn:
        return pupil_names(conn, pupil_refs), school_names(conn)


@dataclass(frozen=True)
class ReportPeople:
    """What the HTML report says of the children it lists (for a person, never for logs)."""

    pupils: dict[str, str]  # pupil_ref -> name
    schools: dict[str, str]  # URN -> name
    needs: dict[str, ChildNeeds]  # pupil_ref -> SEND and passenger assistant


def report_people(app: App, pupil_refs: list[str]) -> ReportPeople:
    with app.engine.connect() as conn:
        return ReportPeople(
            pupil_names(conn, pupil_refs), school_names(conn), child_needs(conn, pupil_refs)
        )


def risk_of(app: App, conn: Connection, pupil_ref: str, as_of: date) -> PupilRisk | None:
    """The one pupil's risk on ``as_of`` (None: not at risk, or not in scope): the same
    check the nightly runs, over the pupil's school only."""
    return pupil_check(app, conn, pupil_ref, as_of)[0]


def pupil_check(
    app: App, conn: Connection, pupil_ref: str, as_of: date
) -> tuple[PupilRisk | None, list[CalendarGap]]:
    """The one pupil's risk on ``as_of``, and the gaps of the calendars their schools
    follow (the terms the check assumes for them)."""
    settings = app.settings.check
    facts = list(pupil_facts(conn, pupil_ref=pupil_ref))
    urns = schools_named(facts) or set(schools_of_pupil(conn, pupil_ref))
    calendars, school_calendar = load_calendars(conn, urns)
    ctx = RiskContext(as_of, settings.horizon_days, calendars, school_calendar, settings.thresholds)
    result = check(facts, ctx)
    return next(iter(result.at_risk), None), calendar_gaps(ctx, result)


def trend(app: App, *, up_to: date) -> list[snapshots.RunPoint]:
    """Children at risk in the last 30 checks (the latest run of each date)."""
    with app.engine.connect() as conn:
        return snapshots.history(conn, up_to=up_to)


def backlog_forecast(app: App, outcome: CheckOutcome) -> list[StageForecast]:
    """For each stage of work: outstanding, due by, the team's measured pace, when it
    clears, the pace needed, on track or short (see transport/domain/forecast.py)."""
    with app.engine.connect() as conn:
        return backlog_forecast_on(conn, outcome, app.settings.check)


def backlog_forecast_on(
    conn: Connection, outcome: CheckOutcome, settings: CheckSettings
) -> list[StageForecast]:
    as_of = outcome.result.as_of
    window = settings.rate_window_working_days
    done = done_in_window(conn, start=window_start(as_of, window), end=as_of)
    return forecast(
        outcome.result.at_risk,
        as_of=as_of,
        done_in_window=done,
        window_working_days=window,
        alert_working_days=settings.forecast_alert_working_days,
    )
