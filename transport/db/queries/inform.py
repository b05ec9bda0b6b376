"""Transport details' reads and writes: the arrangements families have not been told, what
the message says about each child, and the record that a family was told."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from transport.db.dialect import among_values, chunks
from transport.db.queries.renewals import contact_facts
from transport.db.queries.risk_facts import load_calendars
from transport.db.tables import Arrangement, Award, Pupil, School, table_of
from transport.domain.calendar import DEFAULT_CALENDAR, academic_year_of, format_academic_year
from transport.domain.inform import DetailsFact, FirstDay, first_school_day

SCHOOLS = table_of(School)


def details_facts(
    conn: Connection, today: date, *, pupil_ref: str | None = None, told: bool = False
) -> list[DetailsFact]:
    """The arrangements of this school year and the next whose family has not been told
    (``told``: also those told, for a preview), of active pupils with an award in that
    year, with each child's school that year, its first school day and the contacts."""
    this_year = academic_year_of(today)
    stmt = (
        select(
            Arrangement.pupil_ref,
            Arrangement.academic_year,
            Arrangement.operator,
            Arrangement.route_ref,
            Arrangement.pickup_time,
            Arrangement.passenger_assistant,
            Pupil.school_urn,
            Pupil.next_school_urn,
        )
        .join(Pupil, Pupil.pupil_ref == Arrangement.pupil_ref)
        .where(Pupil.status == "active")
        .where(Arrangement.academic_year.between(this_year, this_year + 1))
        .order_by(Arrangement.pupil_ref, Arrangement.academic_year)
    )
    if not told:
        stmt = stmt.where(Arrangement.family_informed_on.is_(None))
    if pupil_ref is not None:
        stmt = stmt.where(Arrangement.pupil_ref == pupil_ref)
    rows = conn.execute(stmt).all()
    refs = sorted({row.pupil_ref for row in rows})
    awarded = _award_years(conn, refs)
    rows = [row for row in rows if row.academic_year in awarded.get(row.pupil_ref, ())]
    schools = {
        row.pupil_ref: _school_in(row.academic_year, this_year, row.school_urn, row.next_school_urn)
        for row in rows
    }
    calendars, school_calendar = load_calendars(conn, set(schools.values()) | {DEFAULT_CALENDAR})
    contacts = contact_facts(conn, refs)
    found = []
    default = calendars.get(DEFAULT_CALENDAR)
    # A school's first day depends on its calendar, the year, and its own closures if it
    # has any: worked out once for each, not once a child (at 10,000,000 pupils, laying
    # out a year of school days for each of millions of arrangements took over ten minutes).
    firsts: dict[tuple[str, str | None, int], FirstDay] = {}
    own: dict[str, frozenset[str]] = {}
    for row in rows:
        school = _school_in(row.academic_year, this_year, row.school_urn, row.next_school_urn)
        name = school_calendar.get(school, DEFAULT_CALENDAR)
        calendar = calendars.get(name)
        if name not in own:
            own[name] = calendar.own_closure_urns if calendar is not None else frozenset()
        key = (name, school if school in own[name] else None, row.academic_year)
        first = firsts.get(key)
        if first is None:
            first = firsts[key] = first_school_day(
                calendar, row.academic_year, urn=school, default=default
            )
        found.append(
            DetailsFact(
                row.pupil_ref,
                row.academic_year,
                school,
                first,
                row.operator,
                row.route_ref,
                row.pickup_time.strftime("%H:%M") if row.pickup_time else None,
                bool(row.passenger_assistant),
                tuple(contacts.get(row.pupil_ref, ())),
            )
        )
    return found


def _school_in(year: int, this_year: int, school: str, next_school: str | None) -> str:
    return next_school if next_school and year > this_year else school


def _award_years(conn: Connection, refs: list[str]) -> dict[str, set[int]]:
    """pupil -> the school years an award of theirs reaches into."""
    years: dict[str, set[int]] = defaultdict(set)
    for chunk in chunks(refs):
        stmt = select(Award.pupil_ref, Award.valid_from, Award.valid_until)
        for ref, first, last in conn.execute(stmt.where(Award.pupil_ref.in_(chunk))):
            years[ref].update(range(academic_year_of(first), academic_year_of(last) + 1))
    return years


def details_lines(conn: Connection, facts: Collection[DetailsFact]) -> dict[str, dict[str, Any]]:
    """Each child's part of a transport details message, by pupil."""
    refs = sorted({fact.pupil_ref for fact in facts})
    names: dict[str, str] = {}
    for chunk in chunks(refs):
        stmt = select(Pupil.pupil_ref, Pupil.first_name).where(Pupil.pupil_ref.in_(chunk))
        names.update((ref, first) for ref, first in conn.execute(stmt))
    # One array, not a placeholder each: a country's details name more schools than a
    # PostgreSQL statement may bind (65,535).
    urns = sorted({fact.school_urn for fact in facts})
    named = select(School.urn, School.name).where(among_values(conn, SCHOOLS.c.urn, urns))
    schools = dict(conn.execute(named).all())
    return {
        fact.pupil_ref: {
            "pupil_ref": fact.pupil_ref,
            "first_name": names.get(fact.pupil_ref, ""),
            "school_name": schools.get(fact.school_urn, ""),
            "starts_on": fact.first_day.day.isoformat(),
            "academic_year": format_academic_year(fact.academic_year),
            "operator": fact.operator,
            "route_ref": fact.route_ref,
            "pickup_time": fact.pickup_time,
            "passenger_assistant": fact.passenger_assistant,
        }
        for fact in facts
    }


def mark_informed(
    conn: Connection,
    message_id: int,
    year: int | None,
    children: Sequence[dict[str, Any]],
    *,
    on: date,
) -> int:
    """A details message went (or, a file letter, was posted): each child's arrangement of
    that year records the day and the message, if it still says what the message said
    and no date is recorded yet. Returns how many arrangements were marked."""
    if year is None:
        return 0
    marked = 0
    for child in children:
        row = conn.execute(
            select(
                Arrangement.id, Arrangement.operator, Arrangement.route_ref, Arrangement.pickup_time
            ).where(
                Arrangement.pupil_ref == child["pupil_ref"],
                Arrangement.academic_year == year,
                Arrangement.family_informed_on.is_(None),
            )
        ).first()
        if row is None:
            continue
        pickup = row.pickup_time.strftime("%H:%M") if row.pickup_time else None
        said = (child.get("operator"), child.get("route_ref"), child.get("pickup_time"))
        if (row.operator, row.route_ref, pickup) != said:
            continue  # changed since: the family must be told the new details
        marked += int(
            conn.execute(
                update(Arrangement)
                .where(Arrangement.id == row.id, Arrangement.family_informed_on.is_(None))
                .values(family_informed_on=on, informed_by=f"message {message_id}")
            ).rowcount
            or 0
        )
    return marked
