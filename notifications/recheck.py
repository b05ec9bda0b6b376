"""Just before sending, a message is checked again against the record (issue 23, item 6;
reminders.md, transport details):

- a renewal reminder goes only about children who are still active, still have no
  application for that school year (any status but withdrawn), and whose contact is still
  linked to them;
- transport details go only about children still active and linked, whose arrangement is
  still untold and complete; a changed arrangement is re-rendered with what it says now.

A message with no child left is cancelled, with the reason; one with fewer children, or
changed details, is re-rendered. Runs in the transaction that marks the wave attempted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jinja2 import TemplateError
from sqlalchemy.engine import Connection

from notifications.messages import render
from transport.db.queries import recheck as store
from transport.db.queries.renewals import mark_steps_cancelled
from transport.domain.calendar import format_academic_year
from transport.domain.inform import details_key

log = logging.getLogger(__name__)
DETAILS = "transport_details"


def recheck(conn: Connection, rows: Sequence[Any], token: str, *, now: datetime) -> list[Any]:
    """The wave as it may go: cancelled messages left out, re-rendered ones re-read."""
    checked = [row for row in rows if _checked(row)]
    if not checked:
        return list(rows)
    record = store.read_record(conn, checked)
    cancelled: dict[int, str] = {}
    rewritten: list[int] = []
    for row in checked:
        children = list((row.context or {}).get("children") or [])
        kept, why = (_details if row.kind == DETAILS else _reminder)(row, children, record)
        key = row.dedupe_key
        if kept and kept != children and row.kind == DETAILS:
            # What it tells changed: it becomes that message, unless that one is queued.
            key = details_key(row.academic_year, row.contact_id, row.channel, kept)
            if key != row.dedupe_key and store.key_taken(conn, key):
                kept, why = [], "the arrangement changed: a message with the new details goes"
        if not kept:
            cancelled[row.id] = why
        elif kept != children and _rewrite(conn, row, kept, token, now=now, dedupe_key=key):
            rewritten.append(row.id)
    gone = store.cancel_claimed(conn, cancelled, token, now=now)
    mark_steps_cancelled(conn, gone)
    fresh = store.reread(conn, rewritten)
    return [fresh.get(row.id, row) for row in rows if row.id not in gone]


def _checked(row: Any) -> bool:
    if row.contact_id is None or not row.pupil_refs:
        return False
    return row.kind == DETAILS or (row.step is not None and row.kind.startswith("renewal_"))


Checked = tuple[list[Any], str]  # the children still to be told, why one is not


def _reminder(row: Any, children: list[dict[str, Any]], record: store.Record) -> Checked:
    kept, why = [], ""
    year = format_academic_year(row.academic_year) if row.academic_year is not None else ""
    for child in children:
        ref = child.get("pupil_ref")
        if ref not in record.active:
            why = why or "the child is no longer active (left)"
        elif (ref, row.academic_year) in record.applied:
            why = why or f"an application for {year} was recorded"
        elif (row.contact_id, ref) not in record.linked:
            why = why or "the contact is no longer linked to the child"
        else:
            kept.append(child)
    return kept, why


def _details(row: Any, children: list[dict[str, Any]], record: store.Record) -> Checked:
    kept, why = [], ""
    for child in children:
        ref = str(child.get("pupil_ref"))
        now = record.arrangements.get((ref, row.academic_year))
        if ref not in record.active:
            why = why or "the child is no longer active (left)"
        elif (row.contact_id, ref) not in record.linked:
            why = why or "the contact is no longer linked to the child"
        elif now is None:
            why = why or "the arrangement was removed"
        elif now[4] is not None and now[5] is None:  # the council's export: told already
            why = why or f"the family was already told (on {now[4].isoformat()})"
        elif not now[0] or not now[2]:
            why = why or "the arrangement has no operator or pick-up time now"
        else:
            operator, route, pickup, assistant, _, _ = now
            kept.append({**child, "operator": operator, "route_ref": route,
                         "pickup_time": pickup, "passenger_assistant": assistant})  # fmt: skip
    return kept, why


def _rewrite(
    conn: Connection,
    row: Any,
    children: list[dict[str, Any]],
    token: str,
    *,
    now: datetime,
    dedupe_key: str,
) -> bool:
    context = {**row.context, "children": children}
    try:
        rendered = render(row.kind, row.channel, context)
    except (TemplateError, KeyError, ValueError):  # a context older than its templates
        log.warning("outbox %s: not re-rendered (an older context); sent as queued", row.id)
        return False
    store.rewrite_claimed(
        conn,
        row.id,
        token,
        now=now,
        context=context,
        dedupe_key=dedupe_key,
        pupil_refs=[child["pupil_ref"] for child in children],
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
    )
    return True
