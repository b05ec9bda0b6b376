"""Each full check run is kept: its counts and its at-risk pupils, so the team can see
who became at risk since the last check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from transport.db.tables import CheckRun, RiskSnapshot, table_of
from transport.domain.risk import CheckResult


@dataclass(frozen=True)
class Baseline:
    run_id: int
    as_of: date
    run_at: datetime
    pupil_refs: frozenset[str]


def save(conn: Connection, result: CheckResult, *, run_at: datetime) -> int:
    counts = result.severity_counts()
    run_id = conn.execute(
        insert(table_of(CheckRun))
        .values(
            run_at=run_at,
            as_of=result.as_of,
            horizon_days=result.horizon_days,
            in_scope=result.in_scope,
            at_risk=len(result.at_risk),
            counts=counts,
        )
        .returning(table_of(CheckRun).c.id)
    ).scalar_one()
    rows = [
        {
            "run_id": run_id,
            "pupil_ref": risk.pupil_ref,
            "risk_date": risk.risk_date,
            "severity": risk.severity,
            "reasons": " ".join(risk.reasons),
        }
        for risk in result.at_risk
    ]
    for start in range(0, len(rows), 10000):
        conn.execute(insert(table_of(RiskSnapshot)), rows[start : start + 10000])
    return int(run_id)


def baseline_before(conn: Connection, as_of: date) -> Baseline | None:
    """The latest run for an earlier date: "since yesterday" when the check runs daily."""
    run = conn.execute(
        select(CheckRun.id, CheckRun.as_of, CheckRun.run_at)
        .where(CheckRun.as_of < as_of)
        .order_by(CheckRun.as_of.desc(), CheckRun.id.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    refs = conn.execute(select(RiskSnapshot.pupil_ref).where(RiskSnapshot.run_id == run.id))
    return Baseline(run.id, run.as_of, run.run_at, frozenset(refs.scalars()))


@dataclass(frozen=True)
class RunPoint:
    """One earlier check, for the trend: the latest run of each as-of date."""

    as_of: date
    at_risk: int
    critical: int


def history(conn: Connection, *, up_to: date, limit: int = 30) -> list[RunPoint]:
    """The latest run of each of the last ``limit`` as-of dates up to ``up_to``, oldest
    first."""
    rows = conn.execute(
        select(CheckRun.as_of, CheckRun.at_risk, CheckRun.counts, CheckRun.id)
        .where(CheckRun.as_of <= up_to)
        .order_by(CheckRun.as_of.desc(), CheckRun.id.desc())
        .limit(limit * 4)
    ).all()
    latest: dict[date, RunPoint] = {}
    for row in rows:
        if row.as_of not in latest:
            latest[row.as_of] = RunPoint(
                row.as_of, row.at_risk, int((row.counts or {}).get("critical", 0))
            )
    return sorted(latest.values(), key=lambda point: point.as_of)[-limit:]
