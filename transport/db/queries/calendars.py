"""A school's calendar as the record holds it, for one school: its first school day of a
year or a term (for the messages that must never state an assumed date)."""

from __future__ import annotations

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
