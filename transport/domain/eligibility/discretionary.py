"""The council's discretionary categories, tried when no statutory category is met:
Reception below compulsory school age, faith transport, post-16 and post-19."""

from __future__ import annotations

import dataclasses

from transport.domain.eligibility.model import Policy, RuleResult
from transport.domain.eligibility.rules import (
    EA,
    STATUTORY_RULES,
    band,
    low_income_text,
    walking_limit,
    year_number,
)
from transport.domain.eligibility.situation import Situation


def discretionary(s: Situation, policy: Policy) -> RuleResult | None:
    """Outside compulsory school age the statutory duty does not apply: policy decides.
    Within it, the council may add faith transport. None: no category to try."""
    if s.below_csa and not s.facts.post16:
        return _reception(s, policy)
    if not s.above_csa:
        return faith(s, policy) if policy.faith_transport else None
    if s.age >= 19:
        return _post19(s, policy)
    return _post16(s, policy)


def _as_if_of_csa(s: Situation, policy: Policy) -> list[RuleResult]:
    """The statutory tests for a child outside compulsory school age, as if within it."""
    shadow = dataclasses.replace(s, as_if_of_csa=True)
    return [rule(shadow, policy) for rule in STATUTORY_RULES]


def _reception(s: Situation, policy: Policy) -> RuleResult:
    met_as_if = [r.code for r in _as_if_of_csa(s, policy) if r.met]
    if not policy.discretionary_reception:
        detail = "below compulsory school age: council policy gives no Reception transport"
        return RuleResult("discretionary", False, detail, f"{EA} s508C; council policy")
    detail = (
        "below compulsory school age: council policy extends transport to Reception "
        f"children who meet a statutory test ({', '.join(met_as_if) or 'none met'})"
    )
    return RuleResult("discretionary", bool(met_as_if), detail, f"{EA} s508C; council policy")


def _secondary(s: Situation) -> bool:
    if s.year_group is not None:
        return year_number(s.year_group) >= 7
    return s.age >= 11


def faith(s: Situation, policy: Policy) -> RuleResult:
    """Council policy: a child at the nearest school of their religion or belief (the
    `religion_or_belief` fact), beyond the walking distance for their age and within the
    council's limit for their phase; low income only if the council requires it."""
    secondary = _secondary(s)
    upper = policy.faith_secondary_upper_miles if secondary else policy.faith_primary_upper_miles
    lower, who = walking_limit(s, policy)
    in_band, distances = band(s, lower, upper)
    chosen = s.facts.religion_or_belief
    income_ok = s.facts.low_income or not policy.faith_needs_low_income
    income = (
        f"{low_income_text(s)} (council policy needs low income)"
        if policy.faith_needs_low_income
        else "low income not needed"
    )
    detail = (
        f"council policy gives faith transport; "
        f"{'chosen' if chosen else 'not chosen'} on grounds of religion or belief as the "
        f"nearest school of that religion or belief; {distances} "
        f"({'secondary' if secondary else 'primary'} limit; walking limit for {who}); {income}"
    )
    met = chosen and in_band and income_ok
    return RuleResult("faith", met, detail, f"{EA} s508C, s509AD; council policy")


def _post19(s: Situation, policy: Policy) -> RuleResult:
    send = _as_if_of_csa(s, policy)[0]  # SEND_MOBILITY
    met = policy.post19 and s.age < 25 and send.met
    detail = (
        f"aged {s.age}, post-19: council policy "
        f"{'provides' if policy.post19 else 'does not provide'} transport to learners "
        "up to 25 with an EHCP who cannot walk; "
        f"{'cannot walk' if send.met else 'no need recorded that prevents walking'}"
    )
    return RuleResult("post19", met, detail, f"{EA} s508F; council policy")


def _post16(s: Situation, policy: Policy) -> RuleResult:
    tests = _as_if_of_csa(s, policy)
    cannot_walk = tests[0].met  # SEND_MOBILITY
    any_test = [r.code for r in tests if r.met]
    income_ok = s.facts.low_income or not policy.post16_needs_low_income
    income = (
        f"; {low_income_text(s)} (council policy needs low income, except for learners who "
        "cannot walk)"
        if policy.post16_needs_low_income and policy.post16 in ("all", "band")
        else ""
    )
    in_band, distances = band(s, policy.post16_lower_miles, policy.post16_upper_miles)
    nearest = s.facts.nearest_suitable_school
    if policy.post16 == "all":
        met = cannot_walk or (bool(any_test) and income_ok)
    elif policy.post16 == "band":
        met = cannot_walk or (in_band and nearest and income_ok)
    else:
        met = policy.post16 == "send" and cannot_walk
    offer = {
        "none": "gives no post-16 transport",
        "send": "gives post-16 transport to learners who cannot walk (SEN, disability, mobility)",
        "all": "gives post-16 transport on the statutory tests",
        "band": (
            "gives post-16 transport to learners who cannot walk, and to learners at the "
            "nearest suitable school or college within its distance band: "
            f"{distances}; {'the nearest' if nearest else 'not the nearest'}"
        ),
    }[policy.post16]
    detail = (
        f"aged {s.age}, post-16 (no statutory duty): council policy {offer}{income}; tests met "
        f"as if of compulsory school age: {', '.join(any_test) or 'none'}; learners re-apply "
        "each year"
    )
    return RuleResult("post16", met, detail, f"{EA} s509AA; council post-16 policy statement")
