"""The audit log for people, one event a line in words; as JSON (`--format json`) for a
script, and as CSV with the same words for a spreadsheet."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from commands.options import Format
from commands.views import echo_json, plain, write_csv
from transport.db.queries.audit import AuditLine
from transport.domain.dates_text import LONDON, short_moment

COLUMNS = ["at", "actor", "action", "entity", "entity_key", "detail"]

# What each action did, as a past tense (an action not listed: its own words).
VERBS = {
    "import": "imported",
    "update": "updated",
    "left": "recorded as left",
    "remove": "removed",
    "detach": "detached",
    "block": "blocked",
    "unblock": "unblocked",
    "cancel": "cancelled",
    "decide": "decided",
    "decision_replaced": "replaced the decision on",
    "end_award": "ended",
    "done": "closed",
    "resolve": "settled",
    "retry": "queued again",
    "posted": "marked as posted",
    "reset_status": "reset the status of",
    "retention": "applied retention to",
    "opt_out": "opted out by text",
    "opt_in": "opted back in by text",
    "reply": "received a reply from",
    "help": "received HELP from",
}
# What each table's row is, in words (a table not listed: its own name).
NOUNS = {
    "bundle": "bundle",
    "record": "the record as of",
    "schools": "school",
    "terms": "term",
    "closures": "closure",
    "pupils": "pupil",
    "contacts": "contact",
    "pupil_contacts": "contact link",
    "awards": "award",
    "applications": "application",
    "arrangements": "arrangement",
    "outbox": "message",
    "tasks": "task",
}
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Counts of an import's file, in the order said.
FILE_COUNTS = ("added", "updated", "removed", "kept")


def event_dict(line: AuditLine) -> dict[str, Any]:
    return {
        "at": line.at.isoformat(),
        "actor": line.actor,
        "action": line.action,
        "entity": line.entity,
        "entity_key": line.entity_key,
        "detail": line.detail,
    }


def in_words(line: AuditLine) -> str:
    """What the event did, in one line: '<verb> <what> <key>: <detail>'."""
    verb = VERBS.get(line.action, line.action.replace("_", " "))
    noun = NOUNS.get(line.entity, line.entity.replace("_", " "))
    what = " ".join(part for part in (verb, noun, line.entity_key or "") if part)
    detail = _import_detail(line.detail) if line.action == "import" else _words(line.detail)
    return f"{what}: {detail}" if detail else what


def show_events(lines: list[AuditLine], output: Format, tz: tzinfo = LONDON) -> None:
    if output is Format.json:
        echo_json([event_dict(line) for line in lines])
        return
    rows = [{**event_dict(line), "detail": in_words(line)} for line in lines]
    if output is Format.csv:
        write_csv(COLUMNS, rows)
        return
    import typer

    typer.echo(f"Audit log, newest first ({len(lines)}):")
    for line in lines:
        when = short_moment(line.at, tz)  # the council's time: '2026-08-26 09:14 BST'
        said = " ".join(f"{when}  {line.actor}  {in_words(line)}".splitlines())
        typer.echo(plain(said))  # one line, whatever a note holds


def _import_detail(detail: Mapping[str, Any]) -> str:
    """An import: each file with what it changed ('pupils.csv 100 added, 2 updated')."""
    said = []
    for file in detail.get("files") or []:
        counts = [f"{file[name]} {name}" for name in FILE_COUNTS if file.get(name)]
        said.append(f"{file.get('file')} {', '.join(counts) or 'unchanged'}")
    return "; ".join(said) or _words({k: v for k, v in detail.items() if k != "files"})


def _words(value: Any, key: str = "") -> str:
    """Any detail, said plainly: 'reason court order', 'first name Sam → Samira'."""
    if isinstance(value, Mapping):
        parts = []
        for name, item in value.items():
            if item is None or item is False or item == [] or item == {}:
                continue  # nothing to say
            said = str(name).replace("_", " ")
            if item is True:
                parts.append(said)
            elif name == "changes" and isinstance(item, Mapping):
                parts.append(_words(item))  # each column, before → after
            else:
                parts.append(_words(item, said))
        return f"{key} ({', '.join(parts)})" if key and parts else ", ".join(parts)
    if isinstance(value, list | tuple):
        if len(value) == 2 and not any(isinstance(v, Mapping | list) for v in value):
            said = f"{_plain(value[0])} → {_plain(value[1])}"  # before → after
        else:
            said = ", ".join(_words(item) for item in value)
        return f"{key} {said}".strip()
    return f"{key} {_plain(value)}".strip()


def _plain(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and _INSTANT.match(value):
        return value[:16].replace("T", " ")  # 2026-08-26T09:00:12.5+00:00: to the minute
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, default=str, ensure_ascii=False)
