"""What the simulator's council works from: the applications still open (undecided, or
approved with their award perhaps missing)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from transport.db.tables import Application
from transport.vocabulary import UNDECIDED, ApplicationStatus


def open_applications(conn: Connection, *, from_year: int) -> Iterator[Any]:
    """(application_ref, pupil_ref, academic_year, status, school_urn) of every undecided
    or approved application for ``from_year`` or later, by reference."""
    statuses = sorted({*UNDECIDED, ApplicationStatus.APPROVED})
    stmt = (
        select(
            Application.application_ref,
            Application.pupil_ref,
            Application.academic_year,
            Application.status,
            Application.school_urn,
        )
        .where(Application.status.in_(statuses), Application.academic_year >= from_year)
        .order_by(Application.application_ref)
    )
    yield from conn.execute(stmt)
