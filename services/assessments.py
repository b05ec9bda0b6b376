"""Applications through the eligibility engine: recommend a decision for each undecided
application, and record a caseworker's decision (which, on approval, creates the award)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from services.app import App
from transport.audit import AuditContext
from transport.db.dialect import upsert
from transport.db.engine import writer
from transport.db.queries.calendars import first_school_days
from transport.db.queries.decisions import award_ref_of, end_award
from transport.db.tables import (
    Application,
    ApplicationAssessment,
    Award,
    Pupil,
    table_of,
)
from transport.domain.eligibility import Decision, Facts, assess
from transport.errors import UsageError
from transport.vocabulary import UNDECIDED, ApplicationStatus, Basis

PAGE = 5000
FirstDays = Callable[[str, int], date | None]  # (school URN, academic year) -> first school day


@dataclass(frozen=True)
class Assessed:
    application_ref: str
    pupil_ref: str
    facts: Facts
    decision: Decision


_COLUMNS = (
    Application.application_ref,
    Application.pupil_ref,
    Application.academic_year,
    Application.received_on,
    Application.kind,
    Application.status,
    Application.school_urn.label("applied_school_urn"),
    Application.walking_distance_miles,
    Application.road_distance_miles,
    Application.nearest_suitable_school,
    Application.suitable_school_rank,
    Application.low_income,
    Application.religion_or_belief,
    Application.cannot_walk_send,
    Application.unsafe_route,
    Application.medical_until,
    Pupil.date_of_birth,
    Pupil.school_urn.label("pupil_school_urn"),
    Pupil.next_school_urn,
)


def _facts(row: Any, first_days: FirstDays) -> Facts:
    """Transport is wanted from the first school day of the year at the school applied for
    (after its closures, INSET days and bank holidays: not the term's published first
    day), or from the day the application arrived when that is later (a mid-year
    application)."""
    school = row.applied_school_urn or row.next_school_urn or row.pupil_school_urn
    start = first_days(school, row.academic_year) or date(row.academic_year, 9, 1)
    return Facts(
        date_of_birth=row.date_of_birth,
        travel_from=max(start, row.received_on),
        walking_distance_miles=row.walking_distance_miles,
        road_distance_miles=row.road_distance_miles,
        nearest_suitable_school=row.nearest_suitable_school,
        suitable_school_rank=row.suitable_school_rank,
        low_income=row.low_income,
        religion_or_belief=row.religion_or_belief,
        cannot_walk_send=row.cannot_walk_send,
        unsafe_route=row.unsafe_route,
        medical_until=row.medical_until,
        post16=row.kind == "post16",
    )


def _rows(conn: Connection, *where: Any) -> Iterator[Any]:
    last = ""
    while True:
        stmt = (
            select(*_COLUMNS)
            .join(Pupil, Pupil.pupil_ref == Application.pupil_ref)
            .where(Application.application_ref > last, *where)
            .order_by(Application.application_ref)
            .limit(PAGE)
        )
        page = conn.execute(stmt).all()
        yield from page
        if len(page) < PAGE:
            return
        last = page[-1].application_ref


def assess_stored(app: App, application_ref: str) -> Assessed:
    """The engine's recommendation for a stored application, on its stored facts."""
    with app.ready().engine.connect() as conn:
        first_days = first_school_days(conn)
        rows = list(_rows(conn, Application.application_ref == application_ref))
    if not rows:
        raise UsageError(f"no application {application_ref!r}")
    facts = _facts(rows[0], first_days)
    return Assessed(application_ref, rows[0].pupil_ref, facts, assess(facts, app.settings.policy))


@dataclass(frozen=True)
class AssessRun:
    """What `applications assess` did (its JSON: commands/views/eligibility.py)."""

    assessed: int
    eligible: int
    by_basis: tuple[tuple[str, int], ...]  # eligible applications by basis, most first
    dry_run: bool
    items: tuple[Assessed, ...] = ()  # each one, when asked for (keep_items)

    @property
    def not_eligible(self) -> int:
        return self.assessed - self.eligible


