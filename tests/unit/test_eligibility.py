"""The eligibility engine, tested against the law (docs/eligibility.md).

Every expected value below was worked out by hand; none is computed with the code under
test. Dates carry their weekday in a comment. The travel date of most cases is Thursday
4 September 2025, the first day of the 2025/26 academic year, whose awards end on Monday
31 August 2026.

Year groups by hand: Reception is the academic year in which a child turns 5, so in
2025/26 a child born 1 Sep 2020 - 31 Aug 2021 is in Reception, 1 Sep 2014 - 31 Aug 2015
in Year 6, and so on. Every child "born 14 March" below has already had their birthday
in 2025 by the travel date, so their age on 4 Sep 2025 is 2025 minus the birth year.

Compulsory school age (CSA) ends on the last Friday in June of the school year in which
the child turns 16: for the Year 11 child born 14 Mar 2010, who turns 16 on Sat 14 Mar
2026 (in 2025/26), that is Fri 26 Jun 2026 (30 June 2026 is a Tuesday).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from transport.domain.eligibility import Decision, Facts, Policy, assess

# ---------------------------------------------------------------------------- dates
TRAVEL = date(2025, 9, 4)  # Thu: first day of 2025/26
END_2025_26 = date(2026, 8, 31)  # Mon: end of academic year 2025/26
END_2026_27 = date(2027, 8, 31)  # Tue: end of 2026/27
END_2027_28 = date(2028, 8, 31)  # Thu: end of 2027/28
END_2028_29 = date(2029, 8, 31)  # Fri: end of 2028/29
CSA_END_2026 = date(2026, 6, 26)  # Fri: last Friday in June 2026 (30 June 2026 is a Tue)
CSA_END_2027 = date(2027, 6, 25)  # Fri: last Friday in June 2027 (30 June 2027 is a Wed)
SUMMER_END_2026 = date(2026, 7, 31)  # Fri: default Policy.summer_term_end in 2026
SUMMER_END_2027 = date(2027, 7, 31)  # Sat: default Policy.summer_term_end in 2027
MEDICAL_UNTIL = date(2025, 11, 28)  # Fri: a 12-week temporary medical award

# --------------------------------------------------- children (age on Thu 4 Sep 2025)
BORN_AGE_6_Y2 = date(2019, 3, 14)  # 6, Year 2 (Reception 2023/24)
BORN_AGE_7_Y3 = date(2018, 3, 14)  # 7, Year 3; 8th birthday Sat 14 Mar 2026
BORN_AGE_9_Y5 = date(2016, 3, 14)  # 9, Year 5; 11th birthday Sun 14 Mar 2027
BORN_AGE_10_Y6 = date(2015, 3, 14)  # 10, Year 6; 11th birthday Sat 14 Mar 2026
BORN_AGE_11_Y7 = date(2014, 3, 14)  # 11, Year 7
BORN_AGE_12_Y8 = date(2013, 3, 14)  # 12, Year 8
# 14, Year 10; turns 16 on Sun 14 Mar 2027 (2026/27): CSA ends Fri 25 Jun 2027.
BORN_AGE_14_Y10 = date(2011, 3, 14)
# 15, Year 11; turns 16 on Sat 14 Mar 2026 (2025/26): CSA ends Fri 26 Jun 2026.
BORN_AGE_15_Y11 = date(2010, 3, 14)
BORN_AGE_16_Y12 = date(2009, 3, 14)  # 16, Year 12; CSA ended Fri 27 Jun 2025
BORN_AGE_17_Y13 = date(2008, 3, 14)  # 17, Year 13
BORN_AGE_18 = date(2007, 3, 14)  # 18
BORN_AGE_19 = date(2006, 3, 14)  # 19
BORN_AGE_24 = date(2001, 3, 14)  # 24
BORN_AGE_25 = date(2000, 3, 14)  # 25
# 4 on the travel date, Reception 2025/26; 5th birthday Fri 10 Oct 2025, so CSA starts on
# the next prescribed day, Wed 31 Dec 2025. 8th birthday Tue 10 Oct 2028.
BORN_RECEPTION = date(2020, 10, 10)

ANNUAL = Policy()
KEY_STAGE = Policy(award_period="key_stage")
NOT_ELIGIBLE: tuple[Any, ...] = (False, None, None, ())
CATEGORIES = (
    "SEND_MOBILITY",
    "STATUTORY_DISTANCE",
    "UNSAFE_ROUTE",
    "EXTENDED_LOW_INCOME_8_10",
    "EXTENDED_LOW_INCOME_11_PLUS",
    "EXTENDED_RELIGION_BELIEF",
)
REVIEW_ORDER = (
    "END_OF_YEAR",
    "END_OF_CSA",
    "AGE_8_THRESHOLD",
    "AGE_11_THRESHOLD",
    "MEDICAL_END",
    "PHASE_TRANSFER",
)


def child(**changes: Any) -> Facts:
    """A child of compulsory school age (9, Year 5) travelling from Thu 4 Sep 2025 to the
    nearest suitable school, with no other facts. Cases name only the facts they need."""
    values: dict[str, Any] = {
        "date_of_birth": BORN_AGE_9_Y5,
        "travel_from": TRAVEL,
        "nearest_suitable_school": True,
    }
    values.update(changes)
    return Facts(**values)


def award(basis: str, valid_until: date, *reasons: str) -> tuple[Any, ...]:
    return (True, basis, valid_until, reasons)


def outcome(decision: Decision) -> tuple[Any, ...]:
    return (decision.eligible, decision.basis, decision.valid_until, decision.review_reasons)


def check(facts: Facts, policy: Policy, expected: tuple[Any, ...]) -> None:
    assert outcome(assess(facts, policy)) == expected


# ------------------------------------------------------------- statutory distance
@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # Under 8: more than 2 miles. Exactly 2.0 is not more than 2.
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=2.0),
            NOT_ELIGIBLE,
            id="under8-2.0",
        ),
        # 2.01 > 2.0; the award rests on the under-8 limit (walking <= 3.0), so it ends the
        # day before the 8th birthday (Sat 14 Mar 2026): Fri 13 Mar 2026.
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=2.01),
            award("STATUTORY_DISTANCE", date(2026, 3, 13), "AGE_8_THRESHOLD"),
            id="under8-2.01",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=3.0),
            award("STATUTORY_DISTANCE", date(2026, 3, 13), "AGE_8_THRESHOLD"),
            id="under8-3.0-still-rests-on-under8-limit",
        ),
        # 3.01 miles stays eligible after the 8th birthday: no age threshold.
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=3.01),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="under8-3.01",
        ),
        # 6, Year 2: 8th birthday Sat 14 Mar 2027 comes after Mon 31 Aug 2026.
        pytest.param(
            child(date_of_birth=BORN_AGE_6_Y2, walking_distance_miles=2.5),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="under8-8th-birthday-after-year-end",
        ),
        # 8 and over: more than 3 miles.
        pytest.param(child(walking_distance_miles=2.01), NOT_ELIGIBLE, id="age9-2.01"),
        pytest.param(child(walking_distance_miles=3.0), NOT_ELIGIBLE, id="age9-3.0"),
        pytest.param(
            child(walking_distance_miles=3.01),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="age9-3.01",
        ),
        pytest.param(child(walking_distance_miles=None), NOT_ELIGIBLE, id="distance-unknown"),
        # Parental preference gives no entitlement.
        pytest.param(
            child(walking_distance_miles=10.0, nearest_suitable_school=False),
            NOT_ELIGIBLE,
            id="age9-not-nearest",
        ),
        pytest.param(
            child(
                date_of_birth=BORN_AGE_7_Y3,
                walking_distance_miles=2.5,
                nearest_suitable_school=False,
            ),
            NOT_ELIGIBLE,
            id="under8-not-nearest",
        ),
        # The road distance does not count for the walking-distance test.
        pytest.param(
            child(walking_distance_miles=2.5, road_distance_miles=8.0),
            NOT_ELIGIBLE,
            id="age9-road-distance-ignored",
        ),
    ],
)
def test_statutory_distance(facts: Facts, expected: tuple[Any, ...]) -> None:
    check(facts, ANNUAL, expected)


# ------------------------------------------------------------ low income, 8 to 10
@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(child(low_income=True, walking_distance_miles=2.0), NOT_ELIGIBLE, id="2.0"),
        # 11th birthday Sun 14 Mar 2027, after the year end: END_OF_YEAR sets the date.
        pytest.param(
            child(low_income=True, walking_distance_miles=2.01),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR"),
            id="2.01",
        ),
        pytest.param(
            child(low_income=True, walking_distance_miles=2.1),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR"),
            id="2.1",
        ),
        pytest.param(
            child(low_income=True, walking_distance_miles=2.5, nearest_suitable_school=False),
            NOT_ELIGIBLE,
            id="not-nearest",
        ),
        pytest.param(
            child(low_income=False, walking_distance_miles=2.5), NOT_ELIGIBLE, id="not-low-income"
        ),
        # Beyond 3 miles the statutory test is met first.
        pytest.param(
            child(low_income=True, walking_distance_miles=3.5),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="over-3-statutory-first",
        ),
        # 10, Year 6: 11th birthday Sat 14 Mar 2026. At 7 miles by road the 11+ right (up
        # to 6) will not hold, so the award ends Fri 13 Mar 2026 (the Year 6 phase
        # transfer on Mon 31 Aug 2026 comes later).
        pytest.param(
            child(
                date_of_birth=BORN_AGE_10_Y6,
                low_income=True,
                walking_distance_miles=2.5,
                road_distance_miles=7.0,
            ),
            award("EXTENDED_LOW_INCOME_8_10", date(2026, 3, 13), "AGE_11_THRESHOLD"),
            id="age10-11th-birthday-in-year",
        ),
        # ...with no road distance the 2.5-mile walk is within 6 and the school is the
        # nearest (rank 1): eligible at 11 too, so the birthday ends nothing (issue 13).
        pytest.param(
            child(date_of_birth=BORN_AGE_10_Y6, low_income=True, walking_distance_miles=2.5),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="age10-eligible-at-11-too",
        ),
        # 7: the 8-10 category does not apply, the under-8 limit does. At 8 (Sat 14 Mar
        # 2026) the 8-10 right keeps the 2-mile limit, so the birthday ends nothing.
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, low_income=True, walking_distance_miles=2.5),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="age7-statutory-under8",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, low_income=True, walking_distance_miles=2.0),
            NOT_ELIGIBLE,
            id="age7-2.0",
        ),
        # 11 (Year 7): no longer 8 to 10; 11+ needs one of the 3 nearest schools. The
        # nearest school with no rank given is rank 1 (spec: facts that need a definition),
        # and with no road distance the 2.5-mile walk is within 6 miles.
        pytest.param(
            child(date_of_birth=BORN_AGE_11_Y7, low_income=True, walking_distance_miles=2.5),
            award("EXTENDED_LOW_INCOME_11_PLUS", END_2025_26, "END_OF_YEAR"),
            id="age11-nearest-no-rank",
        ),
        pytest.param(
            child(
                date_of_birth=BORN_AGE_11_Y7,
                low_income=True,
                walking_distance_miles=2.5,
                nearest_suitable_school=False,
            ),
            NOT_ELIGIBLE,
            id="age11-not-nearest-no-rank",
        ),
    ],
)
def test_low_income_8_to_10(facts: Facts, expected: tuple[Any, ...]) -> None:
    check(facts, ANNUAL, expected)


# ----------------------------------------------------------- low income, 11 plus
def low_income_12(**changes: Any) -> Facts:
    """A low-income 12-year-old (Year 8), 2.5 miles' walk and 5 miles by road, rank 1."""
    values: dict[str, Any] = {
        "date_of_birth": BORN_AGE_12_Y8,
        "low_income": True,
        "walking_distance_miles": 2.5,
        "road_distance_miles": 5.0,
        "suitable_school_rank": 1,
    }
    values.update(changes)
    return child(**values)


