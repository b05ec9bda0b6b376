"""The post room's side of letters: `transport outbox posted --date D --by NAME` records
that the letters written up to D went in the post that day (audited). A transport details
letter tells the family only then: its arrangement records the day it was posted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.app import App
from transport.audit import AuditContext
from transport.db.engine import writer
from transport.db.queries import letters as store
from transport.db.queries.inform import mark_informed

DETAILS = "transport_details"


@dataclass(frozen=True)
class PostedReport:
    on: date
    letters: tuple[int, ...]  # outbox ids marked posted
    informed: int  # arrangements whose family is now told
    dry_run: bool


def posted(app: App, on: date, *, by: str, dry_run: bool = False) -> PostedReport:
    """Mark posted on ``on`` every letter written by the end of that day (local time)
    and not yet marked; ``dry_run``: list them, change nothing."""
    now = app.clock.now()
    tz = ZoneInfo(app.settings.council.timezone)
    end = datetime.combine(on + timedelta(days=1), time(), tzinfo=tz)
    informed = 0
    with writer(app.ready().engine).begin() as conn:
        letters = store.unposted(conn, written_before=end)
        ids = [row.id for row in letters]
        if dry_run or not letters:
            return PostedReport(on, tuple(ids), 0, dry_run)
        store.mark_posted(conn, ids, on=on, now=now)
        for row in letters:
            if row.kind == DETAILS:
                children = (row.context or {}).get("children") or []
                informed += mark_informed(conn, row.id, row.academic_year, children, on=on)
        AuditContext(actor=by, at=now).record(
            conn,
            "posted",
            "outbox",
            (on.isoformat(),),
            {"letters": ids, "arrangements_informed": informed},
        )
    return PostedReport(on, tuple(ids), informed, dry_run)
