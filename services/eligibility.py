"""Recommend a decision: from a facts file (no database needed), or from the facts stored
with an application; and the decision letter a parent reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from notifications.letters import LetterContext, decision_letter
from services.app import App
from services.assessments import assess_stored
from transport.db.queries.risk_facts import first_name
from transport.domain.eligibility import Decision, Facts, assess
from transport.facts_input import read_facts


@dataclass(frozen=True)
class Recommendation:
    facts: Facts
    decision: Decision
    child_name: str  # for the letter: the first name, or "your child"
    reference: str | None  # the application's reference, when assessed from the record


def from_facts_file(app: App, path: Path, *, child: str = "your child") -> Recommendation:
    """The engine on a facts file; the database is not touched."""
    facts = read_facts(path)
    return Recommendation(facts, assess(facts, app.settings.policy), child, None)


def from_application(app: App, application_ref: str) -> Recommendation:
    assessed = assess_stored(app, application_ref)
    with app.engine.connect() as conn:
        name = first_name(conn, assessed.pupil_ref)
    return Recommendation(assessed.facts, assessed.decision, name or "your child", application_ref)


def letter(app: App, recommendation: Recommendation, *, decided_on: date | None = None) -> str:
    """The decision letter, dated ``decided_on`` (default: today)."""
    council = app.settings.council
    context = LetterContext(
        council.name,
        council.contact_phone,
        council.renewal_url,
        recommendation.child_name,
        recommendation.reference,
        app.settings.review_working_days,
        app.settings.letter_delivery_working_days,
    )
    return decision_letter(
        recommendation.decision,
        recommendation.facts,
        decided_on=decided_on or app.clock.today(),
        context=context,
    )