ELEVEN_PLUS = award("EXTENDED_LOW_INCOME_11_PLUS", END_2025_26, "END_OF_YEAR")
RELIGION = award("EXTENDED_RELIGION_BELIEF", END_2025_26, "END_OF_YEAR")


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(low_income_12(), ELEVEN_PLUS, id="baseline"),
        pytest.param(low_income_12(walking_distance_miles=2.0), NOT_ELIGIBLE, id="walk-2.0"),
        pytest.param(low_income_12(walking_distance_miles=2.01), ELEVEN_PLUS, id="walk-2.01"),
        pytest.param(low_income_12(road_distance_miles=6.0), ELEVEN_PLUS, id="road-6.0"),
        pytest.param(low_income_12(road_distance_miles=6.01), NOT_ELIGIBLE, id="road-6.01"),
        pytest.param(low_income_12(suitable_school_rank=3), ELEVEN_PLUS, id="rank-3"),
        pytest.param(low_income_12(suitable_school_rank=4), NOT_ELIGIBLE, id="rank-4"),
        # The nearest suitable school with no rank given is rank 1 (defect 3, issue 13).
        pytest.param(low_income_12(suitable_school_rank=None), ELEVEN_PLUS, id="nearest-no-rank"),
        pytest.param(
            low_income_12(suitable_school_rank=None, nearest_suitable_school=False),
            NOT_ELIGIBLE,
            id="not-nearest-rank-unknown",
        ),
        # Extended rights: one of the three nearest is enough, not only the nearest.
        pytest.param(
            low_income_12(nearest_suitable_school=False, suitable_school_rank=2),
            ELEVEN_PLUS,
            id="rank-2-not-nearest",
        ),
        pytest.param(low_income_12(low_income=False), NOT_ELIGIBLE, id="not-low-income"),
        # No road distance: the walking distance is used for the upper limit too. The
        # school is not the nearest so that the statutory 3-mile test cannot apply.
        pytest.param(
            low_income_12(
                road_distance_miles=None,
                walking_distance_miles=6.0,
                nearest_suitable_school=False,
                suitable_school_rank=2,
            ),
            ELEVEN_PLUS,
            id="no-road-walk-6.0",
        ),
        pytest.param(
            low_income_12(
                road_distance_miles=None,
                walking_distance_miles=6.01,
                nearest_suitable_school=False,
                suitable_school_rank=2,
            ),
            NOT_ELIGIBLE,
            id="no-road-walk-6.01",
        ),
        # 10 (Year 6), not at the nearest school: too young for 11+, and 8-10 needs the
        # nearest school.
        pytest.param(
            low_income_12(date_of_birth=BORN_AGE_10_Y6, nearest_suitable_school=False),
            NOT_ELIGIBLE,
            id="age10-not-nearest",
        ),
    ],
)
def test_low_income_11_plus(facts: Facts, expected: tuple[Any, ...]) -> None:
    check(facts, ANNUAL, expected)


def religion_12(**changes: Any) -> Facts:
    """A low-income 12-year-old at the nearest school of their religion, 10 miles by road."""
    values: dict[str, Any] = {
        "date_of_birth": BORN_AGE_12_Y8,
        "low_income": True,
        "religion_or_belief": True,
        "walking_distance_miles": 2.5,
        "road_distance_miles": 10.0,
    }
    values.update(changes)
    return child(**values)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(religion_12(), RELIGION, id="baseline"),
        pytest.param(religion_12(road_distance_miles=15.0), RELIGION, id="road-15.0"),
        pytest.param(religion_12(road_distance_miles=15.01), NOT_ELIGIBLE, id="road-15.01"),
        pytest.param(religion_12(walking_distance_miles=2.0), NOT_ELIGIBLE, id="walk-2.0"),
        pytest.param(religion_12(walking_distance_miles=2.01), RELIGION, id="walk-2.01"),
        # religion_or_belief means the nearest school of that religion or belief; whether it
        # is the nearest suitable school plays no part (spec; issue 13, defect 1).
        pytest.param(
            religion_12(nearest_suitable_school=False), RELIGION, id="not-nearest-suitable-school"
        ),
        pytest.param(religion_12(religion_or_belief=False), NOT_ELIGIBLE, id="not-religion"),
        pytest.param(religion_12(low_income=False), NOT_ELIGIBLE, id="not-low-income"),
        # Within 6 miles and rank 1: the 11+ category comes first in the basis order.
        pytest.param(
            religion_12(road_distance_miles=5.0, suitable_school_rank=1),
            ELEVEN_PLUS,
            id="11-plus-first",
        ),
        # Rank 4 fails 11+, religion still met.
        pytest.param(
            religion_12(road_distance_miles=5.0, suitable_school_rank=4),
            RELIGION,
            id="rank-4-religion",
        ),
        # No road distance: walking 12 miles measured against 15; over 3 miles and the
        # nearest school, so the statutory distance test comes first.
        pytest.param(
            religion_12(road_distance_miles=None, walking_distance_miles=12.0),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="over-3-statutory-first",
        ),
    ],
)
def test_religion_or_belief(facts: Facts, expected: tuple[Any, ...]) -> None:
    check(facts, ANNUAL, expected)


