"""arrangements.csv, with the families this service told kept (docs/import-format.md):
when this service sent an arrangement's transport details, it recorded the day
(``family_informed_on``) and the message (``informed_by``). An export that still has that
date blank keeps it; but a change of operator, route or pick-up time clears it, so the
family is told again."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from transport.audit import AuditContext
from transport.db.tables import Arrangement, table_of
from transport.imports.upsert import Counts, existing_rows, upsert

ARRANGEMENTS = table_of(Arrangement)
KEY = ("pupil_ref", "academic_year")
TOLD = ("operator", "route_ref", "pickup_time", "family_informed_on", "informed_by")


def write_arrangements(
    conn: Connection, rows: list[dict[str, Any]], *, audit: AuditContext, fresh: bool
) -> Counts:
    """Upsert a chunk, keeping the days this service told a family what still stands."""
    keys = [(row["pupil_ref"], row["academic_year"]) for row in rows]
    stored = {} if fresh else existing_rows(conn, ARRANGEMENTS, KEY, TOLD, keys)
    for row in rows:
        row["informed_by"] = None
        before = stored.get((row["pupil_ref"], row["academic_year"]))
        if before is None:
            continue
        operator, route, pickup, told_on, told_by = before
        if told_by is None:
            continue  # the export's own date (or none): the export says
        same = (operator, route, pickup) == (row["operator"], row["route_ref"], row["pickup_time"])
        if row["family_informed_on"] is None and same:
            row["family_informed_on"], row["informed_by"] = told_on, told_by
        elif row["family_informed_on"] == told_on:
            row["informed_by"] = told_by
    return upsert(conn, ARRANGEMENTS, KEY, rows, audit=audit, fresh=fresh).counts
