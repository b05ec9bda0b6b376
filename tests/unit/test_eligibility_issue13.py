"""Issue 13: the engine against the law and councils' published policies, and the letter a
parent reads for each case.

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

from notifications.letters import LetterContext, decision_letter
from tests.unit.test_eligibility import any_facts, policies
from transport.domain.eligibility import Decision, Facts, Policy, assess

TRAVEL = date(2025, 9, 4)  # Thu
END_2025_26 = date(2026, 8, 31)  # Mon
LETTER_DATE = date(2025, 7, 14)  # Mon
ANNUAL = Policy()
NOT_ELIGIBLE: tuple[Any, ...] = (False, None, None, ())

BORN_AGE_12_Y8 = date(2013, 3, 14)  # 12 on 4 Sep 2025, Year 8


def facts(**values: Any) -> Facts:
    return Facts(**{"travel_from": TRAVEL, **values})


def award(basis: str, valid_until: date, *reasons: str) -> tuple[Any, ...]:
    return (True, basis, valid_until, reasons)


def outcome(decision: Decision) -> tuple[Any, ...]:
    return (decision.eligible, decision.basis, decision.valid_until, decision.review_reasons)


def letter(f: Facts, policy: Policy = ANNUAL, **context: Any) -> str:
    """The decision letter as a parent reads it, lines joined so a phrase is never split."""
    ctx = LetterContext("Example County Council", "0300 123 4567", "https://x.example", "Sam",
                        "APP-1", **context)  # fmt: skip
    text = decision_letter(assess(f, policy), f, decided_on=LETTER_DATE, context=ctx)
    return " ".join(text.split())


def rule_detail(decision: Decision, code: str) -> str:
    (found,) = [r for r in decision.rules if r.code == code]
    return found.detail


# ------------------------------------------- defect 3: the nearest school is rank 1
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


def test_letter_for_the_nearest_school_with_no_rank() -> None:
    text = letter(low_income_12())
    assert "Sam is eligible for free home to school transport from Thursday 4 September" in text
    assert "the nearest suitable school (rank 1), among the 3 nearest suitable schools" in text
    assert "rank unknown" not in text
    assert "This award ends on Monday 31 August 2026, because of the end of the award" in text


def test_letter_refusing_at_the_nearest_school_never_says_rank_unknown() -> None:
    text = letter(low_income_12(road_distance_miles=7.0))
    assert "Sam is not eligible" in text
    assert "by road 7 mi beyond 6 mi" in text
    assert "the nearest suitable school (rank 1), among the 3 nearest suitable schools" in text
    assert "rank unknown" not in text and "not among" not in text


def test_letter_when_no_rank_is_known_says_so_plainly() -> None:
    text = letter(low_income_12(nearest_suitable_school=False))
    assert "rank unknown, so not shown to be among the 3 nearest suitable schools" in text


# -------------------------------- defect 1: the nearest school of that religion or belief
def faith_12(**changes: Any) -> Facts:
    """Issue 13's case: low income, 12 (Year 8), at the nearest school of their faith,
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
        pytest.param(faith_12(), RELIGION, id="issue-13-rank-7-11-miles"),
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


def test_letter_for_the_nearest_school_of_their_faith() -> None:
    text = letter(faith_12())
    assert "Sam is eligible for free home to school transport" in text
    assert (
        "Why: your family is on a low income and the school, chosen on grounds of religion or "
        "belief, is the nearest school of that religion or belief, between 2 and 15 miles away."
    ) in text
    assert "by road 11 mi within 15 mi" in text
    assert "Education Act 1996 Sch 35B para 12" in text
    assert "not the nearest" not in text


def test_letter_refusing_religion_beyond_15_miles_says_why() -> None:
    text = letter(faith_12(road_distance_miles=16.0))
    assert "Sam is not eligible" in text
    assert (
        "chosen on grounds of religion or belief, the nearest school of that religion or "
        "belief; walking 9 mi > 2 mi and by road 16 mi beyond 15 mi"
    ) in text


# ------------------------------ defect 2: a birthday ends an award only if it changes it
BORN_2018_03_10 = date(2018, 3, 10)  # Sat; 7 on 4 Sep 2025, Year 3; 8th birthday Tue 10 Mar 2026
BORN_2015_03_14 = date(2015, 3, 14)  # Sat; 10, Year 6; 11th birthday Sat 14 Mar 2026


def age7(**changes: Any) -> Facts:
    """Issue 13's case: born 10 Mar 2018, 2.5 miles' walk to the nearest school, low income."""
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
            id="issue-13-low-income",
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
            id="issue-13-medical-ended-before",
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