def test_religion_needs_age_11() -> None:
    decision = assess(religion_12(date_of_birth=BORN_AGE_10_Y6), ANNUAL)
    assert rule(decision, "EXTENDED_RELIGION_BELIEF")["met"] is False
    # ...the 8-10 right applies instead; on the 11th birthday (Sat 14 Mar 2026) religion
    # or belief holds, so the award runs to the year end (Year 6: a phase transfer too).
    assert outcome(decision) == award(
        "EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"
    )


# ------------------------------------------------- SEND, unsafe route, medical
@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(
            child(cannot_walk_send=True, walking_distance_miles=0.3),
            award("SEND_MOBILITY", END_2025_26, "END_OF_YEAR"),
            id="send-0.3-miles",
        ),
        pytest.param(
            child(cannot_walk_send=True),
            award("SEND_MOBILITY", END_2025_26, "END_OF_YEAR"),
            id="send-no-distance",
        ),
        pytest.param(
            child(cannot_walk_send=True, walking_distance_miles=5.0),
            award("SEND_MOBILITY", END_2025_26, "END_OF_YEAR"),
            id="send-before-distance",
        ),
        # Under 8: SEND does not rest on the under-8 limit, no AGE_8_THRESHOLD.
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, cannot_walk_send=True, walking_distance_miles=2.5),
            award("SEND_MOBILITY", END_2025_26, "END_OF_YEAR"),
            id="send-under8",
        ),
        pytest.param(
            child(cannot_walk_send=True, walking_distance_miles=0.3, nearest_suitable_school=False),
            NOT_ELIGIBLE,
            id="send-not-nearest",
        ),
        pytest.param(
            child(unsafe_route=True, walking_distance_miles=1.2),
            award("UNSAFE_ROUTE", END_2025_26, "END_OF_YEAR"),
            id="unsafe-1.2",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, unsafe_route=True, walking_distance_miles=1.0),
            award("UNSAFE_ROUTE", END_2025_26, "END_OF_YEAR"),
            id="unsafe-under8",
        ),
        pytest.param(
            child(unsafe_route=True, walking_distance_miles=1.2, nearest_suitable_school=False),
            NOT_ELIGIBLE,
            id="unsafe-not-nearest",
        ),
        pytest.param(
            child(unsafe_route=True, walking_distance_miles=3.5),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="unsafe-after-distance",
        ),
        # Temporary medical condition until Fri 28 Nov 2025.
        pytest.param(
            child(medical_until=MEDICAL_UNTIL, walking_distance_miles=1.0),
            award("SEND_MOBILITY", MEDICAL_UNTIL, "MEDICAL_END"),
            id="medical",
        ),
        # Medical until the travel date itself (Thu 4 Sep 2025) still counts.
        pytest.param(
            child(medical_until=TRAVEL, walking_distance_miles=1.0),
            award("SEND_MOBILITY", TRAVEL, "MEDICAL_END"),
            id="medical-until-travel",
        ),
        # Ended the day before (Wed 3 Sep 2025): does not count.
        pytest.param(
            child(medical_until=date(2025, 9, 3), walking_distance_miles=1.0),
            NOT_ELIGIBLE,
            id="medical-ended",
        ),
        pytest.param(
            child(medical_until=date(2025, 9, 3), walking_distance_miles=3.5),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="medical-ended-distance",
        ),
        # Medical until Mon 31 Aug 2026: both reasons set the date.
        pytest.param(
            child(medical_until=END_2025_26, walking_distance_miles=1.0),
            award("SEND_MOBILITY", END_2025_26, "END_OF_YEAR", "MEDICAL_END"),
            id="medical-until-year-end",
        ),
        # Medical until Fri 18 Dec 2026, after the year end.
        pytest.param(
            child(medical_until=date(2026, 12, 18), walking_distance_miles=1.0),
            award("SEND_MOBILITY", END_2025_26, "END_OF_YEAR"),
            id="medical-beyond-year-end",
        ),
        pytest.param(
            child(medical_until=MEDICAL_UNTIL, nearest_suitable_school=False),
            NOT_ELIGIBLE,
            id="medical-not-nearest",
        ),
    ],
)
def test_send_unsafe_route_and_medical(facts: Facts, expected: tuple[Any, ...]) -> None:
    check(facts, ANNUAL, expected)


