"""The eligibility engine against the law and councils' published policies, case by case:
the nearest school with no rank, the nearest school of a religion or belief, birthdays
that end an award only when the outcome changes, the under-8 limit by year group, faith
transport and the post-16 distance band (tests/unit/test_decision_letter_cases.py has
the letter a parent reads for each).

Every expected value was worked out by hand (the law and docs/eligibility.md); dates carry
their weekday. Most cases travel from Thu 4 Sep 2025, the first day of 2025/26, whose
awards end on Mon 31 Aug 2026.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings

from tests.unit.test_eligibility import any_facts, policies
from transport.domain.eligibility import Decision, Facts, Policy, assess

TRAVEL = date(2025, 9, 4)  # Thu
END_2025_26 = date(2026, 8, 31)  # Mon
ANNUAL = Policy()
NOT_ELIGIBLE: tuple[Any, ...] = (False, None, None, ())

BORN_AGE_12_Y8 = date(2013, 3, 14)  # 12 on 4 Sep 2025, Year 8


def facts(**values: Any) -> Facts:
    return Facts(**{"travel_from": TRAVEL, **values})


def award(basis: str, valid_until: date, *reasons: str) -> tuple[Any, ...]:
    return (True, basis, valid_until, reasons)


def outcome(decision: Decision) -> tuple[Any, ...]:
    return (decision.eligible, decision.basis, decision.valid_until, decision.review_reasons)


# ------------------------------------------- the nearest school with no rank is rank 1
def low_income_12(**changes: Any) -> Facts:
    """Low income, 12 (Year 8), 2.5 miles' walk and 5 by road to the nearest suitable
    school, no rank given."""
    values: dict[str, Any] = {
        "date_of_birth": BORN_AGE_12_Y8,
        "low_income": True,
        "walking_distance_miles": 2.5,
        "road_distance_miles": 5.0,
        "nearest_suitable_school": True,
    }
    return facts(**{**values, **changes})


ELEVEN_PLUS = award("EXTENDED_LOW_INCOME_11_PLUS", END_2025_26, "END_OF_YEAR")


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        # Before: not eligible ("rank unknown not among the 3 nearest"). Sch 35B para 11.
        pytest.param(low_income_12(), ELEVEN_PLUS, id="nearest-no-rank"),
        pytest.param(low_income_12(suitable_school_rank=1), ELEVEN_PLUS, id="nearest-rank-1"),
        pytest.param(
            low_income_12(nearest_suitable_school=False), NOT_ELIGIBLE, id="not-nearest-no-rank"
        ),
        pytest.param(
            low_income_12(nearest_suitable_school=False, suitable_school_rank=3),
            ELEVEN_PLUS,
            id="rank-3",
        ),
        pytest.param(
            low_income_12(nearest_suitable_school=False, suitable_school_rank=4),
            NOT_ELIGIBLE,
            id="rank-4",
        ),
        pytest.param(low_income_12(road_distance_miles=6.0), ELEVEN_PLUS, id="nearest-road-6.0"),
        pytest.param(low_income_12(road_distance_miles=6.01), NOT_ELIGIBLE, id="nearest-road-6.01"),
    ],
)
def test_the_nearest_school_with_no_rank_is_rank_1(f: Facts, expected: tuple[Any, ...]) -> None:
    assert outcome(assess(f, ANNUAL)) == expected


# ------------------------------------------ the nearest school of that religion or belief
def faith_12(**changes: Any) -> Facts:
    """Low income, 12 (Year 8), at the nearest school of their faith,
    ranked 7th among all suitable schools, 11 miles by road (9 miles' walk)."""
    values: dict[str, Any] = {
        "date_of_birth": BORN_AGE_12_Y8,
        "low_income": True,
        "religion_or_belief": True,
        "nearest_suitable_school": False,
        "suitable_school_rank": 7,
        "walking_distance_miles": 9.0,
        "road_distance_miles": 11.0,
    }
    return facts(**{**values, **changes})


RELIGION = award("EXTENDED_RELIGION_BELIEF", END_2025_26, "END_OF_YEAR")
BORN_AGE_11_Y7 = date(2014, 3, 14)  # 11 on 4 Sep 2025, Year 7
BORN_AGE_10_Y6 = date(2015, 3, 14)  # 10 on 4 Sep 2025, Year 6


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        # Before: not eligible ("not the nearest such school"). Sch 35B para 12.
        pytest.param(faith_12(), RELIGION, id="rank-7-11-miles"),
        pytest.param(faith_12(suitable_school_rank=None), RELIGION, id="no-rank"),
        pytest.param(faith_12(road_distance_miles=15.0), RELIGION, id="road-15.0"),
        pytest.param(faith_12(road_distance_miles=15.01), NOT_ELIGIBLE, id="road-15.01"),
        pytest.param(
            faith_12(walking_distance_miles=2.01, road_distance_miles=2.5), RELIGION, id="walk-2.01"
        ),
        pytest.param(
            faith_12(walking_distance_miles=2.0, road_distance_miles=2.5),
            NOT_ELIGIBLE,
            id="walk-2.0",
        ),
        pytest.param(faith_12(date_of_birth=BORN_AGE_11_Y7), RELIGION, id="age-11"),
        pytest.param(faith_12(date_of_birth=BORN_AGE_10_Y6), NOT_ELIGIBLE, id="age-10"),
        pytest.param(faith_12(low_income=False), NOT_ELIGIBLE, id="not-low-income"),
        pytest.param(faith_12(religion_or_belief=False), NOT_ELIGIBLE, id="not-religion"),
    ],
)
def test_religion_or_belief_is_the_nearest_school_of_that_faith(
    f: Facts, expected: tuple[Any, ...]
) -> None:
    assert outcome(assess(f, ANNUAL)) == expected


