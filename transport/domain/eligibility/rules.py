"""One small pure function per rule. Each returns a RuleResult with the numbers used."""

from __future__ import annotations

from transport.domain.eligibility.model import Policy, RuleResult
from transport.domain.eligibility.situation import Situation

EA = "Education Act 1996"


def _miles(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g} mi"


def _nearest(s: Situation) -> str:
    if s.facts.nearest_suitable_school:
        return "the nearest suitable school"
    return "not the nearest suitable school (parental preference gives no entitlement)"


def compulsory_school_age(s: Situation, _policy: Policy) -> RuleResult:
    when = s.facts.travel_from
    span = f"compulsory school age runs from {s.csa_start} to {s.csa_end}"
    if s.facts.post16 and when <= s.csa_end:
        detail = f"aged {s.age} on {when}; a post-16 learner; {span}"
    elif s.below_csa:
        detail = f"aged {s.age} on {when}, below compulsory school age; {span}"
    elif s.above_csa:
        detail = f"aged {s.age} on {when}, above compulsory school age; {span}"
    else:
        detail = f"aged {s.age} on {when}; {span}"
    return RuleResult("COMPULSORY_SCHOOL_AGE", s.of_csa, detail, f"{EA} s8")


def _statutory(code: str, s: Situation, met: bool, detail: str, source: str) -> RuleResult:
    """Every statutory category needs compulsory school age."""
    if not s.of_csa:
        detail = f"not of compulsory school age on {s.facts.travel_from}; otherwise: {detail}"
    return RuleResult(code, met and s.of_csa, detail, source)


def send_mobility(s: Situation, _policy: Policy) -> RuleResult:
    f = s.facts
    if f.cannot_walk_send:
        why = "cannot reasonably be expected to walk to school even if accompanied"
    elif s.medical_active:
        why = f"a temporary medical condition until {f.medical_until} prevents walking"
    else:
        why = "no SEN, disability or mobility need recorded that prevents walking"
    can_not_walk = f.cannot_walk_send or s.medical_active
    detail = f"{why}; distance does not matter; {_nearest(s)}"
    met = can_not_walk and f.nearest_suitable_school
    return _statutory("SEND_MOBILITY", s, met, detail, f"{EA} s508B, Sch 35B paras 2-3")


def year_number(year_group: str) -> int:
    return 0 if year_group == "R" else int(year_group)


def by_year_group(s: Situation, policy: Policy) -> bool:
    """The council applies the under-8 limit by year group (and the year group is known)."""
    return policy.under8_limit_by == "year_group" and s.year_group is not None


def walking_limit(s: Situation, policy: Policy) -> tuple[float, str]:
    if by_year_group(s, policy):
        assert s.year_group is not None
        until = policy.under8_until_year
        where = "Reception" if s.year_group == "R" else f"Year {s.year_group}"
        if year_number(s.year_group) <= until:
            policy_text = f"council policy: to the end of Year {until}"
            return policy.under8_walking_limit_miles, f"{where} ({policy_text})"
        return policy.walking_limit_miles, f"{where} (after Year {until})"
    if s.age < 8:
        return policy.under8_walking_limit_miles, "a child under 8"
    return policy.walking_limit_miles, "a child of 8 or over"


def statutory_distance(s: Situation, policy: Policy) -> RuleResult:
    limit, who = walking_limit(s, policy)
    walking = s.walking
    beyond = walking is not None and walking > limit
    sign = ">" if beyond else "is not more than"
    detail = f"walking {_miles(walking)} {sign} {limit:g} mi limit for {who}; {_nearest(s)}"
    met = beyond and s.facts.nearest_suitable_school
    return _statutory("STATUTORY_DISTANCE", s, met, detail, f"{EA} s444(5), Sch 35B")