# -------------------------------------------------------------- 8th and 11th birthdays
@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # 8th birthday on the travel date (born Mon 4 Sep 2017): 8, limit 3 miles.
        pytest.param(
            child(date_of_birth=date(2017, 9, 4), walking_distance_miles=2.5),
            NOT_ELIGIBLE,
            id="8th-birthday-on-travel",
        ),
        # 8th birthday the day before (born 3 Sep 2017): 8.
        pytest.param(
            child(date_of_birth=date(2017, 9, 3), walking_distance_miles=2.5),
            NOT_ELIGIBLE,
            id="8th-birthday-day-before",
        ),
        # 8th birthday the day after (Fri 5 Sep 2025): still 7; the award ends the day
        # before the birthday, which is the travel date, Thu 4 Sep 2025.
        pytest.param(
            child(date_of_birth=date(2017, 9, 5), walking_distance_miles=2.5),
            award("STATUTORY_DISTANCE", TRAVEL, "AGE_8_THRESHOLD"),
            id="8th-birthday-day-after",
        ),
        # Travelling from Wed 3 Sep 2025, the day before the 8th birthday (Thu 4 Sep 2025).
        pytest.param(
            child(
                date_of_birth=date(2017, 9, 4),
                walking_distance_miles=2.5,
                travel_from=date(2025, 9, 3),
            ),
            award("STATUTORY_DISTANCE", date(2025, 9, 3), "AGE_8_THRESHOLD"),
            id="travel-day-before-8th-birthday",
        ),
        pytest.param(
            child(date_of_birth=date(2017, 9, 4), walking_distance_miles=3.01),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="8th-birthday-on-travel-3.01",
        ),
        # Low income: at 8 the category changes to 8-10 and the 2-mile limit is kept;
        # 11th birthday Mon 4 Sep 2028.
        pytest.param(
            child(date_of_birth=date(2017, 9, 4), walking_distance_miles=2.5, low_income=True),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR"),
            id="8th-birthday-low-income",
        ),
        # ...eligible again the next day under the 8-10 right: no AGE_8_THRESHOLD.
        pytest.param(
            child(date_of_birth=date(2017, 9, 5), walking_distance_miles=2.5, low_income=True),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="8th-birthday-tomorrow-low-income",
        ),
        # Born Tue 1 Sep 2018 (Year 2): 8th birthday Tue 1 Sep 2026, so the day before is
        # Mon 31 Aug 2026, the year end too.
        pytest.param(
            child(date_of_birth=date(2018, 9, 1), walking_distance_miles=2.5),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR", "AGE_8_THRESHOLD"),
            id="8th-birthday-on-1-september",
        ),
        # 11th birthday on the travel date (born Thu 4 Sep 2014, Year 6): 11, so 8-10 no
        # longer applies; at the nearest school (rank 1) 2.5 miles' walk meets 11+.
        pytest.param(
            child(date_of_birth=date(2014, 9, 4), walking_distance_miles=2.5, low_income=True),
            award("EXTENDED_LOW_INCOME_11_PLUS", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="11th-birthday-on-travel-nearest",
        ),
        pytest.param(
            child(date_of_birth=date(2014, 9, 3), walking_distance_miles=2.5, low_income=True),
            award("EXTENDED_LOW_INCOME_11_PLUS", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="11th-birthday-day-before-nearest",
        ),
        # ...not the nearest and no rank: neither 8-10 (nearest only) nor 11+.
        pytest.param(
            child(
                date_of_birth=date(2014, 9, 4),
                walking_distance_miles=2.5,
                low_income=True,
                nearest_suitable_school=False,
            ),
            NOT_ELIGIBLE,
            id="11th-birthday-on-travel-no-rank",
        ),
        # ...with rank 1 and 4 miles by road: 11+; Year 6 so PHASE_TRANSFER too.
        pytest.param(
            child(
                date_of_birth=date(2014, 9, 4),
                walking_distance_miles=2.5,
                road_distance_miles=4.0,
                suitable_school_rank=1,
                low_income=True,
            ),
            award("EXTENDED_LOW_INCOME_11_PLUS", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="11th-birthday-on-travel-11-plus",
        ),
        # 11th birthday the day after (Fri 5 Sep 2025): still 10, 8-10 category; 7 miles by
        # road fails 11+ at 11, so the award ends the day before: Thu 4 Sep 2025.
        pytest.param(
            child(
                date_of_birth=date(2014, 9, 5),
                walking_distance_miles=2.5,
                road_distance_miles=7.0,
                low_income=True,
            ),
            award("EXTENDED_LOW_INCOME_8_10", TRAVEL, "AGE_11_THRESHOLD"),
            id="11th-birthday-day-after",
        ),
        # ...within 6 miles at the nearest school, 11+ holds at 11: the year end (Year 6).
        pytest.param(
            child(date_of_birth=date(2014, 9, 5), walking_distance_miles=2.5, low_income=True),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="11th-birthday-day-after-11-plus-holds",
        ),
        # Born Tue 1 Sep 2015 (Year 5): 11th birthday Tue 1 Sep 2026, the day before is the
        # year end.
        pytest.param(
            child(
                date_of_birth=date(2015, 9, 1),
                walking_distance_miles=2.5,
                road_distance_miles=7.0,
                low_income=True,
            ),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR", "AGE_11_THRESHOLD"),
            id="11th-birthday-on-1-september",
        ),
        pytest.param(
            child(date_of_birth=date(2015, 9, 1), walking_distance_miles=2.5, low_income=True),
            award("EXTENDED_LOW_INCOME_8_10", END_2025_26, "END_OF_YEAR"),
            id="11th-birthday-on-1-september-11-plus-holds",
        ),
    ],
)
def test_birthday_thresholds(facts: Facts, expected: tuple[Any, ...]) -> None:
    check(facts, ANNUAL, expected)


LEAP_BORN = date(2016, 2, 29)  # Mon; 11th birthday in common year 2027: Mon 1 Mar 2027
# The 8-10 cases below are 7 miles by road, so at 11 the 11+ right (up to 6) fails and the
# 11th birthday really does end the award.


@pytest.mark.parametrize(
    ("facts", "policy", "expected"),
    [
        # 9, Year 5, key stage to Tue 31 Aug 2027; the day before the 11th birthday is
        # Sun 28 Feb 2027 (not 27 Feb).
        pytest.param(
            child(
                date_of_birth=LEAP_BORN,
                walking_distance_miles=2.5,
                road_distance_miles=7.0,
                low_income=True,
            ),
            KEY_STAGE,
            award("EXTENDED_LOW_INCOME_8_10", date(2027, 2, 28), "AGE_11_THRESHOLD"),
            id="leap-day-key-stage",
        ),
        # Travelling from Fri 26 Feb 2027 (2026/27, now Year 6): still 10.
        pytest.param(
            child(
                date_of_birth=LEAP_BORN,
                walking_distance_miles=2.5,
                road_distance_miles=7.0,
                low_income=True,
                travel_from=date(2027, 2, 26),
            ),
            ANNUAL,
            award("EXTENDED_LOW_INCOME_8_10", date(2027, 2, 28), "AGE_11_THRESHOLD"),
            id="leap-day-before-11",
        ),
        # Sun 28 Feb 2027: still 10, the award ends that same day.
        pytest.param(
            child(
                date_of_birth=LEAP_BORN,
                walking_distance_miles=2.5,
                road_distance_miles=7.0,
                low_income=True,
                travel_from=date(2027, 2, 28),
            ),
            ANNUAL,
            award("EXTENDED_LOW_INCOME_8_10", date(2027, 2, 28), "AGE_11_THRESHOLD"),
            id="leap-day-28-feb",
        ),
        # Mon 1 Mar 2027: 11, so the 11+ right (the nearest school is rank 1), Year 6.
        pytest.param(
            child(
                date_of_birth=LEAP_BORN,
                walking_distance_miles=2.5,
                low_income=True,
                travel_from=date(2027, 3, 1),
            ),
            ANNUAL,
            award("EXTENDED_LOW_INCOME_11_PLUS", END_2026_27, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="leap-day-1-march-is-11",
        ),
    ],
)
def test_leap_day_birthdays(facts: Facts, policy: Policy, expected: tuple[Any, ...]) -> None:
    check(facts, policy, expected)


def test_birthday_thresholds_stack_with_phase_transfer_in_reason_order() -> None:
    # Born 1 Sep 2018, Year 2: END_OF_YEAR, AGE_8 and a Year 2 phase transfer all on
    # Mon 31 Aug 2026.
    facts = child(date_of_birth=date(2018, 9, 1), walking_distance_miles=2.5)
    check(
        facts,
        Policy(phase_transfer_years=("2",)),
        award(
            "STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR", "AGE_8_THRESHOLD", "PHASE_TRANSFER"
        ),
    )


# ----------------------------------------------------------- compulsory school age
@pytest.mark.parametrize(
    ("facts", "policy", "expected"),
    [
        pytest.param(
            child(date_of_birth=BORN_RECEPTION, walking_distance_miles=2.5),
            ANNUAL,
            NOT_ELIGIBLE,
            id="reception-below-csa",
        ),
        pytest.param(
            child(date_of_birth=BORN_RECEPTION, cannot_walk_send=True),
            ANNUAL,
            NOT_ELIGIBLE,
            id="reception-below-csa-send",
        ),
        pytest.param(
            child(date_of_birth=BORN_RECEPTION, walking_distance_miles=2.5),
            Policy(discretionary_reception=True),
            award("discretionary", END_2025_26, "END_OF_YEAR"),
            id="reception-discretionary",
        ),
        pytest.param(
            child(date_of_birth=BORN_RECEPTION, cannot_walk_send=True),
            Policy(discretionary_reception=True),
            award("discretionary", END_2025_26, "END_OF_YEAR"),
            id="reception-discretionary-send",
        ),
        # No statutory test would be met: no discretionary award.
        pytest.param(
            child(date_of_birth=BORN_RECEPTION, walking_distance_miles=1.0),
            Policy(discretionary_reception=True),
            NOT_ELIGIBLE,
            id="reception-discretionary-too-near",
        ),
        pytest.param(
            child(
                date_of_birth=BORN_RECEPTION,
                walking_distance_miles=2.5,
                nearest_suitable_school=False,
            ),
            Policy(discretionary_reception=True),
            NOT_ELIGIBLE,
            id="reception-discretionary-not-nearest",
        ),
        # Discretionary awards are always annual.
        pytest.param(
            child(date_of_birth=BORN_RECEPTION, walking_distance_miles=2.5),
            Policy(discretionary_reception=True, award_period="key_stage"),
            award("discretionary", END_2025_26, "END_OF_YEAR"),
            id="reception-discretionary-key-stage-still-annual",
        ),
        # The day before CSA starts (Tue 30 Dec 2025) and the day it starts (Wed 31 Dec).
        pytest.param(
            child(
                date_of_birth=BORN_RECEPTION,
                walking_distance_miles=2.5,
                travel_from=date(2025, 12, 30),
            ),
            ANNUAL,
            NOT_ELIGIBLE,
            id="day-before-csa-start",
        ),
        # 8th birthday Tue 10 Oct 2028 is far off: the year end sets the date.
        pytest.param(
            child(
                date_of_birth=BORN_RECEPTION,
                walking_distance_miles=2.5,
                travel_from=date(2025, 12, 31),
            ),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="csa-start-day",
        ),
        pytest.param(
            child(
                date_of_birth=BORN_RECEPTION,
                walking_distance_miles=2.5,
                travel_from=date(2026, 1, 5),
            ),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="spring-term-of-csa",
        ),
        # Year 11: the award ends when CSA ends, Fri 26 Jun 2026, before the year end and
        # the Year 11 phase transfer (Mon 31 Aug 2026).
        pytest.param(
            child(date_of_birth=BORN_AGE_15_Y11, walking_distance_miles=3.5),
            ANNUAL,
            award("STATUTORY_DISTANCE", CSA_END_2026, "END_OF_CSA"),
            id="year11-csa-end",
        ),
        # Born Sat 31 Aug 2010 (Year 11): turns 16 on Mon 31 Aug 2026, still in 2025/26.
        pytest.param(
            child(date_of_birth=date(2010, 8, 31), walking_distance_miles=3.5),
            ANNUAL,
            award("STATUTORY_DISTANCE", CSA_END_2026, "END_OF_CSA"),
            id="year11-summer-born-csa-end",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_15_Y11, walking_distance_miles=3.5),
            Policy(year11_until="end_of_summer_term"),
            award("STATUTORY_DISTANCE", SUMMER_END_2026, "END_OF_CSA"),
            id="year11-end-of-summer-term",
        ),
        # A council whose summer term ends Wed 22 Jul 2026.
        pytest.param(
            child(date_of_birth=BORN_AGE_15_Y11, walking_distance_miles=3.5),
            Policy(year11_until="end_of_summer_term", summer_term_end=(7, 22)),
            award("STATUTORY_DISTANCE", date(2026, 7, 22), "END_OF_CSA"),
            id="year11-own-summer-term-end",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_15_Y11, cannot_walk_send=True),
            ANNUAL,
            award("SEND_MOBILITY", CSA_END_2026, "END_OF_CSA"),
            id="year11-send",
        ),
        # Travelling from the last day of CSA.
        pytest.param(
            child(
                date_of_birth=BORN_AGE_15_Y11, walking_distance_miles=3.5, travel_from=CSA_END_2026
            ),
            ANNUAL,
            award("STATUTORY_DISTANCE", CSA_END_2026, "END_OF_CSA"),
            id="travel-on-last-day-of-csa",
        ),
        # Born Tue 1 Sep 2009: 16 on Mon 1 Sep 2025 yet of CSA until Fri 26 Jun 2026 (turns
        # 16 in 2025/26), Year 11. Low income 11+ runs "age 11 to 16".
        pytest.param(
            child(
                date_of_birth=date(2009, 9, 1),
                low_income=True,
                road_distance_miles=5.0,
                walking_distance_miles=2.5,
                suitable_school_rank=1,
            ),
            ANNUAL,
            award("EXTENDED_LOW_INCOME_11_PLUS", CSA_END_2026, "END_OF_CSA"),
            id="aged-16-still-of-csa",
        ),
        # Born Tue 1 Sep 2020: 5 on Mon 1 Sep 2025 but CSA starts Wed 31 Dec 2025.
        pytest.param(
            child(date_of_birth=date(2020, 9, 1), walking_distance_miles=2.5),
            ANNUAL,
            NOT_ELIGIBLE,
            id="aged-5-below-csa",
        ),
        pytest.param(
            child(date_of_birth=date(2020, 9, 1), walking_distance_miles=2.5),
            Policy(discretionary_reception=True),
            award("discretionary", END_2025_26, "END_OF_YEAR"),
            id="aged-5-below-csa-discretionary",
        ),
        # Travelling from Mon 29 Jun 2026, after CSA: post-16 policy ("send" by default).
        pytest.param(
            child(
                date_of_birth=BORN_AGE_15_Y11,
                walking_distance_miles=3.5,
                travel_from=date(2026, 6, 29),
            ),
            ANNUAL,
            NOT_ELIGIBLE,
            id="after-csa-end",
        ),
        # ...under post16="all": an annual post-16 award; still Year 11 in 2025/26, so the
        # phase transfer falls on the same Mon 31 Aug 2026.
        pytest.param(
            child(
                date_of_birth=BORN_AGE_15_Y11,
                walking_distance_miles=3.5,
                travel_from=date(2026, 6, 29),
            ),
            Policy(post16="all"),
            award("post16", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="after-csa-end-post16-all",
        ),
    ],
)
def test_compulsory_school_age(facts: Facts, policy: Policy, expected: tuple[Any, ...]) -> None:
    check(facts, policy, expected)


# --------------------------------------------------------------------- post-16/19
def learner(born: date, **changes: Any) -> Facts:
    return child(date_of_birth=born, **changes)


POST16 = award("post16", END_2025_26, "END_OF_YEAR")
POST19 = award("post19", END_2025_26, "END_OF_YEAR")


@pytest.mark.parametrize(
    ("facts", "policy", "expected"),
    [
        # 16, Year 12, CSA ended Fri 27 Jun 2025.
        pytest.param(
            learner(BORN_AGE_16_Y12, cannot_walk_send=True),
            Policy(post16="none"),
            NOT_ELIGIBLE,
            id="none-send",
        ),
        pytest.param(
            learner(BORN_AGE_16_Y12, walking_distance_miles=5.0),
            Policy(post16="none"),
            NOT_ELIGIBLE,
            id="none-distance",
        ),
        pytest.param(
            learner(BORN_AGE_16_Y12, cannot_walk_send=True),
            Policy(post16="send"),
            POST16,
            id="send-send",
        ),
        pytest.param(
            learner(BORN_AGE_16_Y12, walking_distance_miles=5.0),
            Policy(post16="send"),
            NOT_ELIGIBLE,
            id="send-distance",
        ),
        pytest.param(
            learner(BORN_AGE_16_Y12, cannot_walk_send=True, nearest_suitable_school=False),
            Policy(post16="send"),
            NOT_ELIGIBLE,
            id="send-send-not-nearest",
        ),
        pytest.param(
            learner(BORN_AGE_16_Y12, cannot_walk_send=True), ANNUAL, POST16, id="default-is-send"
        ),
        pytest.param(
            learner(BORN_AGE_16_Y12, walking_distance_miles=5.0),
            Policy(post16="all"),
            POST16,
            id="all-distance",
        ),
        pytest.param(
            learner(BORN_AGE_16_Y12, cannot_walk_send=True),
            Policy(post16="all"),
            POST16,
            id="all-send",
        ),
        # 16: the 3-mile limit applies as if of CSA.
        pytest.param(
            learner(BORN_AGE_16_Y12, walking_distance_miles=2.5),
            Policy(post16="all"),
            NOT_ELIGIBLE,
            id="all-2.5",
        ),
        pytest.param(
            learner(BORN_AGE_16_Y12, walking_distance_miles=3.01),
            Policy(post16="all"),
            POST16,
            id="all-3.01",
        ),
        pytest.param(
            learner(BORN_AGE_16_Y12, unsafe_route=True, walking_distance_miles=1.0),
            Policy(post16="all"),
            POST16,
            id="all-unsafe",
        ),
        # Post-16 awards are annual, whatever the award period.
        pytest.param(
            learner(BORN_AGE_16_Y12, cannot_walk_send=True),
            Policy(award_period="key_stage"),
            POST16,
            id="key-stage-still-annual",
        ),
        # Temporary medical condition until Fri 28 Nov 2025.
        pytest.param(
            learner(BORN_AGE_16_Y12, medical_until=MEDICAL_UNTIL),
            ANNUAL,
            award("post16", MEDICAL_UNTIL, "MEDICAL_END"),
            id="send-medical",
        ),
        # The post16 fact: 17, Year 13.
        pytest.param(
            learner(BORN_AGE_17_Y13, post16=True, walking_distance_miles=5.0),
            Policy(post16="all"),
            POST16,
            id="flag-all",
        ),
        pytest.param(
            learner(BORN_AGE_17_Y13, post16=True, walking_distance_miles=5.0),
            ANNUAL,
            NOT_ELIGIBLE,
            id="flag-send-distance",
        ),
        pytest.param(learner(BORN_AGE_18, cannot_walk_send=True), ANNUAL, POST16, id="age18-send"),
        # Post-19: 19 to 24 with SEND, 25 no.
        pytest.param(learner(BORN_AGE_19, cannot_walk_send=True), ANNUAL, POST19, id="age19-send"),
        pytest.param(learner(BORN_AGE_24, cannot_walk_send=True), ANNUAL, POST19, id="age24-send"),
        # Born Tue 5 Sep 2000: 25 on Fri 5 Sep 2025, so 24 on the travel date.
        pytest.param(
            learner(date(2000, 9, 5), cannot_walk_send=True), ANNUAL, POST19, id="age24-25-tomorrow"
        ),
        # Born Mon 4 Sep 2000: 25 on the travel date.
        pytest.param(
            learner(date(2000, 9, 4), cannot_walk_send=True), ANNUAL, NOT_ELIGIBLE, id="age25-today"
        ),
        pytest.param(
            learner(BORN_AGE_25, cannot_walk_send=True), ANNUAL, NOT_ELIGIBLE, id="age25-send"
        ),
        pytest.param(
            learner(BORN_AGE_19, cannot_walk_send=True),
            Policy(post19=False),
            NOT_ELIGIBLE,
            id="age19-policy-off",
        ),
        pytest.param(
            learner(BORN_AGE_19, walking_distance_miles=10.0),
            Policy(post16="all"),
            NOT_ELIGIBLE,
            id="age19-distance-only",
        ),
        pytest.param(
            learner(BORN_AGE_19, cannot_walk_send=True, nearest_suitable_school=False),
            ANNUAL,
            NOT_ELIGIBLE,
            id="age19-not-nearest",
        ),
        pytest.param(
            learner(BORN_AGE_19, medical_until=MEDICAL_UNTIL),
            ANNUAL,
            award("post19", MEDICAL_UNTIL, "MEDICAL_END"),
            id="age19-medical",
        ),
    ],
)
def test_post16_and_post19(facts: Facts, policy: Policy, expected: tuple[Any, ...]) -> None:
    check(facts, policy, expected)


# ------------------------------------------------------- key stage, phase transfer
@pytest.mark.parametrize(
    ("facts", "policy", "expected"),
    [
        # Reception (of CSA from Mon 5 Jan 2026): key stage 1 ends with Year 2, 2027/28.
        pytest.param(
            child(
                date_of_birth=BORN_RECEPTION,
                walking_distance_miles=3.5,
                travel_from=date(2026, 1, 5),
            ),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2027_28, "END_OF_YEAR"),
            id="reception",
        ),
        # Born Thu 10 Oct 2019: 5, Year 1; Year 2 is 2026/27.
        pytest.param(
            child(date_of_birth=date(2019, 10, 10), walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2026_27, "END_OF_YEAR"),
            id="year1",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_6_Y2, walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="year2",
        ),
        # Year 3: Year 6 is 2028/29.
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2028_29, "END_OF_YEAR"),
            id="year3",
        ),
        # The 8th birthday still cuts a key-stage award short (Fri 13 Mar 2026).
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=2.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", date(2026, 3, 13), "AGE_8_THRESHOLD"),
            id="year3-age8",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, cannot_walk_send=True),
            KEY_STAGE,
            award("SEND_MOBILITY", END_2028_29, "END_OF_YEAR"),
            id="year3-send",
        ),
        # Year 5: Year 6 is 2026/27.
        pytest.param(
            child(walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2026_27, "END_OF_YEAR"),
            id="year5",
        ),
        # 9, low income, 8-10, 7 miles by road (so 11+ fails at 11): 11th birthday Sun 14
        # Mar 2027, day before Sat 13 Mar 2027.
        pytest.param(
            child(walking_distance_miles=2.5, road_distance_miles=7.0, low_income=True),
            KEY_STAGE,
            award("EXTENDED_LOW_INCOME_8_10", date(2027, 3, 13), "AGE_11_THRESHOLD"),
            id="year5-age11",
        ),
        pytest.param(
            child(medical_until=MEDICAL_UNTIL),
            KEY_STAGE,
            award("SEND_MOBILITY", MEDICAL_UNTIL, "MEDICAL_END"),
            id="year5-medical",
        ),
        # Year 6 ends key stage 2 this year, and is a phase transfer.
        pytest.param(
            child(date_of_birth=BORN_AGE_10_Y6, walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="year6",
        ),
        # Year 7: Year 9 is 2027/28.
        pytest.param(
            child(date_of_birth=BORN_AGE_11_Y7, walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2027_28, "END_OF_YEAR"),
            id="year7",
        ),
        # Year 10: Year 11 is 2026/27 but CSA ends first, Fri 25 Jun 2027.
        pytest.param(
            child(date_of_birth=BORN_AGE_14_Y10, walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", CSA_END_2027, "END_OF_CSA"),
            id="year10",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_14_Y10, walking_distance_miles=3.5),
            Policy(award_period="key_stage", year11_until="end_of_summer_term"),
            award("STATUTORY_DISTANCE", SUMMER_END_2027, "END_OF_CSA"),
            id="year10-summer-term",
        ),
        # The given year group counts: a 9-year-old recorded in Year 4 (Year 6: 2027/28).
        pytest.param(
            child(year_group="4", walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2027_28, "END_OF_YEAR"),
            id="given-year4",
        ),
        # Year group from the date of birth: born Fri 15 Sep 2017 turns 5 in 2022/23, so
        # Reception 2022/23 and Year 3 in 2025/26 (key stage to 2028/29)...
        pytest.param(
            child(date_of_birth=date(2017, 9, 15), walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2028_29, "END_OF_YEAR"),
            id="derived-sep-2017-year3",
        ),
        # ...born Thu 31 Aug 2017 turns 5 in 2021/22: Year 4 in 2025/26 (to 2027/28).
        pytest.param(
            child(date_of_birth=date(2017, 8, 31), walking_distance_miles=3.5),
            KEY_STAGE,
            award("STATUTORY_DISTANCE", END_2027_28, "END_OF_YEAR"),
            id="derived-aug-2017-year4",
        ),
        # A phase transfer cuts a key-stage award short.
        pytest.param(
            child(walking_distance_miles=3.5),
            Policy(award_period="key_stage", phase_transfer_years=("5",)),
            award("STATUTORY_DISTANCE", END_2025_26, "PHASE_TRANSFER"),
            id="year5-phase-transfer",
        ),
    ],
)
def test_key_stage_awards(facts: Facts, policy: Policy, expected: tuple[Any, ...]) -> None:
    check(facts, policy, expected)


