"""Set-based reads that feed the pure risk check.

Pupils are read in pages by key; each page's awards, applications, arrangements and
reachability come from one range query per table (never a query per pupil), and are
merged in memory into :class:`PupilFacts`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from transport.db.tables import (
    Application,
    Arrangement,
    Award,
    Contact,
    Pupil,
    PupilContact,
    School,
)
from transport.db.tables import Term as TermRow
from transport.domain.calendar import Calendar, Term
from transport.domain.risk import ApplicationFact, ArrangementFact, AwardFact, PupilFacts

PAGE = 20000


def load_calendars(conn: Connection) -> tuple[dict[str, Calendar], dict[str, str]]:
    """All term calendars, and each school's calendar name."""
    terms: dict[str, list[Term]] = defaultdict(list)
    stmt = select(
        TermRow.calendar, TermRow.first_day, TermRow.last_day, TermRow.academic_year, TermRow.term
    )
    for calendar, first, last, year, name in conn.execute(stmt):
        terms[calendar].append(Term(first, last, year, name))
    calendars = {name: Calendar.of(name, ts) for name, ts in terms.items()}
    schools = {urn: name for urn, name in conn.execute(select(School.urn, School.calendar))}
    return calendars, schools


def pupil_facts(conn: Connection, *, school_urn: str | None = None) -> Iterator[PupilFacts]:
    """Every active pupil's facts (only those at ``school_urn`` now or next, when given)."""
    last = ""
    while True:
        # A pupil with neither an award nor an application can never be in scope: the
        # database skips them (two index probes each) instead of Python looking at them.
        travels = or_(
            exists().where(Award.pupil_ref == Pupil.pupil_ref),
            exists().where(Application.pupil_ref == Pupil.pupil_ref),
        )
        stmt = (
            select(Pupil.pupil_ref, Pupil.school_urn, Pupil.next_school_urn)
            .where(Pupil.status == "active", Pupil.pupil_ref > last, travels)
            .order_by(Pupil.pupil_ref)
            .limit(PAGE)
        )
        if school_urn is not None:
            stmt = stmt.where(
                or_(Pupil.school_urn == school_urn, Pupil.next_school_urn == school_urn)
            )
        page = conn.execute(stmt).all()
        if not page:
            return
        first, last = page[0][0], page[-1][0]
        yield from _merge(conn, page, first, last)
        if len(page) < PAGE:
            return


def _in_range(column: Any, first: str, last: str) -> ColumnElement[bool]:
    return and_(column >= first, column <= last)


def _merge(conn: Connection, page: Sequence[Any], first: str, last: str) -> Iterator[PupilFacts]:
    awards: dict[str, list[AwardFact]] = defaultdict(list)
    stmt_awards = select(Award.pupil_ref, Award.valid_from, Award.valid_until, Award.school_urn)
    for ref, valid_from, valid_until, urn in conn.execute(
        stmt_awards.where(_in_range(Award.pupil_ref, first, last))
    ).all():
        awards[ref].append(AwardFact(valid_from, valid_until, urn))

    applications: dict[str, list[ApplicationFact]] = defaultdict(list)
    stmt_apps = select(Application.pupil_ref, Application.academic_year, Application.status)
    for ref, year, status in conn.execute(
        stmt_apps.where(_in_range(Application.pupil_ref, first, last))
    ).all():
        applications[ref].append(ApplicationFact(year, status))

    arrangements: dict[str, list[ArrangementFact]] = defaultdict(list)
    stmt_arr = select(
        Arrangement.pupil_ref, Arrangement.academic_year, Arrangement.family_informed_on
    )
    for ref, year, informed in conn.execute(
        stmt_arr.where(_in_range(Arrangement.pupil_ref, first, last))
    ).all():
        arrangements[ref].append(ArrangementFact(year, informed is not None))

    usable = or_(
        and_(Contact.email.is_not(None), Contact.email_status == "ok"),
        and_(Contact.mobile.is_not(None), Contact.mobile_status == "ok"),
    )
    reachable = set(
        conn.execute(
            select(PupilContact.pupil_ref)
            .join(Contact, Contact.id == PupilContact.contact_id)
            .where(_in_range(PupilContact.pupil_ref, first, last), usable)
            .distinct()
        ).scalars()
    )

    for ref, school, next_school in page:
        yield PupilFacts(
            pupil_ref=ref,
            school_urn=school,
            next_school_urn=next_school,
            awards=tuple(awards.get(ref, ())),
            applications=tuple(applications.get(ref, ())),
            arrangements=tuple(arrangements.get(ref, ())),
            reachable=ref in reachable,
        )


def pupil_names(conn: Connection, refs: list[str]) -> dict[str, str]:
    """'First Last' for the given pupils (for people's views only, never for logs)."""
    names: dict[str, str] = {}
    for start in range(0, len(refs), 1000):
        chunk = refs[start : start + 1000]
        stmt = select(Pupil.pupil_ref, Pupil.first_name, Pupil.last_name).where(
            Pupil.pupil_ref.in_(chunk)
        )
        names.update({ref: f"{first} {last}" for ref, first, last in conn.execute(stmt)})
    return names


def school_names(conn: Connection) -> dict[str, str]:
    return {urn: name for urn, name in conn.execute(select(School.urn, School.name))}
