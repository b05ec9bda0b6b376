"""Compose the rules into a Decision and set the date the award must end."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from transport.domain.eligibility.model import (
    REVIEW_ORDER,
    STATUTORY_ORDER,
    Decision,
    Facts,
    Policy,
    RuleResult,
)
from transport.domain.eligibility.rules import EA, STATUTORY_RULES, compulsory_school_age
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
        discretionary = _discretionary(s, policy)
        if discretionary is not None:
            rules.append(discretionary)
            basis = discretionary.code if discretionary.met else None
            notes.append(discretionary.detail)
    return rules, basis, notes


def _basis_on(facts: Facts, day: date, policy: Policy) -> tuple[Situation, str | None]:
    """The same facts assessed as if transport were wanted from ``day``."""
    s = Situation.of(dataclasses.replace(facts, travel_from=day))
    return s, _categories(s, policy)[1]


def _as_if_of_csa(s: Situation, policy: Policy) -> list[RuleResult]:
    """The statutory tests for a child outside compulsory school age, as if within it."""
    shadow = dataclasses.replace(s, as_if_of_csa=True)
    return [rule(shadow, policy) for rule in STATUTORY_RULES]


def _discretionary(s: Situation, policy: Policy) -> RuleResult | None:
    """Outside compulsory school age the statutory duty does not apply: policy decides."""
    if s.below_csa and not s.facts.post16:
        met_as_if = [r.code for r in _as_if_of_csa(s, policy) if r.met]
        if not policy.discretionary_reception:
            detail = "below compulsory school age: council policy gives no Reception transport"
            return RuleResult("discretionary", False, detail, f"{EA} s508C; council policy")
        detail = (
            "below compulsory school age: council policy extends transport to Reception "
            f"children who meet a statutory test ({', '.join(met_as_if) or 'none met'})"
        )
        return RuleResult("discretionary", bool(met_as_if), detail, f"{EA} s508C; council policy")
    if not s.above_csa:
        return None
    send = _as_if_of_csa(s, policy)[0]  # SEND_MOBILITY
    if s.age >= 19:
        met = policy.post19 and s.age < 25 and send.met
        detail = (
            f"aged {s.age}, post-19: council policy "
            f"{'provides' if policy.post19 else 'does not provide'} transport to learners "
            "up to 25 with an EHCP who cannot walk; "
            f"{'cannot walk' if send.met else 'no need recorded that prevents walking'}"
        )
        return RuleResult("post19", met, detail, f"{EA} s508F; council policy")
    any_test = [r.code for r in _as_if_of_csa(s, policy) if r.met]
    met = (policy.post16 == "all" and bool(any_test)) or (policy.post16 == "send" and send.met)
    offer = {
        "none": "gives no post-16 transport",
        "send": "gives post-16 transport to learners who cannot walk (SEN, disability, mobility)",
        "all": "gives post-16 transport on the statutory tests",
    }[policy.post16]
    detail = (
        f"aged {s.age}, post-16 (no statutory duty): council policy {offer}; tests met as if "
        f"of compulsory school age: {', '.join(any_test) or 'none'}; learners re-apply each year"
    )
    return RuleResult("post16", met, detail, f"{EA} s509AA; council post-16 policy statement")


def end_date(s: Situation, basis: str, policy: Policy) -> tuple[date, tuple[str, ...]]:
    """The earliest of the dates that end or review the award, and which set it."""
    f = s.facts
    year_end = date(s.academic_year + 1, 8, 31)
    statutory = basis in STATUTORY_ORDER
    candidates: dict[str, date] = {}

    if policy.award_period == "key_stage" and statutory and s.year_group in KEY_STAGE_END:
        years_left = KEY_STAGE_END[s.year_group] - _year_number(s.year_group)
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

    candidates.update(_birthday_ends(s, basis, policy, until=min(candidates.values())))
    earliest = min(candidates.values())
    reasons = tuple(code for code in REVIEW_ORDER if candidates.get(code) == earliest)
    return earliest, reasons


def _threshold(s: Situation, basis: str, policy: Policy) -> tuple[str, date] | None:
    """The birthday on which the rule the award rests on stops holding, if any."""
    f = s.facts
    if basis == "STATUTORY_DISTANCE" and s.age < 8:
        walking = f.walking_distance_miles or 0.0
        if walking <= policy.walking_limit_miles:  # the award rests on the under-8 limit
            return "AGE_8_THRESHOLD", birthday(f.date_of_birth, 8)
    if basis == "EXTENDED_LOW_INCOME_8_10":
        return "AGE_11_THRESHOLD", birthday(f.date_of_birth, 11)
    return None


def _birthday_ends(s: Situation, basis: str, policy: Policy, *, until: date) -> dict[str, date]:
    """A birthday ends the award only if the outcome changes (spec/eligibility.md): the
    same facts assessed on that birthday no longer make the child eligible on any basis.
    When they do (at 8 the 8-10 extended right, at 11 the 11-16 one), the next birthday
    that could end the award is looked at in turn, up to ``until`` (the other end dates).
    At most two more assessments, and only for awards a birthday within ``until`` touches.
    """
    ends: dict[str, date] = {}
    while (threshold := _threshold(s, basis, policy)) is not None:
        code, day = threshold
        if day - timedelta(days=1) > until:
            break
        s, later = _basis_on(s.facts, day, policy)
        if later is None:
            ends[code] = day - timedelta(days=1)
            break
        basis = later
        if s.medical_active and basis == "SEND_MOBILITY" and s.facts.medical_until:
            ends["MEDICAL_END"] = s.facts.medical_until  # kept on only by a medical need
    return ends


def _year_number(year_group: str) -> int:
    return 0 if year_group == "R" else int(year_group)