@pytest.mark.parametrize(
    ("facts", "policy", "expected"),
    [
        pytest.param(
            child(date_of_birth=BORN_AGE_10_Y6, walking_distance_miles=3.5),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="year6",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_10_Y6, walking_distance_miles=3.5),
            Policy(phase_transfer_years=()),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="year6-no-phase-transfers",
        ),
        pytest.param(
            child(walking_distance_miles=3.5),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="year5",
        ),
        pytest.param(
            child(walking_distance_miles=3.5, year_group="6"),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="given-year6",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_10_Y6, walking_distance_miles=3.5, year_group="5"),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="given-year5-wins-over-dob",
        ),
        # Year 6 from the date of birth: born 1 Sep 2014 - 31 Aug 2015.
        pytest.param(
            child(date_of_birth=date(2014, 9, 1), walking_distance_miles=3.5),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="derived-oldest-year6",
        ),
        pytest.param(
            child(date_of_birth=date(2015, 8, 31), walking_distance_miles=3.5),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="derived-youngest-year6",
        ),
        pytest.param(
            child(date_of_birth=date(2014, 8, 31), walking_distance_miles=3.5),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="derived-youngest-year7",
        ),
        pytest.param(
            child(date_of_birth=date(2015, 9, 1), walking_distance_miles=3.5),
            ANNUAL,
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="derived-oldest-year5",
        ),
        # A county that reviews at the infant-junior transfer too.
        pytest.param(
            child(date_of_birth=BORN_AGE_6_Y2, walking_distance_miles=3.5),
            Policy(phase_transfer_years=("2", "6", "11")),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="year2-infant-junior",
        ),
        # The Year 6 phase transfer does not outrun an earlier 11th birthday threshold (7
        # miles by road: not eligible at 11).
        pytest.param(
            child(
                date_of_birth=BORN_AGE_10_Y6,
                walking_distance_miles=2.5,
                road_distance_miles=7.0,
                low_income=True,
            ),
            ANNUAL,
            award("EXTENDED_LOW_INCOME_8_10", date(2026, 3, 13), "AGE_11_THRESHOLD"),
            id="year6-age11-first",
        ),
        # Year 11 whose CSA end is moved to Mon 31 Aug 2026: every reason in order.
        pytest.param(
            child(date_of_birth=BORN_AGE_15_Y11, medical_until=END_2025_26),
            Policy(year11_until="end_of_summer_term", summer_term_end=(8, 31)),
            award(
                "SEND_MOBILITY",
                END_2025_26,
                "END_OF_YEAR",
                "END_OF_CSA",
                "MEDICAL_END",
                "PHASE_TRANSFER",
            ),
            id="year11-reasons-in-order",
        ),
    ],
)
def test_phase_transfer(facts: Facts, policy: Policy, expected: tuple[Any, ...]) -> None:
    check(facts, policy, expected)


