"""The morning digest as JSON (`transport digest --format json`): the same keys as the
message says, with dates and instants in ISO 8601 (instants with their offset)."""

from __future__ import annotations

import dataclasses
from typing import Any

from notifications.digest import Digest, DigestChild
from transport.vocabulary import REASON_HELP, TASK_WORDS


def _child(found: DigestChild) -> dict[str, Any]:
    return {
        "pupil_ref": found.pupil_ref,
        "name": found.name,
        "school": found.school,
        "risk_date": found.risk_date.isoformat(),
        "days_until": found.days_until,
        "severity": str(found.severity),
        "reasons": [str(reason) for reason in found.reasons],
    }


def digest_json(digest: Digest) -> dict[str, Any]:
    short = digest.short
    return {
        "council": {"name": digest.council},
        "as_of": digest.as_of.isoformat(),
        "counts": dataclasses.asdict(digest.counts),
        "by_reason": [
            {"code": str(code), "count": count, "meaning": REASON_HELP[code]}
            for code, count in digest.by_reason
        ],
        "compared_with": digest.compared_with.isoformat() if digest.compared_with else None,
        "new": [_child(found) for found in digest.new],
        "new_total": digest.new_total,
        "critical": [_child(found) for found in digest.critical],
        "critical_total": digest.critical_total,
        "alerts": [{"pupil_ref": ref, "name": name} for ref, name in digest.alerts],
        "short": [] if short is None else [short.as_dict()],
        "calendar_gaps": [gap.as_dict() for gap in digest.gaps],
        "channels_down": [down.as_dict() for down in digest.channels_down],
        "record": {
            "no_children": digest.no_children,
            "stale": digest.stale,
            "imported_at": digest.imported_at.isoformat() if digest.imported_at else None,
        },
        "tasks": {kind: count for kind, count in digest.tasks},
        "task_words": {kind: TASK_WORDS.get(kind, kind) for kind, _ in digest.tasks},
        "tasks_total": digest.tasks_total,
        "letters": {
            "unposted": digest.letters_unposted,
            "oldest": digest.letters_oldest.isoformat() if digest.letters_oldest else None,
        },
        "failed": [row.as_dict() for row in digest.failed],
        "failed_total": digest.failed_total,
        "unknown_total": digest.unknown_total,
    }
