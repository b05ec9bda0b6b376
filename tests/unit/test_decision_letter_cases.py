"""The decision letter a parent reads for each case of tests/unit/test_eligibility_cases.py
(the nearest school with no rank, religion or belief, birthdays, the under-8 limit by year
group, faith transport, the post-16 band), and the review deadline it gives, counted in
working days from when the letter is received.

Every expected phrase was worked out by hand; dates carry their weekday.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from notifications.letters import LetterContext, decision_letter
from tests.unit.test_eligibility_cases import (
    ANNUAL,
    BAND,
    BORN_AGE_8_Y3,
    BORN_AGE_8_Y4,
    BY_YEAR_3,
    FAITH,
    FAITH_LOW_INCOME,
    age7,
    faith_12,
    low_income_12,
    pupil_of_faith,
    student,
    walker,
    year6,
)
from transport.domain.eligibility import Facts, Policy, assess

LETTER_DATE = date(2025, 7, 14)  # Mon


def letter(f: Facts, policy: Policy = ANNUAL, **context: Any) -> str:
    """The decision letter as a parent reads it, lines joined so a phrase is never split."""
    ctx = LetterContext("Example County Council", "0300 123 4567", "https://x.example", "Sam",
                        "APP-1", **context)  # fmt: skip
    text = decision_letter(assess(f, policy), f, decided_on=LETTER_DATE, context=ctx)
    return " ".join(text.split())


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


def test_letter_for_faith_transport() -> None:
    text = letter(pupil_of_faith(), FAITH)
    assert "Sam is eligible" in text
    assert "Why: the council's faith transport policy applies" in text
    assert "by road 22 mi within 25 mi (secondary limit" in text
    refused = letter(pupil_of_faith(), FAITH_LOW_INCOME)
    assert "Sam is not eligible" in refused
    assert "not low income (council policy needs low income)" in refused


def test_letter_for_the_post16_band() -> None:
    text = letter(student(), BAND)
    assert "Why: the council's post-16 transport policy applies to your child." in text
    assert "walking 3.5 mi > 3 mi and by road 10 mi within 15 mi; the nearest" in text
    refused = letter(student(road_distance_miles=16.0), BAND)
    assert "Sam is not eligible" in refused
    assert "by road 16 mi beyond 15 mi" in refused


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