# ---------------------------------------------------------------- other travel dates
@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # Mon 13 Apr 2026, an in-year start: the award still ends with 2025/26.
        pytest.param(
            child(walking_distance_miles=3.5, travel_from=date(2026, 4, 13)),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="in-year",
        ),
        # The last day of 2025/26: ends that day.
        pytest.param(
            child(walking_distance_miles=3.5, travel_from=END_2025_26),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="last-day",
        ),
        # Tue 1 Sep 2026: 2026/27, and the child (10) is now in Year 6.
        pytest.param(
            child(walking_distance_miles=3.5, travel_from=date(2026, 9, 1)),
            award("STATUTORY_DISTANCE", END_2026_27, "END_OF_YEAR", "PHASE_TRANSFER"),
            id="next-year-year6",
        ),
    ],
)
def test_other_travel_dates(facts: Facts, expected: tuple[Any, ...]) -> None:
    check(facts, ANNUAL, expected)


def test_policy_defaults_are_the_statutory_values() -> None:
    policy = Policy()
    assert policy.under8_walking_limit_miles == 2.0
    assert policy.walking_limit_miles == 3.0
    assert policy.low_income_lower_miles == 2.0
    assert policy.low_income_upper_miles == 6.0
    assert policy.religion_upper_miles == 15.0
    assert policy.low_income_nearest_schools == 3
    assert policy.award_period == "annual"
    assert policy.year11_until == "csa_end"
    assert policy.summer_term_end == (7, 31)
    assert policy.phase_transfer_years == ("6", "11")
    assert policy.discretionary_reception is False


