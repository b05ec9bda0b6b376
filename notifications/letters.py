"""The decision letter: the engine's recommendation in plain English a parent can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from notifications.rendering import text_environment
from transport.domain.eligibility import Decision, Facts
from transport.domain.working_days import add_working_days

BASIS_PLAIN = {
    "SEND_MOBILITY": (
        "your child cannot reasonably be expected to walk to school, even with an adult, "
        "because of their special educational needs, disability or mobility problem"
    ),
    "STATUTORY_DISTANCE": (
        "the school is the nearest suitable school and is further than the statutory "
        "walking distance for your child's age"
    ),
    "UNSAFE_ROUTE": (
        "the walking route to the nearest suitable school cannot reasonably be walked in "
        "safety, even with an adult"
    ),
    "EXTENDED_LOW_INCOME_8_10": (
        "your family is on a low income and the nearest suitable school is more than 2 miles away"
    ),
    "EXTENDED_LOW_INCOME_11_PLUS": (
        "your family is on a low income and the school is between 2 and 6 miles away and one "
        "of the three nearest suitable schools"
    ),
    "EXTENDED_RELIGION_BELIEF": (
        "your family is on a low income and the school, chosen on grounds of religion or "
        "belief, is the nearest school of that religion or belief, between 2 and 15 miles away"
    ),
    "faith": (
        "the council's faith transport policy applies: the school, chosen on grounds of "
        "religion or belief, is the nearest school of that religion or belief, beyond the "
        "walking distance and within the council's limit"
    ),
    "post16": "the council's post-16 transport policy applies to your child",
    "post19": "the council's post-19 transport policy applies to your child",
    "discretionary": "the council's policy extends transport to your child",
}

REVIEW_PLAIN = {
    "END_OF_YEAR": "the end of the award period",
    "END_OF_CSA": "the end of compulsory school age",
    "AGE_8_THRESHOLD": "your child's 8th birthday, when the walking distance rises to 3 miles",
    "AGE_11_THRESHOLD": "your child's 11th birthday, when different rules apply",
    "MEDICAL_END": "the end of the temporary medical need",
    "PHASE_TRANSFER": "the move to the next phase of education",
}


@dataclass(frozen=True)
class LetterContext:
    council_name: str
    contact_phone: str
    apply_url: str
    child_first_name: str
    reference: str | None
    review_working_days: int = 20
    # The family is taken to receive the letter this many working days after its date
    # (2 for post, 0 for email); the review period counts from then (DfE model).
    delivery_working_days: int = 0


def received_on(decided_on: date, delivery_working_days: int) -> date:
    return add_working_days(decided_on, delivery_working_days)


def review_deadline(decided_on: date, working_days: int, delivery_working_days: int = 0) -> date:
    """The last day to ask for a review: ``working_days`` working days after the family
    receives the decision (England and Wales bank holidays are not working days)."""
    return add_working_days(received_on(decided_on, delivery_working_days), working_days)


def decision_letter(
    decision: Decision, facts: Facts, *, decided_on: date, context: LetterContext
) -> str:
    template = text_environment().get_template("decision_letter/letter.txt.j2")
    return template.render(
        council=context,
        child=context.child_first_name,
        reference=context.reference,
        decided_on=decided_on,
        decision=decision,
        facts=facts,
        basis_plain=BASIS_PLAIN.get(decision.basis or "", ""),
        review_reasons=[REVIEW_PLAIN[r] for r in decision.review_reasons],
        unmet=[rule for rule in decision.rules if not rule.met],
        basis_rule=next((r for r in decision.rules if r.code == decision.basis), None),
        review_by=review_deadline(
            decided_on, context.review_working_days, context.delivery_working_days
        ),
        review_days=context.review_working_days,
        delivery_days=context.delivery_working_days,
        received=received_on(decided_on, context.delivery_working_days),
    )
