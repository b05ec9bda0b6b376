"""The audit log as a table, JSON or CSV."""

from __future__ import annotations

import json
from typing import Any

from commands.options import Format
from commands.views import console, echo_json, write_csv
from commands.views.tables import Sheet, prose, value
from transport.db.queries.audit import AuditLine

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


def show_events(lines: list[AuditLine], output: Format) -> None:
    rows = [event_dict(line) for line in lines]
    if output is Format.json:
        echo_json(rows)
        return
    if output is Format.csv:
        write_csv(COLUMNS, [{**r, "detail": json.dumps(r["detail"], default=str)} for r in rows])
        return
    table = Sheet(
        f"Audit log, newest first ({len(rows)})",
        [value("When (UTC)"), prose("Who"), value("What"), value("Of"),
         prose("Detail", optional=True)],
    )  # fmt: skip
    for r in rows:
        detail = json.dumps(r["detail"], default=str, ensure_ascii=False)
        table.add_row(
            r["at"][:19].replace("T", " "),
            r["actor"],
            r["action"],
            f"{r['entity']} {r['entity_key'] or ''}".strip(),
            detail if len(detail) <= 80 else detail[:79] + "…",
        )
    console().print(table)
