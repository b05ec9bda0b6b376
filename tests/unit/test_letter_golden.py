"""One golden decision letter per basis, and one refusal (issue 16).

Each letter is rendered by the real letter code (notifications/letters.py, as
services/eligibility.py `letter` does) and compared, whole, with a file under
tests/unit/golden/letters/. The files were rendered once and then read line by line
against the law and the rules' wording (the basis, the rule applied and its source, the
distances, the end date and why, the review deadline in working days); a change to any
word a parent reads fails here.

To accept a deliberate change: ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/unit/test_letter_golden.py``, then read the diff before committing it.

The letter is dated Mon 14 Jul 2025; the review period is 20 working days from then
(no bank holiday in between): Mon 11 Aug 2025.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from notifications.letters import LetterContext, decision_letter
from transport.domain.eligibility import Facts, Policy, assess

GOLDEN = Path(__file__).parent / "golden" / "letters"
TRAVEL = date(2025, 9, 4)  # Thu, first day of 2025/26
LETTER_DATE = date(2025, 7, 14)  # Mon
CONTEXT = LetterContext(
    "Example County Council", "0300 123 4567", "https://example.gov.uk/transport", "Sam", "APP-1"
)


def facts(born: date, **values: Any) -> Facts:
    return Facts(date_of_birth=born, travel_from=TRAVEL, **values)


CASES = {
    # 9, Year 5, cannot walk: to the end of 2025/26 (Mon 31 Aug 2026).
    "SEND_MOBILITY": (
        facts(date(2016, 3, 14), cannot_walk_send=True, nearest_suitable_school=True),
        Policy(),
    ),
    # 7, 2.5 miles to the nearest school: until the day before the 8th birthday (Sat 14
    # Mar 2026), Fri 13 Mar 2026, when the limit becomes 3 miles.
    "STATUTORY_DISTANCE": (
        facts(date(2018, 3, 14), walking_distance_miles=2.5, nearest_suitable_school=True),
        Policy(),
    ),
    "UNSAFE_ROUTE": (
        facts(
            date(2016, 3, 14),
            walking_distance_miles=1.5,
            unsafe_route=True,
            nearest_suitable_school=True,
        ),
        Policy(),
    ),
    # 9, low income, 2.5 miles' walk, 7 by road: the 11th birthday (Sun 14 Mar 2027) is
    # after the end of 2025/26, so the award ends with the year.
    "EXTENDED_LOW_INCOME_8_10": (
        facts(
            date(2016, 3, 14),
            low_income=True,
            walking_distance_miles=2.5,
            road_distance_miles=7.0,
            nearest_suitable_school=True,
        ),
        Policy(),
    ),
    # 12, Year 8, low income, the second nearest suitable school, 5 miles by road.
    "EXTENDED_LOW_INCOME_11_PLUS": (
        facts(
            date(2013, 3, 14),
            low_income=True,
            walking_distance_miles=2.5,
            road_distance_miles=5.0,
            suitable_school_rank=2,
        ),
        Policy(),
    ),
    # 12, low income, the nearest school of their faith, 12 miles by road.
    "EXTENDED_RELIGION_BELIEF": (
        facts(
            date(2013, 3, 14),
            low_income=True,
            religion_or_belief=True,
            walking_distance_miles=2.5,
            road_distance_miles=12.0,
        ),
        Policy(),
    ),
    # 12, not low income, the nearest school of their faith, 3.5 miles' walk and 10 by
    # road: the council's faith transport (beyond the 3-mile walking limit, within 15).
    "faith": (
        facts(
            date(2013, 3, 14),
            religion_or_belief=True,
            walking_distance_miles=3.5,
            road_distance_miles=10.0,
        ),
        Policy(faith_transport=True),
    ),
    # 17, post-16, cannot walk: the default post-16 policy ("send").
    "post16": (
        facts(date(2008, 3, 14), post16=True, cannot_walk_send=True, nearest_suitable_school=True),
        Policy(),
    ),
    # 20, post-19 with an EHCP, cannot walk.
    "post19": (
        facts(date(2005, 3, 14), post16=True, cannot_walk_send=True, nearest_suitable_school=True),
        Policy(),
    ),
    # 4, Reception, below compulsory school age (from Wed 31 Dec 2025), 2.5 miles to the
    # nearest school: the council's discretionary Reception transport.
    "discretionary": (
        facts(date(2020, 10, 10), walking_distance_miles=2.5, nearest_suitable_school=True),
        Policy(discretionary_reception=True),
    ),
    # 9, 1 mile to the nearest school, nothing else: not eligible.
    "refused": (
        facts(date(2016, 3, 14), walking_distance_miles=1.0, nearest_suitable_school=True),
        Policy(),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_decision_letter_is_the_golden_one(name: str) -> None:
    f, policy = CASES[name]
    decision = assess(f, policy)
    assert decision.basis == (None if name == "refused" else name)
    text = decision_letter(decision, f, decided_on=LETTER_DATE, context=CONTEXT)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, "utf-8")
    assert text == path.read_text("utf-8")
