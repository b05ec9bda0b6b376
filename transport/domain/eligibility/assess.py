"""Compose the rules into a Decision and set the date the award must end."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from transport.domain.eligibility.discretionary import discretionary
from transport.domain.eligibility.model import (
    REVIEW_ORDER,
    STATUTORY_ORDER,
    Decision,
    Facts,
    Policy,
    RuleResult,
)
from transport.domain.eligibility.rules import (
    STATUTORY_RULES,
    by_year_group,
    compulsory_school_age,
    year_number,
)
from transport.domain.eligibility.situation import Situation
from transport.domain.school_age import birthday

KEY_STAGE_END = {"R": 2, "1": 2, "2": 2, "3": 6, "4": 6, "5": 6, "6": 6, "7": 9, "8": 9, "9": 9,
                 "10": 11, "11": 11, "12": 13, "13": 13, "14": 14}  # fmt: skip


def assess(facts: Facts, policy: Policy) -> Decision:
    s = Situation.of(facts)
    rules, basis, notes = _categories(s, policy)
    if basis is None:
        return Decision(False, None, None, (), tuple(rules), s.age, tuple(notes))
    valid_until, reasons = end_date(s, basis, policy)
    return Decision(True, basis, valid_until, reasons, tuple(rules), s.age, tuple(notes))


def _categories(s: Situation, policy: Policy) -> tuple[list[RuleResult], str | None, list[str]]:
    """Every rule evaluated, the basis (the first category met, or None) and the notes."""
    rules = [compulsory_school_age(s, policy)]
    rules.extend(rule(s, policy) for rule in STATUTORY_RULES)
    basis = next((r.code for r in rules[1:] if r.met), None)
    notes: list[str] = []
    if basis is None:
        found = discretionary(s, policy)
        if found is not None:
            rules.append(found)
            basis = found.code if found.met else None
            notes.append(found.detail)
    return rules, basis, notes


def _basis_on(facts: Facts, day: date, policy: Policy) -> tuple[Situation, str | None]:
    """The same facts assessed as if transport were wanted from ``day``."""
    s = Situation.of(dataclasses.replace(facts, travel_from=day))
    return s, _categories(s, policy)[1]


def end_date(s: Situation, basis: str, policy: Policy) -> tuple[date, tuple[str, ...]]:
    """The earliest of the dates that end or review the award, and which set it."""
    f = s.facts
    year_end = date(s.academic_year + 1, 8, 31)
    statutory = basis in STATUTORY_ORDER
    candidates: dict[str, date] = {}

    if policy.award_period == "key_stage" and statutory and s.year_group in KEY_STAGE_END:
        years_left = KEY_STAGE_END[s.year_group] - year_number(s.year_group)
        candidates["END_OF_YEAR"] = date(s.academic_year + 1 + years_left, 8, 31)
    else:
        candidates["END_OF_YEAR"] = year_end
    if statutory:
        candidates["END_OF_CSA"] = s.csa_end
        if policy.year11_until == "end_of_summer_term":
            month, day = policy.summer_term_end
            candidates["END_OF_CSA"] = max(s.csa_end, date(s.csa_end.year, month, day))
    if s.medical_active and basis in ("SEND_MOBILITY", "post16", "post19") and f.medical_until:
        candidates["MEDICAL_END"] = f.medical_until
    if s.year_group in policy.phase_transfer_years:
        candidates["PHASE_TRANSFER"] = year_end
    if basis == "STATUTORY_DISTANCE" and by_year_group(s, policy) and _on_under8_limit(s, policy):
        # The under-8 limit holds to the end of a year group: an award resting on it ends
        # then at the latest (this shortens only a key-stage award).
        assert s.year_group is not None
        years_left = max(0, policy.under8_until_year - year_number(s.year_group))
        last = date(s.academic_year + 1 + years_left, 8, 31)
        candidates["END_OF_YEAR"] = min(candidates["END_OF_YEAR"], last)

    candidates.update(_birthday_ends(s, basis, policy, until=min(candidates.values())))
    earliest = min(candidates.values())
    reasons = tuple(code for code in REVIEW_ORDER if candidates.get(code) == earliest)
    return earliest, reasons


def _threshold(s: Situation, basis: str, policy: Policy) -> tuple[str, date] | None:
    """The birthday on which the rule the award rests on stops holding, if any."""
    f = s.facts
    under8 = s.age < 8 and not by_year_group(s, policy)
    if basis == "STATUTORY_DISTANCE" and under8 and _on_under8_limit(s, policy):
        return "AGE_8_THRESHOLD", birthday(f.date_of_birth, 8)
    if basis == "EXTENDED_LOW_INCOME_8_10":
        return "AGE_11_THRESHOLD", birthday(f.date_of_birth, 11)
    return None


def _birthday_ends(s: Situation, basis: str, policy: Policy, *, until: date) -> dict[str, date]:
    """A birthday ends the award only if the outcome changes (docs/eligibility.md): the
    same facts assessed on that birthday no longer make the child eligible on any basis.
    When they do (at 8 the 8-10 extended right, at 11 the 11-16 one), the next birthday
    that could end the award is looked at in turn, up to ``until`` (the other end dates).
    At most two more assessments, and only for awards a birthday within ``until`` touches.
    """
    ends: dict[str, date] = {}
    last: date | None = None
    while (threshold := _threshold(s, basis, policy)) is not None:
        code, day = threshold
        # A birthday at or before the one just looked at would look at it for ever.
        if day - timedelta(days=1) > until or (last is not None and day <= last):
            break
        last = day
        s, later = _basis_on(s.facts, day, policy)
        if later is None:
            ends[code] = day - timedelta(days=1)
            break
        basis = later
        if s.medical_active and basis == "SEND_MOBILITY" and s.facts.medical_until:
            ends["MEDICAL_END"] = s.facts.medical_until  # kept on only by a medical need
    return ends


def _on_under8_limit(s: Situation, policy: Policy) -> bool:
    """A distance award that the over-8 limit would not give: it rests on the under-8 one."""
    return (s.facts.walking_distance_miles or 0.0) <= policy.walking_limit_miles
