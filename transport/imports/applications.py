"""applications.csv, with the decisions made here kept (docs/import-format.md): an export
that still has an application as received or assessing does not undo a decision recorded
by `transport applications decide` (the row is counted as kept); one that carries a
different decision replaces it, with an audit event, a task for the team and, when the
approval made here no longer stands, the end of the award this service created."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection

from transport.audit import AuditContext
from transport.db.queries.decisions import end_award, open_review_task
from transport.db.tables import Application, table_of
from transport.imports.upsert import Counts, existing_rows, upsert
from transport.vocabulary import UNDECIDED, ApplicationStatus

APPLICATIONS = table_of(Application)
KEY = ("application_ref",)
DECIDED_HERE = ("status", "decided_on", "decided_by")


def write_applications(
    conn: Connection,
    rows: list[dict[str, Any]],
    *,
    audit: AuditContext,
    today: date,
    fresh: bool,
) -> tuple[Counts, int]:
    """Upsert a chunk; returns the counts and how many rows' decisions were kept."""
    keys = [(row["application_ref"],) for row in rows]
    stored = {} if fresh else existing_rows(conn, APPLICATIONS, KEY, DECIDED_HERE, keys)
    kept: set[str] = set()
    replaced: list[tuple[dict[str, Any], str, str]] = []
    for row in rows:
        before = stored.get((row["application_ref"],))
        if before is None:
            continue
        status, decided_on, decided_by = before
        if decided_by is None or status in UNDECIDED:
            continue
        if row["status"] in UNDECIDED:  # the export is behind the decision made here
            row["status"], row["decided_on"] = status, decided_on
            kept.add(row["application_ref"])
        elif row["status"] != status:
            replaced.append((row, status, decided_by))
    outcome = upsert(conn, APPLICATIONS, KEY, rows, audit=audit, fresh=fresh)
    counts = outcome.counts
    quiet = {ref for ref in kept if (ref,) not in outcome.updated}
    counts.unchanged -= len(quiet)  # reported as kept instead
    for row, was, decided_by in replaced:
        ref = row["application_ref"]
        conn.execute(
            update(APPLICATIONS)
            .where(APPLICATIONS.c.application_ref == ref)
            .values(decided_by=None)
        )
        audit.record(
            conn,
            "decision_replaced",
            APPLICATIONS.name,
            (ref,),
            {"status": [was, row["status"]], "decided_here_by": decided_by},
        )
        why = f"the council's export has {ref} {row['status']}; it was {was} here by {decided_by}"
        if was == ApplicationStatus.APPROVED:
            end_award(conn, ref, today=today, audit=audit, why=why)
        open_review_task(
            conn,
            pupil_ref=row["pupil_ref"],
            academic_year=row["academic_year"],
            reason=why,
            today=today,
            now=audit.at,
        )
    return counts, len(kept)