def assess_undecided(
    app: App,
    *,
    academic_year: int | None = None,
    dry_run: bool = False,
    keep_items: bool = False,
) -> AssessRun:
    """Recommend a decision for every received or assessing application, and store it."""
    policy, now = app.settings.policy, app.clock.now()
    assessed, eligible, by_basis, items = 0, 0, Counter[str](), []
    where: list[ColumnElement[bool]] = [Application.status.in_(sorted(UNDECIDED))]
    if academic_year is not None:
        where.append(Application.academic_year == academic_year)
    with writer(app.ready().engine).connect() as conn, conn.begin():
        first_days = first_school_days(conn)
        batch: list[dict[str, Any]] = []
        for row in _rows(conn, *where):
            facts = _facts(row, first_days)
            decision = assess(facts, policy)
            assessed += 1
            if decision.eligible and decision.basis:
                eligible += 1
                by_basis[decision.basis] += 1
            if keep_items:
                items.append(Assessed(row.application_ref, row.pupil_ref, facts, decision))
            batch.append(_assessment_row(row.application_ref, facts, decision, now))
            if len(batch) >= PAGE and not dry_run:
                _store(conn, batch)
                batch = []
        if batch and not dry_run:
            _store(conn, batch)
    return AssessRun(assessed, eligible, tuple(by_basis.most_common()), dry_run, tuple(items))


def recommend_undecided(app: App) -> Iterator[Assessed]:
    """The engine's recommendation for every received or assessing application, on its
    stored facts and the current policy, one at a time (the caller keeps what it needs);
    read only, nothing stored (the simulator)."""
    policy = app.settings.policy
    with app.ready().engine.connect() as conn:
        first_days = first_school_days(conn)
        for row in _rows(conn, Application.status.in_(sorted(UNDECIDED))):
            facts = _facts(row, first_days)
            yield Assessed(row.application_ref, row.pupil_ref, facts, assess(facts, policy))


def _assessment_row(ref: str, facts: Facts, decision: Decision, now: datetime) -> dict[str, Any]:
    return {
        "application_ref": ref,
        "assessed_at": now,
        "travel_from": facts.travel_from,
        "eligible": decision.eligible,
        "basis": decision.basis,
        "valid_until": decision.valid_until,
        "review_reasons": " ".join(decision.review_reasons),
        "decision": decision.as_dict(),
    }


def _store(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Upsert the latest recommendation per application (one statement per batch)."""
    conn.execute(upsert(conn, table_of(ApplicationAssessment), ["application_ref"]), rows)


@dataclass(frozen=True)
class Decided:
    application_ref: str
    status: str
    award_ref: str | None
    valid_from: date | None
    valid_until: date | None
    basis: str | None


def decide(
    app: App,
    application_ref: str,
    *,
    approve: bool,
    by: str,
    valid_until: date | None = None,
) -> Decided:
    """A caseworker's decision. Approval creates the award, ending on the engine's date
    unless the caseworker sets another; the audit log records who decided and when."""
    now = app.clock.now()
    today = app.clock.date_of(now)
    engine = app.ready().engine
    assessed = assess_stored(app, application_ref)
    decision = assessed.decision
    audit = AuditContext(actor=by, at=now)
    with writer(engine).begin() as conn:
        status, decided_by = conn.execute(
            select(Application.status, Application.decided_by).where(
                Application.application_ref == application_ref
            )
        ).one()
        # An approval made here may be refused later: the award it created is ended.
        refusing_own = (
            status == ApplicationStatus.APPROVED and decided_by is not None and not approve
        )
        if status not in UNDECIDED and not refusing_own:
            raise UsageError(f"application {application_ref} is already {status}")
        new_status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REFUSED
        conn.execute(
            update(Application)
            .where(Application.application_ref == application_ref)
            .values(status=new_status, decided_on=today, decided_by=by)
        )
        if refusing_own:
            why = f"{application_ref} refused by {by} after its approval here"
            end_award(conn, application_ref, today=today, audit=audit, why=why)
        award_ref = None
        until = valid_until or decision.valid_until
        valid_from = assessed.facts.travel_from
        if approve:
            if until is None:
                raise UsageError(
                    f"the engine recommends refusing {application_ref} and sets no end date: "
                    "give --valid-until to approve it"
                )
            if until < valid_from:
                raise UsageError(f"--valid-until {until} is before travel starts ({valid_from})")
            award_ref = award_ref_of(application_ref)
            school = conn.execute(
                select(Application.school_urn).where(Application.application_ref == application_ref)
            ).scalar_one()
            conn.execute(
                insert(table_of(Award)).values(
                    award_ref=award_ref,
                    pupil_ref=assessed.pupil_ref,
                    valid_from=valid_from,
                    valid_until=until,
                    school_urn=school,
                    basis=decision.basis or Basis.DISCRETIONARY,
                )
            )
        detail = {
            "status": [status, new_status],
            "recommended": {"eligible": decision.eligible, "basis": decision.basis,
                            "valid_until": str(decision.valid_until)},
            "award_ref": award_ref,
            "valid_until": str(until) if approve else None,
            "overridden": valid_until is not None,
        }  # fmt: skip
        audit.record(conn, "decide", "applications", (application_ref,), detail)
    return Decided(
        application_ref,
        new_status,
        award_ref,
        valid_from if approve else None,
        until if approve else None,
        decision.basis,
    )