# ----------------------------------- a birthday ends an award only if it changes the outcome
BORN_2018_03_10 = date(2018, 3, 10)  # Sat; 7 on 4 Sep 2025, Year 3; 8th birthday Tue 10 Mar 2026
BORN_2015_03_14 = date(2015, 3, 14)  # Sat; 10, Year 6; 11th birthday Sat 14 Mar 2026


def age7(**changes: Any) -> Facts:
    """Born 10 Mar 2018, 2.5 miles' walk to the nearest school, low income."""
    values: dict[str, Any] = {
        "date_of_birth": BORN_2018_03_10,
        "walking_distance_miles": 2.5,
        "nearest_suitable_school": True,
        "low_income": True,
    }
    return facts(**{**values, **changes})


def year6(**changes: Any) -> Facts:
    """Low income, 10, Year 6, 2.5 miles' walk and 4 by road to the nearest school."""
    values: dict[str, Any] = {
        "date_of_birth": BORN_2015_03_14,
        "walking_distance_miles": 2.5,
        "road_distance_miles": 4.0,
        "nearest_suitable_school": True,
        "low_income": True,
    }
    return facts(**{**values, **changes})


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        # Before: valid_until Mon 9 Mar 2026 with AGE_8_THRESHOLD; on Tue 10 Mar 2026 the
        # 8-10 extended right (Sch 35B para 9: low income, more than 2 miles) holds.
        pytest.param(
            age7(),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="low-income-at-8",
        ),
        # Not low income: at 8 the limit is 3 miles (s444(5)), so the birthday ends it.
        pytest.param(
            age7(low_income=False),
            award("STATUTORY_DISTANCE", date(2026, 3, 9), "AGE_8_THRESHOLD"),
            id="not-low-income",
        ),
        # A medical condition that ended before the travel date (Fri 18 Jul 2025) is no fact:
        # it neither ends the award nor counts when the 8th birthday is looked at.
        pytest.param(
            age7(medical_until=date(2025, 7, 18)),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="medical-ended-before",
        ),
        pytest.param(age7(walking_distance_miles=2.0), NOT_ELIGIBLE, id="walk-2.0"),
        pytest.param(
            age7(low_income=False, walking_distance_miles=3.01),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="over-3-miles",
        ),
        # Before: Fri 13 Mar 2026 with AGE_11_THRESHOLD; at 11 the 11-16 right (para 11:
        # more than 2, not more than 6 miles, one of the 3 nearest) holds.
        pytest.param(
            year6(),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="year6-11-plus-holds",
        ),
        pytest.param(
            year6(road_distance_miles=6.0),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="year6-road-6.0",
        ),
        pytest.param(
            year6(road_distance_miles=6.01),
            award("EXTENDED_LOW_INCOME_8_10", date(2026, 3, 13), "AGE_11_THRESHOLD"),
            id="year6-road-6.01",
        ),
        # At 11, religion or belief (para 12, up to 15 miles) holds as well.
        pytest.param(
            year6(road_distance_miles=12.0, religion_or_belief=True),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="year6-religion-holds",
        ),
        # The spec's third-nearest school: no award at 10 (para 9 needs the nearest)...
        pytest.param(
            year6(nearest_suitable_school=False, suitable_school_rank=3),
            NOT_ELIGIBLE,
            id="year6-third-nearest-at-10",
        ),
        # ...and from the 11th birthday, the 11-16 right.
        pytest.param(
            year6(
                nearest_suitable_school=False,
                suitable_school_rank=3,
                travel_from=date(2026, 3, 14),
            ),
            award("EXTENDED_LOW_INCOME_11_PLUS", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="year6-third-nearest-at-11",
        ),
    ],
)
def test_a_birthday_ends_an_award_only_if_the_outcome_changes(
    f: Facts, expected: tuple[Any, ...]
) -> None:
    assert outcome(assess(f, ANNUAL)) == expected