@pytest.mark.parametrize(
    ("facts", "policy", "expected"),
    [
        # A council with a 2.5-mile limit for over-8s (more generous than the law).
        pytest.param(
            child(walking_distance_miles=2.6),
            Policy(walking_limit_miles=2.5),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="limit-2.5",
        ),
        pytest.param(
            child(walking_distance_miles=2.5),
            Policy(walking_limit_miles=2.5),
            NOT_ELIGIBLE,
            id="limit-2.5-exactly",
        ),
        # A 1.5-mile under-8 limit; the award rests on it below 2.5 miles: Fri 13 Mar 2026.
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=1.6),
            Policy(under8_walking_limit_miles=1.5, walking_limit_miles=2.5),
            award("STATUTORY_DISTANCE", date(2026, 3, 13), "AGE_8_THRESHOLD"),
            id="under8-limit-1.5",
        ),
        pytest.param(
            child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=2.6),
            Policy(under8_walking_limit_miles=1.5, walking_limit_miles=2.5),
            award("STATUTORY_DISTANCE", END_2025_26, "END_OF_YEAR"),
            id="under8-beyond-own-over8-limit",
        ),
        # Low income: four nearest schools, up to 8 miles.
        pytest.param(
            low_income_12(suitable_school_rank=4, road_distance_miles=8.0),
            Policy(low_income_nearest_schools=4, low_income_upper_miles=8.0),
            ELEVEN_PLUS,
            id="low-income-band-widened",
        ),
    ],
)
def test_policy_changes_limits_without_code(
    facts: Facts, policy: Policy, expected: tuple[Any, ...]
) -> None:
    check(facts, policy, expected)


# --------------------------------------------------------------------------- rules
def rule(decision: Decision, code: str) -> dict[str, Any]:
    found = [r for r in decision.as_dict()["rules"] if r["code"] == code]
    assert len(found) == 1, (code, decision.as_dict()["rules"])
    return found[0]


def test_rules_list_every_rule_in_order_with_numbers_and_sources() -> None:
    decision = assess(child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=2.4), ANNUAL)
    rules = decision.as_dict()["rules"]
    assert [r["code"] for r in rules[:7]] == ["COMPULSORY_SCHOOL_AGE", *CATEGORIES]
    assert {r["code"]: r["met"] for r in rules} == {
        "COMPULSORY_SCHOOL_AGE": True,
        "SEND_MOBILITY": False,
        "STATUTORY_DISTANCE": True,
        "UNSAFE_ROUTE": False,
        "EXTENDED_LOW_INCOME_8_10": False,
        "EXTENDED_LOW_INCOME_11_PLUS": False,
        "EXTENDED_RELIGION_BELIEF": False,
    }
    for r in rules:
        assert r["source"].strip(), r
        assert r["detail"].strip(), r
    distance = rule(decision, "STATUTORY_DISTANCE")["detail"]
    assert "2.4" in distance
    assert "2" in distance.replace("2.4", "")  # the under-8 limit used
    assert "aged 7" in rule(decision, "COMPULSORY_SCHOOL_AGE")["detail"]


def test_rule_details_carry_the_distances_and_rank_used() -> None:
    decision = assess(
        low_income_12(walking_distance_miles=2.7, road_distance_miles=5.5, suitable_school_rank=2),
        ANNUAL,
    )
    detail = rule(decision, "EXTENDED_LOW_INCOME_11_PLUS")["detail"]
    assert "2.7" in detail
    assert "5.5" in detail
    assert "2" in detail.replace("2.7", "")
    assert "6" in detail  # the upper limit
    assert rule(decision, "EXTENDED_LOW_INCOME_11_PLUS")["met"] is True
    religion = assess(religion_12(road_distance_miles=12.5), ANNUAL)
    assert "12.5" in rule(religion, "EXTENDED_RELIGION_BELIEF")["detail"]
    assert "15" in rule(religion, "EXTENDED_RELIGION_BELIEF")["detail"]


def test_not_eligible_child_has_every_category_unmet() -> None:
    decision = assess(child(walking_distance_miles=2.9), ANNUAL)
    rules = decision.as_dict()["rules"]
    assert (rules[0]["code"], rules[0]["met"]) == ("COMPULSORY_SCHOOL_AGE", True)
    assert [r["met"] for r in rules[1:]] == [False] * (len(rules) - 1)
    assert len(rules) >= 7
    assert "2.9" in rule(decision, "STATUTORY_DISTANCE")["detail"]


def test_below_csa_no_statutory_rule_is_met_and_output_says_so() -> None:
    decision = assess(child(date_of_birth=BORN_RECEPTION, walking_distance_miles=2.5), ANNUAL)
    assert rule(decision, "COMPULSORY_SCHOOL_AGE")["met"] is False
    for code in CATEGORIES:
        assert rule(decision, code)["met"] is False
    assert decision.as_dict()["basis"] is None
    discretionary = assess(
        child(date_of_birth=BORN_RECEPTION, walking_distance_miles=2.5),
        Policy(discretionary_reception=True),
    )
    assert rule(discretionary, "discretionary")["met"] is True
    assert rule(discretionary, "discretionary")["source"].strip()


def test_post16_rule_is_listed() -> None:
    decision = assess(learner(BORN_AGE_16_Y12, cannot_walk_send=True), ANNUAL)
    assert rule(decision, "COMPULSORY_SCHOOL_AGE")["met"] is False
    assert rule(decision, "post16")["met"] is True
    assert rule(decision, "post16")["source"].strip()


def test_as_dict_is_the_spec_output() -> None:
    data = assess(child(date_of_birth=BORN_AGE_7_Y3, walking_distance_miles=2.4), ANNUAL).as_dict()
    assert data["eligible"] is True
    assert data["basis"] == "STATUTORY_DISTANCE"
    assert data["valid_until"] == "2026-03-13"  # Fri, the day before the 8th birthday
    assert data["review_reasons"] == ["AGE_8_THRESHOLD"]
    assert set(data["rules"][0]) == {"code", "met", "detail", "source"}
    assert json.loads(json.dumps(data)) == data
    none = assess(child(walking_distance_miles=1.0), ANNUAL).as_dict()
    assert (none["eligible"], none["basis"], none["valid_until"], none["review_reasons"]) == (
        False,
        None,
        None,
        [],
    )