def unsafe_route(s: Situation, _policy: Policy) -> RuleResult:
    if s.facts.unsafe_route:
        why = "the walking route cannot reasonably be walked in safety, even accompanied"
    else:
        why = "the walking route is assessed as safe"
    met = s.facts.unsafe_route and s.facts.nearest_suitable_school
    return _statutory("UNSAFE_ROUTE", s, met, f"{why}; {_nearest(s)}", f"{EA} Sch 35B para 4")


def low_income_text(s: Situation) -> str:
    if s.facts.low_income:
        return "low income (free school meals or maximum Working Tax Credit)"
    return "not low income"


def extended_8_10(s: Situation, policy: Policy) -> RuleResult:
    lower = policy.low_income_lower_miles
    walking = s.walking
    in_age = 8 <= s.age <= 10
    far = walking is not None and walking > lower
    detail = (
        f"{low_income_text(s)}; aged {s.age} ({'8 to 10' if in_age else 'not 8 to 10'}); "
        f"walking {_miles(walking)} {'>' if far else 'is not more than'} {lower:g} mi; "
        f"{_nearest(s)}"
    )
    met = s.facts.low_income and in_age and far and s.facts.nearest_suitable_school
    return _statutory("EXTENDED_LOW_INCOME_8_10", s, met, detail, f"{EA} Sch 35B para 9")


def band(s: Situation, lower: float, upper: float) -> tuple[bool, str]:
    walking = s.walking
    distance, how = s.upper_distance
    above = walking is not None and walking > lower
    within = distance is not None and distance <= upper
    text = (
        f"walking {_miles(walking)} {'>' if above else 'is not more than'} {lower:g} mi and "
        f"{how} {_miles(distance)} {'within' if within else 'beyond'} {upper:g} mi"
    )
    return above and within, text


def extended_11_plus(s: Situation, policy: Policy) -> RuleResult:
    in_band, distances = band(s, policy.low_income_lower_miles, policy.low_income_upper_miles)
    rank = s.rank
    nearest_n = policy.low_income_nearest_schools
    among = rank is not None and rank <= nearest_n
    if rank is None:
        rank_text = f"rank unknown, so not shown to be among the {nearest_n} nearest"
    elif s.facts.nearest_suitable_school:
        rank_text = f"the nearest suitable school (rank {rank}), among the {nearest_n} nearest"
    else:
        rank_text = f"rank {rank}, {'among' if among else 'not among'} the {nearest_n} nearest"
    detail = (
        f"{low_income_text(s)}; aged {s.age} ({'11 or over' if s.age >= 11 else 'under 11'}); "
        f"{distances}; {rank_text} suitable schools"
    )
    met = s.facts.low_income and s.age >= 11 and in_band and among
    return _statutory("EXTENDED_LOW_INCOME_11_PLUS", s, met, detail, f"{EA} Sch 35B para 11")


def extended_religion(s: Situation, policy: Policy) -> RuleResult:
    """`religion_or_belief` says both that the parent chose the school on grounds of
    religion or belief and that it is the nearest school of that religion or belief
    (docs/eligibility.md): the nearest suitable school and its rank play no part."""
    in_band, distances = band(s, policy.low_income_lower_miles, policy.religion_upper_miles)
    chosen = s.facts.religion_or_belief
    faith = (
        "chosen on grounds of religion or belief, the nearest school of that religion or belief"
        if chosen
        else "not chosen on grounds of religion or belief as the nearest school of that "
        "religion or belief"
    )
    detail = (
        f"{low_income_text(s)}; aged {s.age} ({'11 or over' if s.age >= 11 else 'under 11'}); "
        f"{faith}; {distances}"
    )
    met = s.facts.low_income and s.age >= 11 and chosen and in_band
    return _statutory("EXTENDED_RELIGION_BELIEF", s, met, detail, f"{EA} Sch 35B para 12")


STATUTORY_RULES = (
    send_mobility,
    statutory_distance,
    unsafe_route,
    extended_8_10,
    extended_11_plus,
    extended_religion,
)
