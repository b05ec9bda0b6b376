"""The explanation a parent reads (issue 16): each rule's ``detail`` asserted as text, on
both sides of its boundary; the religion-or-belief rule at exactly 11; key-stage awards
for the years the main table leaves out.

Every expected string is written out by hand from the law (docs/eligibility.md) and the
wording of the rules; none is built with the code under test.

The default child: born Mon 14 Mar 2016, 9 and in Year 5 on Thu 4 Sep 2025 (the first day
of 2025/26). Compulsory school age: the 5th birthday is Sun 14 Mar 2021, so it starts on
the next prescribed day, Wed 31 Mar 2021; the 16th birthday is Sun 14 Mar 2032 (school
year 2031/32), so it ends on the last Friday in June 2032, Fri 25 Jun 2032 (30 June 2032
is a Wednesday).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from transport.domain.eligibility import Facts, Policy, assess

TRAVEL = date(2025, 9, 4)  # Thu
BORN_Y5 = date(2016, 3, 14)  # 9 on TRAVEL
CSA_Y5 = "compulsory school age runs from 2021-03-31 to 2032-06-25"
LOW = "low income (free school meals or maximum Working Tax Credit)"
NEAREST = "the nearest suitable school"
NOT_NEAREST = "not the nearest suitable school (parental preference gives no entitlement)"
ANNUAL = Policy()


def child(**changes: Any) -> Facts:
    values: dict[str, Any] = {
        "date_of_birth": BORN_Y5,
        "travel_from": TRAVEL,
        "nearest_suitable_school": True,
    }
    values.update(changes)
    return Facts(**values)


def rule(code: str, facts: Facts, policy: Policy = ANNUAL) -> tuple[bool, str]:
    found = {r.code: r for r in assess(facts, policy).rules}
    return found[code].met, found[code].detail


# --------------------------------------------------------------- compulsory school age
# A Reception child born Sat 10 Oct 2020: 5th birthday Fri 10 Oct 2025, so compulsory
# school age starts Wed 31 Dec 2025; 16th birthday Fri 10 Oct 2036 (2036/37), so it ends on
# the last Friday in June 2037, Fri 26 Jun 2037.
# A Year 12 child born Sat 14 Mar 2009: 16th birthday Fri 14 Mar 2025 (2024/25), so it
# ended Fri 27 Jun 2025; its 5th birthday was Fri 14 Mar 2014, so it started Mon 31 Mar 2014.
BORN_R = date(2020, 10, 10)
CSA_R = "compulsory school age runs from 2025-12-31 to 2037-06-26"
BORN_Y12 = date(2009, 3, 14)
CSA_Y12 = "compulsory school age runs from 2014-03-31 to 2025-06-27"


@pytest.mark.parametrize(
    ("facts", "met", "detail"),
    [
        pytest.param(child(), True, f"aged 9 on 2025-09-04; {CSA_Y5}", id="of-csa"),
        pytest.param(
            child(date_of_birth=BORN_R, travel_from=date(2025, 12, 30)),
            False,
            f"aged 5 on 2025-12-30, below compulsory school age; {CSA_R}",
            id="day-before-start",
        ),
        pytest.param(
            child(date_of_birth=BORN_R, travel_from=date(2025, 12, 31)),
            True,
            f"aged 5 on 2025-12-31; {CSA_R}",
            id="start-day",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y12, travel_from=date(2025, 6, 27)),
            True,
            f"aged 16 on 2025-06-27; {CSA_Y12}",
            id="end-day",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y12, travel_from=date(2025, 6, 28)),
            False,
            f"aged 16 on 2025-06-28, above compulsory school age; {CSA_Y12}",
            id="day-after-end",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y12, travel_from=date(2025, 6, 27), post16=True),
            False,
            f"aged 16 on 2025-06-27; a post-16 learner; {CSA_Y12}",
            id="post16-on-end-day",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y12, travel_from=date(2025, 6, 28), post16=True),
            False,
            f"aged 16 on 2025-06-28, above compulsory school age; {CSA_Y12}",
            id="post16-after-end",
        ),
    ],
)
def test_compulsory_school_age_detail(facts: Facts, met: bool, detail: str) -> None:
    assert rule("COMPULSORY_SCHOOL_AGE", facts) == (met, detail)


def test_a_statutory_rule_says_first_that_the_child_is_not_of_csa() -> None:
    facts = child(date_of_birth=BORN_R, travel_from=date(2025, 12, 30), cannot_walk_send=True)
    assert rule("SEND_MOBILITY", facts) == (
        False,
        "not of compulsory school age on 2025-12-30; otherwise: cannot reasonably be "
        f"expected to walk to school even if accompanied; distance does not matter; {NEAREST}",
    )


# ------------------------------------------------------------------------------ SEND
SEND_SOURCE_FREE = "distance does not matter"


@pytest.mark.parametrize(
    ("facts", "met", "detail"),
    [
        pytest.param(
            child(cannot_walk_send=True),
            True,
            "cannot reasonably be expected to walk to school even if accompanied; "
            f"{SEND_SOURCE_FREE}; {NEAREST}",
            id="cannot-walk",
        ),
        pytest.param(
            child(cannot_walk_send=True, nearest_suitable_school=False),
            False,
            "cannot reasonably be expected to walk to school even if accompanied; "
            f"{SEND_SOURCE_FREE}; {NOT_NEAREST}",
            id="cannot-walk-not-nearest",
        ),
        pytest.param(
            child(medical_until=TRAVEL),
            True,
            "a temporary medical condition until 2025-09-04 prevents walking; "
            f"{SEND_SOURCE_FREE}; {NEAREST}",
            id="medical-to-the-travel-day",
        ),
        pytest.param(
            child(medical_until=date(2025, 9, 3)),
            False,
            "no SEN, disability or mobility need recorded that prevents walking; "
            f"{SEND_SOURCE_FREE}; {NEAREST}",
            id="medical-ended-the-day-before",
        ),
    ],
)
def test_send_mobility_detail(facts: Facts, met: bool, detail: str) -> None:
    assert rule("SEND_MOBILITY", facts) == (met, detail)


# ------------------------------------------------------------------ statutory distance
BORN_Y3 = date(2018, 3, 14)  # 7, Year 3 on TRAVEL
BORN_Y4 = date(2017, 3, 14)  # 8, Year 4 on TRAVEL
BORN_R_SEP = date(2020, 9, 1)  # Reception 2025/26; of CSA from Wed 31 Dec 2025
BY_YEAR = Policy(under8_limit_by="year_group")


@pytest.mark.parametrize(
    ("facts", "policy", "met", "detail"),
    [
        pytest.param(
            child(date_of_birth=BORN_Y3, walking_distance_miles=2.0),
            ANNUAL,
            False,
            f"walking 2 mi is not more than 2 mi limit for a child under 8; {NEAREST}",
            id="under8-2.0",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y3, walking_distance_miles=2.01),
            ANNUAL,
            True,
            f"walking 2.01 mi > 2 mi limit for a child under 8; {NEAREST}",
            id="under8-2.01",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y4, walking_distance_miles=3.0),
            ANNUAL,
            False,
            f"walking 3 mi is not more than 3 mi limit for a child of 8 or over; {NEAREST}",
            id="8-3.0",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y4, walking_distance_miles=3.01),
            ANNUAL,
            True,
            f"walking 3.01 mi > 3 mi limit for a child of 8 or over; {NEAREST}",
            id="8-3.01",
        ),
        pytest.param(
            child(
                date_of_birth=BORN_Y4, walking_distance_miles=3.01, nearest_suitable_school=False
            ),
            ANNUAL,
            False,
            f"walking 3.01 mi > 3 mi limit for a child of 8 or over; {NOT_NEAREST}",
            id="8-3.01-not-nearest",
        ),
        pytest.param(
            child(),
            ANNUAL,
            False,
            f"walking unknown is not more than 3 mi limit for a child of 8 or over; {NEAREST}",
            id="unknown-distance",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y4, walking_distance_miles=2.5, year_group="3"),
            BY_YEAR,
            True,
            "walking 2.5 mi > 2 mi limit for Year 3 (council policy: to the end of Year 3); "
            f"{NEAREST}",
            id="by-year-year3",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y4, walking_distance_miles=2.5),
            BY_YEAR,
            False,
            f"walking 2.5 mi is not more than 3 mi limit for Year 4 (after Year 3); {NEAREST}",
            id="by-year-year4",
        ),
        pytest.param(
            child(
                date_of_birth=BORN_R_SEP, travel_from=date(2026, 1, 5), walking_distance_miles=2.5
            ),
            BY_YEAR,
            True,
            "walking 2.5 mi > 2 mi limit for Reception (council policy: to the end of "
            f"Year 3); {NEAREST}",
            id="by-year-reception",
        ),
    ],
)
def test_statutory_distance_detail(facts: Facts, policy: Policy, met: bool, detail: str) -> None:
    assert rule("STATUTORY_DISTANCE", facts, policy) == (met, detail)


# ------------------------------------------------------------------------ unsafe route
@pytest.mark.parametrize(
    ("facts", "met", "detail"),
    [
        pytest.param(
            child(unsafe_route=True),
            True,
            f"the walking route cannot reasonably be walked in safety, even accompanied; {NEAREST}",
            id="unsafe",
        ),
        pytest.param(
            child(unsafe_route=True, nearest_suitable_school=False),
            False,
            "the walking route cannot reasonably be walked in safety, even accompanied; "
            f"{NOT_NEAREST}",
            id="unsafe-not-nearest",
        ),
        pytest.param(
            child(),
            False,
            f"the walking route is assessed as safe; {NEAREST}",
            id="safe",
        ),
    ],
)
def test_unsafe_route_detail(facts: Facts, met: bool, detail: str) -> None:
    assert rule("UNSAFE_ROUTE", facts) == (met, detail)


# ------------------------------------------------------------ extended rights, 8 to 10
BORN_Y7 = date(2014, 3, 14)  # 11, Year 7 on TRAVEL


@pytest.mark.parametrize(
    ("facts", "met", "detail"),
    [
        pytest.param(
            child(date_of_birth=BORN_Y4, low_income=True, walking_distance_miles=2.01),
            True,
            f"{LOW}; aged 8 (8 to 10); walking 2.01 mi > 2 mi; {NEAREST}",
            id="8-2.01",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y4, low_income=True, walking_distance_miles=2.0),
            False,
            f"{LOW}; aged 8 (8 to 10); walking 2 mi is not more than 2 mi; {NEAREST}",
            id="8-2.0",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y3, low_income=True, walking_distance_miles=2.01),
            False,
            f"{LOW}; aged 7 (not 8 to 10); walking 2.01 mi > 2 mi; {NEAREST}",
            id="7",
        ),
        pytest.param(
            child(date_of_birth=BORN_Y7, low_income=True, walking_distance_miles=2.01),
            False,
            f"{LOW}; aged 11 (not 8 to 10); walking 2.01 mi > 2 mi; {NEAREST}",
            id="11",
        ),
        pytest.param(
            child(walking_distance_miles=2.01),
            False,
            f"not low income; aged 9 (8 to 10); walking 2.01 mi > 2 mi; {NEAREST}",
            id="not-low-income",
        ),
        pytest.param(
            child(low_income=True, walking_distance_miles=2.01, nearest_suitable_school=False),
            False,
            f"{LOW}; aged 9 (8 to 10); walking 2.01 mi > 2 mi; {NOT_NEAREST}",
            id="not-nearest",
        ),
    ],
)
def test_extended_8_10_detail(facts: Facts, met: bool, detail: str) -> None:
    assert rule("EXTENDED_LOW_INCOME_8_10", facts) == (met, detail)


# --------------------------------------------------------- extended rights, 11 to 16
def low_income_11(**changes: Any) -> Facts:
    values: dict[str, Any] = {
        "date_of_birth": BORN_Y7,
        "low_income": True,
        "walking_distance_miles": 2.5,
        "road_distance_miles": 6.0,
    }
    values.update(changes)
    return child(**values)


IN_BAND = "walking 2.5 mi > 2 mi and by road 6 mi within 6 mi"
RANK_1 = "the nearest suitable school (rank 1), among the 3 nearest suitable schools"


@pytest.mark.parametrize(
    ("facts", "met", "detail"),
    [
        pytest.param(
            low_income_11(), True, f"{LOW}; aged 11 (11 or over); {IN_BAND}; {RANK_1}", id="in"
        ),
        pytest.param(
            low_income_11(road_distance_miles=6.01),
            False,
            f"{LOW}; aged 11 (11 or over); walking 2.5 mi > 2 mi and by road 6.01 mi beyond "
            f"6 mi; {RANK_1}",
            id="road-6.01",
        ),
        pytest.param(
            low_income_11(walking_distance_miles=2.0),
            False,
            f"{LOW}; aged 11 (11 or over); walking 2 mi is not more than 2 mi and by road 6 mi "
            f"within 6 mi; {RANK_1}",
            id="walking-2.0",
        ),
        pytest.param(
            low_income_11(road_distance_miles=None),
            True,
            f"{LOW}; aged 11 (11 or over); walking 2.5 mi > 2 mi and walking (no road "
            f"distance given) 2.5 mi within 6 mi; {RANK_1}",
            id="no-road-distance",
        ),
        pytest.param(
            low_income_11(date_of_birth=date(2015, 3, 14)),
            False,
            f"{LOW}; aged 10 (under 11); {IN_BAND}; {RANK_1}",
            id="10",
        ),
        pytest.param(
            low_income_11(nearest_suitable_school=False, suitable_school_rank=3),
            True,
            f"{LOW}; aged 11 (11 or over); {IN_BAND}; rank 3, among the 3 nearest suitable schools",
            id="rank-3",
        ),
        pytest.param(
            low_income_11(nearest_suitable_school=False, suitable_school_rank=4),
            False,
            f"{LOW}; aged 11 (11 or over); {IN_BAND}; rank 4, not among the 3 nearest "
            "suitable schools",
            id="rank-4",
        ),
        pytest.param(
            low_income_11(nearest_suitable_school=False),
            False,
            f"{LOW}; aged 11 (11 or over); {IN_BAND}; rank unknown, so not shown to be among "
            "the 3 nearest suitable schools",
            id="rank-unknown",
        ),
        pytest.param(
            low_income_11(low_income=False),
            False,
            f"not low income; aged 11 (11 or over); {IN_BAND}; {RANK_1}",
            id="not-low-income",
        ),
    ],
)
def test_extended_11_plus_detail(facts: Facts, met: bool, detail: str) -> None:
    assert rule("EXTENDED_LOW_INCOME_11_PLUS", facts) == (met, detail)


# ------------------------------------------------------------- religion or belief
FAITH = "chosen on grounds of religion or belief, the nearest school of that religion or belief"
NOT_FAITH = (
    "not chosen on grounds of religion or belief as the nearest school of that religion or belief"
)


def faith_11(**changes: Any) -> Facts:
    values: dict[str, Any] = {
        "religion_or_belief": True,
        "nearest_suitable_school": False,
        "road_distance_miles": 15.0,
    }
    values.update(changes)
    return low_income_11(**values)


@pytest.mark.parametrize(
    ("facts", "met", "detail"),
    [
        pytest.param(
            faith_11(),
            True,
            f"{LOW}; aged 11 (11 or over); {FAITH}; walking 2.5 mi > 2 mi and by road 15 mi "
            "within 15 mi",
            id="in",
        ),
        pytest.param(
            faith_11(road_distance_miles=15.01),
            False,
            f"{LOW}; aged 11 (11 or over); {FAITH}; walking 2.5 mi > 2 mi and by road 15.01 mi "
            "beyond 15 mi",
            id="road-15.01",
        ),
        pytest.param(
            faith_11(religion_or_belief=False),
            False,
            f"{LOW}; aged 11 (11 or over); {NOT_FAITH}; walking 2.5 mi > 2 mi and by road "
            "15 mi within 15 mi",
            id="not-chosen",
        ),
        pytest.param(
            faith_11(low_income=False),
            False,
            f"not low income; aged 11 (11 or over); {FAITH}; walking 2.5 mi > 2 mi and by road "
            "15 mi within 15 mi",
            id="not-low-income",
        ),
    ],
)
def test_extended_religion_detail(facts: Facts, met: bool, detail: str) -> None:
    assert rule("EXTENDED_RELIGION_BELIEF", facts) == (met, detail)


# The religion-or-belief right starts at 11 (Education Act 1996 Sch 35B para 12): a child
# born Fri 14 Mar 2014 is 10 on Thu 13 Mar 2025 and 11 on Fri 14 Mar 2025 (Year 6 in
# 2024/25; its awards end Sun 31 Aug 2025, the end of the academic year and a phase
# transfer). Not at the nearest suitable school, so no other category applies.
@pytest.mark.parametrize(
    ("travel_from", "age", "basis", "valid_until"),
    [
        pytest.param(date(2025, 3, 13), 10, None, None, id="the-day-before-11"),
        pytest.param(date(2025, 3, 14), 11, "EXTENDED_RELIGION_BELIEF", date(2025, 8, 31), id="11"),
    ],
)
def test_religion_or_belief_at_exactly_11(
    travel_from: date, age: int, basis: str | None, valid_until: date | None
) -> None:
    decision = assess(faith_11(travel_from=travel_from), ANNUAL)
    assert (decision.age, decision.basis, decision.valid_until) == (age, basis, valid_until)
    _, detail = rule("EXTENDED_RELIGION_BELIEF", faith_11(travel_from=travel_from))
    older = "11 or over" if age == 11 else "under 11"
    assert detail.startswith(f"{LOW}; aged {age} ({older}); ")


# --------------------------------------------------- key-stage awards outside Years 3-6
# Key stage 3 is Years 7 to 9, key stage 4 Years 10 and 11. A child who cannot walk
# (SEND_MOBILITY, no birthday threshold) at the nearest suitable school, from Thu 4 Sep 2025.
KEY_STAGE = Policy(award_period="key_stage")


@pytest.mark.parametrize(
    ("born", "valid_until", "reasons"),
    [
        # Year 8 (12): key stage 3 ends with Year 9, 2026/27.
        pytest.param(date(2013, 3, 14), date(2027, 8, 31), ("END_OF_YEAR",), id="year8"),
        # Year 9 (13): key stage 3 ends this year.
        pytest.param(date(2012, 3, 14), date(2026, 8, 31), ("END_OF_YEAR",), id="year9"),
        # Year 11 (15): turns 16 Sat 14 Mar 2026, CSA ends Fri 26 Jun 2026, before the end
        # of key stage 4 and the phase transfer (Mon 31 Aug 2026).
        pytest.param(date(2010, 3, 14), date(2026, 6, 26), ("END_OF_CSA",), id="year11"),
    ],
)
def test_key_stage_awards_in_secondary_years(
    born: date, valid_until: date, reasons: tuple[str, ...]
) -> None:
    decision = assess(child(date_of_birth=born, cannot_walk_send=True), KEY_STAGE)
    assert (decision.basis, decision.valid_until, decision.review_reasons) == (
        "SEND_MOBILITY",
        valid_until,
        reasons,
    )


def test_year_11_key_stage_to_the_end_of_the_summer_term() -> None:
    # With the award kept to the end of the summer term (Fri 31 Jul 2026), key stage 4 and
    # the phase transfer still end later (Mon 31 Aug 2026).
    policy = Policy(award_period="key_stage", year11_until="end_of_summer_term")
    decision = assess(child(date_of_birth=date(2010, 3, 14), cannot_walk_send=True), policy)
    assert (decision.valid_until, decision.review_reasons) == (date(2026, 7, 31), ("END_OF_CSA",))


# ------------------------------------------------------------- notes on the decision
# When no statutory category is met the council's discretionary category is tried and its
# explanation becomes the decision's note, whether it gives transport or not. The Reception
# child born Sat 10 Oct 2020 is 4 on Thu 4 Sep 2025, below compulsory school age (from Wed
# 31 Dec 2025); as if of that age, 2.5 miles is more than the 2-mile limit under 8.
NO_RECEPTION = "below compulsory school age: council policy gives no Reception transport"
RECEPTION = (
    "below compulsory school age: council policy extends transport to Reception children "
    "who meet a statutory test"
)


@pytest.mark.parametrize(
    ("facts", "policy", "expected"),
    [
        pytest.param(
            child(date_of_birth=BORN_R, walking_distance_miles=2.5),
            ANNUAL,
            (False, (NO_RECEPTION,)),
            id="reception-refused-by-policy",
        ),
        pytest.param(
            child(date_of_birth=BORN_R, walking_distance_miles=2.0),
            Policy(discretionary_reception=True),
            (False, (f"{RECEPTION} (none met)",)),
            id="reception-no-test-met",
        ),
        pytest.param(
            child(date_of_birth=BORN_R, walking_distance_miles=2.5),
            Policy(discretionary_reception=True),
            (True, (f"{RECEPTION} (STATUTORY_DISTANCE)",)),
            id="reception-given",
        ),
        # Of compulsory school age, with no faith transport: no discretionary category to
        # try, so no note (9, Year 5, 2.5 miles is not more than the 3-mile limit).
        pytest.param(
            child(walking_distance_miles=2.5), ANNUAL, (False, ()), id="of-csa-no-category"
        ),
    ],
)
def test_the_decision_notes_the_discretionary_category(
    facts: Facts, policy: Policy, expected: tuple[bool, tuple[str, ...]]
) -> None:
    decision = assess(facts, policy)
    assert (decision.eligible, decision.notes) == expected