def test_the_spec_example_is_assessed_by_the_law() -> None:
    # Born Tue 14 Mar 2017: 8 on Thu 4 Sep 2025, so 2.4 miles is within the 3-mile limit.
    facts = child(
        date_of_birth=date(2017, 3, 14),
        year_group="3",
        walking_distance_miles=2.4,
        road_distance_miles=2.9,
        suitable_school_rank=1,
    )
    decision = assess(facts, ANNUAL)
    assert decision.age == 8
    assert outcome(decision) == NOT_ELIGIBLE
    assert "2.4" in rule(decision, "STATUTORY_DISTANCE")["detail"]


# ------------------------------------------------------------------------ properties
YEAR_GROUPS = ("R", *(str(n) for n in range(1, 15)))
miles = st.one_of(
    st.sampled_from([0.0, 0.3, 2.0, 2.01, 3.0, 3.01, 6.0, 6.01, 15.0, 15.01, 100.0]),
    st.floats(min_value=0.0, max_value=100.0, allow_nan=False),
)
ranks = st.none() | st.integers(min_value=1, max_value=10)
policies = st.builds(
    Policy,
    award_period=st.sampled_from(["annual", "key_stage"]),
    year11_until=st.sampled_from(["csa_end", "end_of_summer_term"]),
    summer_term_end=st.sampled_from([(7, 31), (7, 22), (8, 31)]),
    phase_transfer_years=st.lists(st.sampled_from(YEAR_GROUPS), unique=True).map(tuple),
    discretionary_reception=st.booleans(),
    post16=st.sampled_from(["none", "send", "all"]),
    post19=st.booleans(),
)


ANY_BOOL = st.booleans()


@st.composite
def any_facts(
    draw: st.DrawFn, low_income: st.SearchStrategy[bool] = ANY_BOOL, max_age_days: int = 30 * 365
) -> Facts:
    born = draw(st.dates(min_value=date(1998, 1, 1), max_value=date(2024, 12, 31)))
    travel_from = born + timedelta(days=draw(st.integers(min_value=0, max_value=max_age_days)))
    medical = draw(st.none() | st.integers(min_value=-400, max_value=400))
    return Facts(
        date_of_birth=born,
        travel_from=travel_from,
        year_group=draw(st.none() | st.sampled_from(YEAR_GROUPS)),
        walking_distance_miles=draw(st.none() | miles),
        road_distance_miles=draw(st.none() | miles),
        nearest_suitable_school=draw(st.booleans()),
        suitable_school_rank=draw(ranks),
        low_income=draw(low_income),
        religion_or_belief=draw(st.booleans()),
        cannot_walk_send=draw(st.booleans()),
        unsafe_route=draw(st.booleans()),
        medical_until=None if medical is None else travel_from + timedelta(days=medical),
        post16=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(
    facts=any_facts(low_income=st.just(False)),
    policy=policies,
    religion=st.booleans(),
    rank=ranks,
    road=st.none() | miles,
)
def test_low_income_only_facts_do_not_matter_for_other_families(
    facts: Facts, policy: Policy, religion: bool, rank: int | None, road: float | None
) -> None:
    """religion_or_belief, suitable_school_rank and road_distance_miles are read only by the
    two 11+ extended rights (Sch 35B paras 11-12), both of which need low
    income. Every other test uses walking distance, nearest school, need and age. So for a
    family not on low income they cannot change the decision, statutory or discretionary."""
    changed = dataclasses.replace(
        facts, religion_or_belief=religion, suitable_school_rank=rank, road_distance_miles=road
    )
    assert outcome(assess(changed, policy)) == outcome(assess(facts, policy))


@settings(max_examples=300, deadline=None)
@given(
    facts=any_facts(max_age_days=11 * 365 - 1),
    policy=policies,
    religion=st.booleans(),
    rank=ranks,
    road=st.none() | miles,
)
def test_low_income_11_plus_facts_do_not_matter_under_11(
    facts: Facts, policy: Policy, religion: bool, rank: int | None, road: float | None
) -> None:
    """Under 11 (travel at most 4014 days after birth; 11 years hold at least two 29
    Februaries, so at least 4017 days) neither 11+ right can be met, so the facts only they
    read do not matter, low income or not."""
    changed = dataclasses.replace(
        facts, religion_or_belief=religion, suitable_school_rank=rank, road_distance_miles=road
    )
    assert outcome(assess(changed, policy)) == outcome(assess(facts, policy))


@settings(max_examples=300, deadline=None)
@given(facts=any_facts(), policy=policies, days=st.integers(min_value=1, max_value=3000))
def test_a_medical_condition_that_has_ended_is_no_fact(
    facts: Facts, policy: Policy, days: int
) -> None:
    """medical_until before travel_from is not a temporary medical condition on that day."""
    ended = dataclasses.replace(facts, medical_until=facts.travel_from - timedelta(days=days))
    none = dataclasses.replace(facts, medical_until=None)
    assert outcome(assess(ended, policy)) == outcome(assess(none, policy))


@settings(max_examples=400, deadline=None)
@given(facts=any_facts(), policy=policies, shorter=miles, longer=miles, road=miles)
def test_a_longer_walk_never_loses_eligibility(
    facts: Facts, policy: Policy, shorter: float, longer: float, road: float
) -> None:
    """Only the walking distance varies. Every walking test is "more than" a limit; the only
    upper limits (6 and 15 miles) are on the road distance, held fixed. When no road
    distance is given the walking distance stands in for it for low-income families, so
    those get a road distance here."""
    shorter, longer = min(shorter, longer), max(shorter, longer)
    if facts.low_income and facts.road_distance_miles is None:
        facts = dataclasses.replace(facts, road_distance_miles=road)
    near = assess(dataclasses.replace(facts, walking_distance_miles=shorter), policy)
    far = assess(dataclasses.replace(facts, walking_distance_miles=longer), policy)
    if near.eligible:
        assert far.eligible, (near.basis, far.as_dict())


@settings(max_examples=200, deadline=None)
@given(facts=any_facts(low_income=st.just(False)), policy=policies, longer=miles)
def test_a_longer_walk_never_loses_eligibility_without_low_income(
    facts: Facts, policy: Policy, longer: float
) -> None:
    """Not on low income: the road distance is never read, so any longer walk will do."""
    shorter = facts.walking_distance_miles
    assume(shorter is not None and longer >= shorter)
    if assess(facts, policy).eligible:
        assert assess(dataclasses.replace(facts, walking_distance_miles=longer), policy).eligible


@settings(max_examples=500, deadline=None)
@given(facts=any_facts(), policy=policies)
def test_valid_until_is_never_before_travel_from(facts: Facts, policy: Policy) -> None:
    decision = assess(facts, policy)
    if decision.eligible:
        assert decision.valid_until is not None
        assert decision.valid_until >= facts.travel_from
        assert decision.review_reasons
        assert list(decision.review_reasons) == [
            code for code in REVIEW_ORDER if code in decision.review_reasons
        ]
    else:
        assert decision.basis is None
        assert decision.valid_until is None
        assert decision.review_reasons == ()


@settings(max_examples=300, deadline=None)
@given(facts=any_facts(), policy=policies)
def test_rules_are_consistent_with_the_decision(facts: Facts, policy: Policy) -> None:
    decision = assess(facts, policy)
    rules = decision.as_dict()["rules"]
    codes = [r["code"] for r in rules]
    assert codes[:7] == ["COMPULSORY_SCHOOL_AGE", *CATEGORIES]
    met = [r["code"] for r in rules[1:] if r["met"]]
    assert decision.eligible == bool(met)
    if decision.eligible:
        assert decision.basis == met[0]
    if any(r["met"] for r in rules[1:7]):
        assert rules[0]["met"] is True  # every statutory category needs CSA
    assert all(r["source"].strip() for r in rules)


@settings(max_examples=300, deadline=None)
@given(facts=any_facts(), policy=policies)
def test_longer_award_policies_never_end_an_award_sooner(facts: Facts, policy: Policy) -> None:
    """Key-stage awards and Year 11 to the end of the summer term only move dates later."""
    short = dataclasses.replace(policy, award_period="annual", year11_until="csa_end")
    long = dataclasses.replace(policy, award_period="key_stage", year11_until="end_of_summer_term")
    a, b = assess(facts, short), assess(facts, long)
    assert (a.eligible, a.basis) == (b.eligible, b.basis)
    if a.valid_until is not None:
        assert b.valid_until is not None
        assert b.valid_until >= a.valid_until
