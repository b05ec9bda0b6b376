"""The risk check as a service: gather facts, run the pure check, keep the snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine

from transport.bulk import full_passes_held
from transport.db import snapshots
from transport.db.engine import writer
from transport.db.risk_facts import load_calendars, pupil_facts
from transport.domain.risk import (
    CalendarGap,
    CheckResult,
    RiskContext,
    Thresholds,
    calendar_gaps,
    check,
)


@dataclass(frozen=True)
class CheckOutcome:
    result: CheckResult
    school_urn: str | None
    baseline: snapshots.Baseline | None
    run_id: int | None
    gaps: tuple[CalendarGap, ...] = ()

    def is_new(self, pupil_ref: str) -> bool | None:
        """At risk now but not in the baseline run; None when there is no baseline."""
        if self.baseline is None:
            return None
        return pupil_ref not in self.baseline.pupil_refs


def run_check(
    engine: Engine,
    *,
    as_of: date,
    horizon_days: int,
    thresholds: Thresholds,
    now: datetime,
    school_urn: str | None = None,
    save: bool = True,
) -> CheckOutcome:
    with engine.connect() as conn, full_passes_held():
        calendars, school_calendar = load_calendars(conn)
        ctx = RiskContext(as_of, horizon_days, calendars, school_calendar, thresholds)
        result = check(pupil_facts(conn, school_urn=school_urn), ctx)
        gaps = tuple(calendar_gaps(ctx))
        baseline = snapshots.baseline_before(conn, as_of)
    run_id = None
    # Only a whole-county run is a snapshot: a run for one school is a view of it.
    if save and school_urn is None:
        with writer(engine).begin() as conn, full_passes_held():
            run_id = snapshots.save(conn, result, run_at=now)
    return CheckOutcome(result, school_urn, baseline, run_id, gaps)