def test_key_stage_award_looks_past_the_8th_birthday_to_the_11th() -> None:
    # Key stage 2 runs to Fri 31 Aug 2029 (end of Year 6). At 8 the 8-10 right holds; at
    # 11 (Sat 10 Mar 2029) 7 miles by road fails 11+ (and religion is not chosen), so the
    # award ends Fri 9 Mar 2029.
    f = age7(road_distance_miles=7.0)
    assert outcome(assess(f, Policy(award_period="key_stage"))) == award(
        "STATUTORY_DISTANCE", date(2029, 3, 9), "AGE_11_THRESHOLD"
    )
    assert outcome(assess(age7(road_distance_miles=5.0), Policy(award_period="key_stage"))) == (
        award("STATUTORY_DISTANCE", date(2029, 8, 31), "END_OF_YEAR")
    )


@settings(max_examples=500, deadline=None)
@given(f=any_facts(), policy=policies)
def test_a_birthday_that_ends_an_award_really_changes_the_outcome(f: Facts, policy: Policy) -> None:
    """If the engine ends an award the day before the 8th or 11th birthday, the same facts
    assessed on that birthday are not eligible (spec: only if the outcome changes)."""
    decision = assess(f, policy)
    if decision.eligible and {"AGE_8_THRESHOLD", "AGE_11_THRESHOLD"} & set(decision.review_reasons):
        assert decision.valid_until is not None
        later = dataclasses.replace(f, travel_from=decision.valid_until + timedelta(days=1))
        assert not assess(later, policy).eligible, assess(later, policy).as_dict()


# ---------------------------------------------- council policy: under 8 by year group
BY_YEAR_3 = Policy(under8_limit_by="year_group", under8_until_year=3)
BORN_AGE_7_Y3 = date(2018, 3, 14)  # 7, Year 3; 8th birthday Sat 14 Mar 2026
BORN_AGE_8_Y3 = date(2017, 9, 1)  # Fri; 8 on 1 Sep 2025, Year 3 (born Sep 2017)
BORN_AGE_8_Y4 = date(2017, 3, 14)  # 8, Year 4
# Sat; 5, Year 1 (turned 5 in 2024/25, Reception then); CSA from Mon 31 Mar 2025.
BORN_AGE_5_Y1 = date(2020, 3, 14)
UNDER8 = award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR")


def walker(born: date, miles: float = 2.5) -> Facts:
    return facts(date_of_birth=born, walking_distance_miles=miles, nearest_suitable_school=True)


