"""Issue 13: the engine against the law and councils' published policies, and the letter a
parent reads for each case.

Every expected value was worked out by hand (spec/eligibility.md, DOMAIN.md); dates carry
their weekday. Most cases travel from Thu 4 Sep 2025, the first day of 2025/26, whose
awards end on Mon 31 Aug 2026.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from notifications.letters import LetterContext, decision_letter
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
        pytest.param(
            low_income_12(road_distance_miles=6.01), NOT_ELIGIBLE, id="nearest-road-6.01"
        ),
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
