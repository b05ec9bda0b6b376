"""A decision in a few lines of text, each rule with the numbers used and its source."""

from __future__ import annotations

from typing import Any

from services.assessments import AssessRun
from transport.domain.eligibility import Decision


def decision_text(decision: Decision) -> str:
    lines = []
    if decision.eligible:
        lines.append(
            f"ELIGIBLE on {decision.basis}, award until {decision.valid_until} "
            f"({', '.join(decision.review_reasons)})"
        )
    else:
        lines.append("NOT ELIGIBLE")
    for rule in decision.rules:
        mark = "met    " if rule.met else "not met"
        lines.append(f"  {mark}  {rule.code}: {rule.detail} [{rule.source}]")
    lines.extend(f"  note: {note}" for note in decision.notes)
    return "\n".join(lines)


def assess_json(run: AssessRun) -> dict[str, Any]:
    """`applications assess --format json`."""
    return {
        "assessed": run.assessed,
        "eligible": run.eligible,
        "not_eligible": run.not_eligible,
        "by_basis": dict(run.by_basis),
        "stored": not run.dry_run,
    }