@pytest.mark.parametrize(
    ("f", "policy", "expected"),
    [
        # By birthday (the statute, s444(5)): 2 miles until the 8th birthday.
        pytest.param(
            walker(BORN_AGE_7_Y3),
            ANNUAL,
            award("STATUTORY_DISTANCE", date(2026, 3, 13), "AGE_8_THRESHOLD"),
            id="birthday-age7-y3",
        ),
        pytest.param(walker(BORN_AGE_8_Y3), ANNUAL, NOT_ELIGIBLE, id="birthday-age8-y3"),
        # By year group (council policy): 2 miles to the end of Year 3, whatever the age.
        pytest.param(walker(BORN_AGE_7_Y3), BY_YEAR_3, UNDER8, id="year-group-age7-y3"),
        pytest.param(walker(BORN_AGE_8_Y3), BY_YEAR_3, UNDER8, id="year-group-age8-y3"),
        pytest.param(walker(BORN_AGE_8_Y3, 2.0), BY_YEAR_3, NOT_ELIGIBLE, id="y3-2.0"),
        pytest.param(walker(BORN_AGE_8_Y3, 2.01), BY_YEAR_3, UNDER8, id="y3-2.01"),
        pytest.param(walker(BORN_AGE_8_Y4), BY_YEAR_3, NOT_ELIGIBLE, id="year-group-y4"),
        pytest.param(walker(BORN_AGE_8_Y4, 3.01), BY_YEAR_3, UNDER8, id="year-group-y4-3.01"),
        pytest.param(
            walker(BORN_AGE_8_Y4),
            Policy(under8_limit_by="year_group", under8_until_year=4),
            UNDER8,
            id="until-year-4",
        ),
        # A year group given in the facts is the one used.
        pytest.param(
            facts(
                date_of_birth=BORN_AGE_8_Y4,
                year_group="3",
                walking_distance_miles=2.5,
                nearest_suitable_school=True,
            ),
            BY_YEAR_3,
            UNDER8,
            id="facts-year-3",
        ),
        # Key stage 2 awards (to the end of Year 6) end with Year 3 when they rest on it.
        pytest.param(
            walker(BORN_AGE_8_Y3),
            Policy(award_period="key_stage", under8_limit_by="year_group"),
            UNDER8,
            id="key-stage-ends-with-year-3",
        ),
        pytest.param(
            walker(BORN_AGE_8_Y3, 3.5),
            Policy(award_period="key_stage", under8_limit_by="year_group"),
            award("STATUTORY_DISTANCE", date(2029, 8, 31), "END_OF_YEAR"),
            id="key-stage-beyond-3-miles",
        ),
        # With the limit to the end of Year 4, the Year 3 child's Key stage 2 award (to the
        # end of Year 6, Fri 31 Aug 2029) ends with Year 4 (2026/27): Tue 31 Aug 2027.
        pytest.param(
            walker(BORN_AGE_8_Y3),
            Policy(award_period="key_stage", under8_limit_by="year_group", under8_until_year=4),
            award("STATUTORY_DISTANCE", date(2027, 8, 31), "END_OF_YEAR"),
            id="key-stage-ends-with-year-4",
        ),
        # A Year 1 child: Key stage 1 ends with Year 2 (2026/27, Tue 31 Aug 2027), before
        # the limit would (end of Year 3, Thu 31 Aug 2028), so the key stage sets the end.
        pytest.param(
            walker(BORN_AGE_5_Y1),
            Policy(award_period="key_stage", under8_limit_by="year_group"),
            award("STATUTORY_DISTANCE", date(2027, 8, 31), "END_OF_YEAR"),
            id="key-stage-1-ends-before-year-3",
        ),
    ],
)
def test_under8_limit_by_year_group(f: Facts, policy: Policy, expected: tuple[Any, ...]) -> None:
    assert outcome(assess(f, policy)) == expected


# ---------------------------------------------------- council policy: faith transport
FAITH = Policy(
    faith_transport=True, faith_primary_upper_miles=20.0, faith_secondary_upper_miles=25.0
)
FAITH_LOW_INCOME = Policy(
    faith_transport=True,
    faith_primary_upper_miles=20.0,
    faith_secondary_upper_miles=25.0,
    faith_needs_low_income=True,
)
BORN_AGE_9_Y5 = date(2016, 3, 14)  # 9, Year 5
FAITH_AWARD = award("faith", END_2025_26, "END_OF_YEAR")


def pupil_of_faith(**changes: Any) -> Facts:
    """Not low income, 12 (Year 8), at the nearest school of their faith, 9 miles' walk and
    22 by road; the nearest suitable school is another."""
    values: dict[str, Any] = {
        "date_of_birth": BORN_AGE_12_Y8,
        "religion_or_belief": True,
        "walking_distance_miles": 9.0,
        "road_distance_miles": 22.0,
    }
    return facts(**{**values, **changes})