def test_letter_when_the_8th_birthday_ends_nothing() -> None:
    text = letter(age7())
    assert "ends on Monday 31 August 2026, because of the end of the award period." in text
    assert "8th birthday" not in text


def test_letter_when_the_8th_birthday_ends_the_award() -> None:
    text = letter(age7(low_income=False))
    assert (
        "This award ends on Monday 9 March 2026, because of your child's 8th birthday, when "
        "the walking distance rises to 3 miles."
    ) in text


def test_letter_when_the_11th_birthday_ends_nothing() -> None:
    text = letter(year6())
    assert (
        "This award ends on Monday 31 August 2026, because of the end of the award period and "
        "the move to the next phase of education."
    ) in text
    assert "11th birthday" not in text
    assert "your child's 11th birthday" in letter(year6(road_distance_miles=6.01))


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


# ------------------------------------------------- new policy: under 8 by year group
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


def test_letter_for_the_under8_limit_by_year_group() -> None:
    text = letter(walker(BORN_AGE_8_Y3), BY_YEAR_3)
    assert "Sam is eligible" in text
    assert (
        "walking 2.5 mi > 2 mi limit for Year 3 (council policy: to the end of Year 3); "
        "the nearest suitable school"
    ) in text
    assert "8th birthday" not in text
    refused = letter(walker(BORN_AGE_8_Y4), BY_YEAR_3)
    assert "walking 2.5 mi is not more than 3 mi limit for Year 4 (after Year 3)" in refused


# ------------------------------------------------ new policy: faith transport
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


def test_letter_for_faith_transport() -> None:
    text = letter(pupil_of_faith(), FAITH)
    assert "Sam is eligible" in text
    assert "Why: the council's faith transport policy applies" in text
    assert "by road 22 mi within 25 mi (secondary limit" in text
    refused = letter(pupil_of_faith(), FAITH_LOW_INCOME)
    assert "Sam is not eligible" in refused
    assert "not low income (council policy needs low income)" in refused


# ---------------------------------------------------- new policy: post-16 distance band
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


def test_letter_for_the_post16_band() -> None:
    text = letter(student(), BAND)
    assert "Why: the council's post-16 transport policy applies to your child." in text
    assert "walking 3.5 mi > 3 mi and by road 10 mi within 15 mi; the nearest" in text
    refused = letter(student(road_distance_miles=16.0), BAND)
    assert "Sam is not eligible" in refused
    assert "by road 16 mi beyond 15 mi" in refused


# ------------------------------------- review deadline counted from receipt of the letter
@pytest.mark.parametrize(
    ("delivery", "received", "deadline"),
    [
        # Letter Mon 14 Jul 2025, 0 days (email): 20 working days to Mon 11 Aug 2025
        # (Mon 25 Aug is the summer bank holiday, after it).
        (0, None, "Monday 11 August 2025"),
        # 2 days (post): received Wed 16 Jul, 20 working days to Wed 13 Aug 2025.
        (2, "Wednesday 16 July 2025", "Wednesday 13 August 2025"),
        # 1 day: received Tue 15 Jul, to Tue 12 Aug.
        (1, "Tuesday 15 July 2025", "Tuesday 12 August 2025"),
    ],
)
def test_review_deadline_counts_from_receipt(
    delivery: int, received: str | None, deadline: str
) -> None:
    text = letter(age7(), delivery_working_days=delivery)
    assert f"that is by {deadline}" in text
    if received is None:
        assert "within 20 working days of the date of this letter, that is by" in text
    else:
        plural = "s" if delivery > 1 else ""
        assert (
            f"within 20 working days of receiving this letter (we take that to be {received}, "
            f"{delivery} working day{plural} after the date of this letter)"
        ) in text


def test_review_deadline_skips_christmas_and_new_year() -> None:
    # Letter Mon 21 Dec 2026; received Wed 23 Dec (2 working days); then 20 working days
    # skipping Fri 25 Dec, Mon 28 Dec (Boxing Day moved) and Fri 1 Jan: Mon 25 Jan 2027.
    ctx = LetterContext("C", "0", "u", "Sam", None, delivery_working_days=2)
    text = decision_letter(assess(age7(), ANNUAL), age7(), decided_on=date(2026, 12, 21),
                           context=ctx)  # fmt: skip
    text = " ".join(text.split())
    assert "(we take that to be Wednesday 23 December 2026, 2 working days" in text
    assert "that is by Monday 25 January 2027" in text
