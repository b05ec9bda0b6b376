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