@pytest.mark.parametrize(
    ("f", "policy", "expected"),
    [
        pytest.param(pupil_of_faith(), ANNUAL, NOT_ELIGIBLE, id="off-by-default"),
        pytest.param(pupil_of_faith(), FAITH, FAITH_AWARD, id="secondary-22"),
        pytest.param(pupil_of_faith(road_distance_miles=25.0), FAITH, FAITH_AWARD, id="sec-25.0"),
        pytest.param(pupil_of_faith(road_distance_miles=25.01), FAITH, NOT_ELIGIBLE, id="s-25.01"),
        # Beyond the walking distance for the age (3 miles at 12).
        pytest.param(
            pupil_of_faith(walking_distance_miles=3.0, road_distance_miles=4.0),
            FAITH,
            NOT_ELIGIBLE,
            id="walk-3.0",
        ),
        pytest.param(
            pupil_of_faith(walking_distance_miles=3.01, road_distance_miles=4.0),
            FAITH,
            FAITH_AWARD,
            id="walk-3.01",
        ),
        pytest.param(pupil_of_faith(religion_or_belief=False), FAITH, NOT_ELIGIBLE, id="no-faith"),
        # Primary (Year 5): the primary limit, 20 miles.
        pytest.param(
            pupil_of_faith(date_of_birth=BORN_AGE_9_Y5, road_distance_miles=20.0),
            FAITH,
            FAITH_AWARD,
            id="primary-20.0",
        ),
        pytest.param(
            pupil_of_faith(date_of_birth=BORN_AGE_9_Y5, road_distance_miles=20.01),
            FAITH,
            NOT_ELIGIBLE,
            id="primary-20.01",
        ),
        # Low income required by the council.
        pytest.param(pupil_of_faith(), FAITH_LOW_INCOME, NOT_ELIGIBLE, id="needs-low-income"),
        pytest.param(
            pupil_of_faith(low_income=True), FAITH_LOW_INCOME, FAITH_AWARD, id="low-income-22"
        ),
        # Within 15 miles on low income the statutory right (para 12) comes first.
        pytest.param(
            pupil_of_faith(low_income=True, road_distance_miles=11.0),
            FAITH,
            award("EXTENDED_RELIGION_BELIEF", END_2025_26, "END_OF_YEAR"),
            id="statutory-first",
        ),
    ],
)
def test_faith_transport(f: Facts, policy: Policy, expected: tuple[Any, ...]) -> None:
    assert outcome(assess(f, policy)) == expected


# ------------------------------------------------ council policy: post-16 distance band
BAND = Policy(post16="band", post16_lower_miles=3.0, post16_upper_miles=15.0)
BAND_LOW_INCOME = Policy(post16="band", post16_needs_low_income=True)
ALL_LOW_INCOME = Policy(post16="all", post16_needs_low_income=True)
BORN_AGE_16_Y12 = date(2009, 3, 14)  # 16, Year 12, above compulsory school age
POST16 = award("post16", END_2025_26, "END_OF_YEAR")


def student(**changes: Any) -> Facts:
    """16, Year 12, at the nearest suitable school or college, 3.5 miles' walk, 10 by road."""
    values: dict[str, Any] = {
        "date_of_birth": BORN_AGE_16_Y12,
        "post16": True,
        "nearest_suitable_school": True,
        "walking_distance_miles": 3.5,
        "road_distance_miles": 10.0,
    }
    return facts(**{**values, **changes})


@pytest.mark.parametrize(
    ("f", "policy", "expected"),
    [
        pytest.param(student(), ANNUAL, NOT_ELIGIBLE, id="default-send-only"),
        pytest.param(student(), BAND, POST16, id="band"),
        pytest.param(student(walking_distance_miles=3.0), BAND, NOT_ELIGIBLE, id="walk-3.0"),
        pytest.param(student(walking_distance_miles=3.01), BAND, POST16, id="walk-3.01"),
        pytest.param(student(road_distance_miles=15.0), BAND, POST16, id="road-15.0"),
        pytest.param(student(road_distance_miles=15.01), BAND, NOT_ELIGIBLE, id="road-15.01"),
        pytest.param(student(nearest_suitable_school=False), BAND, NOT_ELIGIBLE, id="not-nearest"),
        pytest.param(
            student(walking_distance_miles=0.5, cannot_walk_send=True),
            BAND,
            POST16,
            id="cannot-walk",
        ),
        pytest.param(student(), BAND_LOW_INCOME, NOT_ELIGIBLE, id="band-needs-low-income"),
        pytest.param(student(low_income=True), BAND_LOW_INCOME, POST16, id="band-low-income"),
        pytest.param(
            student(cannot_walk_send=True), BAND_LOW_INCOME, POST16, id="cannot-walk-no-income"
        ),
        pytest.param(student(), Policy(post16="all"), POST16, id="all"),
        pytest.param(student(), ALL_LOW_INCOME, NOT_ELIGIBLE, id="all-needs-low-income"),
        pytest.param(student(low_income=True), ALL_LOW_INCOME, POST16, id="all-low-income"),
    ],
)
def test_post16_distance_band(f: Facts, policy: Policy, expected: tuple[Any, ...]) -> None:
    assert outcome(assess(f, policy)) == expected
