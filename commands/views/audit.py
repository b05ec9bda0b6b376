"""The audit log as a table, JSON or CSV."""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

from commands.options import Format
from commands.views import console, echo_json, write_csv
from commands.views.tables import Sheet, prose, value
from transport.db.queries.audit import AuditLine
from transport.domain.dates_text import LONDON, short_moment

COLUMNS = ["at", "actor", "action", "entity", "entity_key", "detail"]


def event_dict(line: AuditLine) -> dict[str, Any]:
    return {
        "at": line.at.isoformat(),
        "actor": line.actor,
        "action": line.action,
        "entity": line.entity,
        "entity_key": line.entity_key,
        "detail": line.detail,
    }


def show_events(lines: list[AuditLine], output: Format, tz: tzinfo = LONDON) -> None:
    rows = [event_dict(line) for line in lines]
    if output is Format.json:
        echo_json(rows)
        return
    if output is Format.csv:
        write_csv(COLUMNS, [{**r, "detail": json.dumps(r["detail"], default=str)} for r in rows])
        return
    table = Sheet(
        f"Audit log, newest first ({len(rows)})",
        [value("When"), prose("Who"), value("What"), value("Of"),
         prose("Detail", optional=True)],
    )  # fmt: skip
    for line, r in zip(lines, rows, strict=True):
        detail = json.dumps(r["detail"], default=str, ensure_ascii=False)
        table.add_row(
            short_moment(line.at, tz),
            r["actor"],
            r["action"],
            f"{r['entity']} {r['entity_key'] or ''}".strip(),
            detail if len(detail) <= 80 else detail[:79] + "…",
        )
    console().print(table)
