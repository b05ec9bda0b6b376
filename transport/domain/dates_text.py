"""Dates and times as people in the UK read them, in one style everywhere a person reads
one (the terminal, the digest, the report): "Fri 4 Dec", "Fri 4 Dec 2026", and instants
in the council's local time with its zone's name ("Mon 7 Dec 2026 13:27 GMT", "... BST"
in summer). JSON keeps ISO dates and instants with their offset; this is for people.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def day(value: date) -> str:
    """'Fri 4 Dec': a day this school year, no leading zero."""
    return f"{value:%a} {value.day} {value:%b}"


def day_year(value: date) -> str:
    """'Fri 4 Dec 2026'."""
    return f"{day(value)} {value.year}"


def local(moment: datetime, tz: tzinfo = LONDON) -> datetime:
    """The instant in the council's local time (an instant without a zone is UTC, as the
    record stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz)


def clock_time(moment: datetime, tz: tzinfo = LONDON) -> str:
    """'13:27 GMT' (or BST in summer): a time of day in local time, with its zone."""
    there = local(moment, tz)
    return f"{there:%H:%M} {there.tzname()}"


def moment_text(moment: datetime, tz: tzinfo = LONDON) -> str:
    """'Mon 7 Dec 2026 13:27 GMT': an instant in local time, with its zone."""
    there = local(moment, tz)
    return f"{day_year(there.date())} {there:%H:%M} {there.tzname()}"


def short_moment(moment: datetime, tz: tzinfo = LONDON) -> str:
    """'2026-12-07 13:27 GMT': an instant in local time for a table's column."""
    there = local(moment, tz)
    return f"{there:%Y-%m-%d %H:%M} {there.tzname()}"


def date_text(value: date) -> str:
    """'4 Dec 2026' (a date of birth, an award's dates: no weekday needed)."""
    return f"{value.day} {value:%b %Y}"


def day_month(value: date) -> str:
    """'4 Dec'."""
    return f"{value.day} {value:%b}"
