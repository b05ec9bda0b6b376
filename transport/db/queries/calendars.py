"""A school's calendar as the record holds it: its first school day of a year or a term
(for the messages that must never state an assumed date, and for the day an application
wants transport from)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache

from sqlalchemy.engine import Connection

from transport.db.queries.risk_facts import load_calendars
from transport.domain.calendar import DEFAULT_CALENDAR, Calendar
from transport.domain.term_dates import FirstDay, first_school_day


def school_first_day(
    conn: Connection, urn: str, academic_year: int, *, term: str | None = None
) -> FirstDay | None:
    """The first school day of ``academic_year`` (or of its ``term``) at the school
    ``urn``: after its calendar's closures and its own INSET days; ``assumed`` when the
    calendar lacks that term (see transport/domain/term_dates.py). None when it has no
    school day at all."""
    calendars, school_calendar = load_calendars(conn, {urn})
    name = school_calendar.get(urn, DEFAULT_CALENDAR)
    calendar = calendars.get(name, Calendar(name, ()))
    return first_school_day(
        calendar, academic_year, term=term, urn=urn, default=calendars.get(DEFAULT_CALENDAR)
    )


def first_school_days(conn: Connection) -> Callable[[str, int], date | None]:
    """For many schools and years at once (an assessment run): ``first(urn, year)``, the
    first school day of that academic year at that school, after closures, INSET days and
    bank holidays, the earliest plausible (assumed) day when its calendar lacks the
    year's terms; None when the year has no school day. Each is worked out once."""
    calendars, school_calendar = load_calendars(conn)
    default = calendars.get(DEFAULT_CALENDAR)

    @cache
    def first(urn: str, academic_year: int) -> date | None:
        name = school_calendar.get(urn, DEFAULT_CALENDAR)
        calendar = calendars.get(name, Calendar(name, ()))
        found = first_school_day(calendar, academic_year, urn=urn, default=default)
        return found.day if found else None

    return first
