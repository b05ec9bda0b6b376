"""The values the engine works with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# `basis` is the first category met, in this order (docs/eligibility.md).
STATUTORY_ORDER = (
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


@dataclass(frozen=True)
class Facts:
    """An application's assessment facts. Missing optional facts are false or unknown."""

    date_of_birth: date
    travel_from: date
    year_group: str | None = None
    walking_distance_miles: float | None = None
    road_distance_miles: float | None = None
    nearest_suitable_school: bool = False
    suitable_school_rank: int | None = None
    low_income: bool = False
    religion_or_belief: bool = False
    cannot_walk_send: bool = False
    unsafe_route: bool = False
    medical_until: date | None = None
    post16: bool = False


@dataclass(frozen=True)
class Policy:
    """The council's policy. Defaults: the statutory values, or common practice where the
    law leaves it to the council (see docs/eligibility.md)."""

    under8_walking_limit_miles: float = 2.0
    walking_limit_miles: float = 3.0
    low_income_lower_miles: float = 2.0
    low_income_upper_miles: float = 6.0
    religion_upper_miles: float = 15.0
    low_income_nearest_schools: int = 3
    award_period: str = "annual"  # "annual" or "key_stage"
    year11_until: str = "csa_end"  # "csa_end" or "end_of_summer_term"
    summer_term_end: tuple[int, int] = (7, 31)  # (month, day) the summer term ends by
    phase_transfer_years: tuple[str, ...] = ("6", "11")
    discretionary_reception: bool = False
    post16: str = "send"  # "none", "send" (only who cannot walk), "all" or "band"
    post19: bool = True  # post-19 learners with an EHCP who cannot walk (to age 25)
    # The under-8 walking limit up to the 8th birthday, or to the end of a year group.
    under8_limit_by: str = "birthday"  # "birthday" or "year_group"
    under8_until_year: int = 3  # with "year_group": the limit to the end of this year
    # Faith transport: a discretionary category for a child of compulsory school age at
    # the nearest school of their religion or belief, beyond the walking distance.
    faith_transport: bool = False
    faith_primary_upper_miles: float = 15.0  # Reception to Year 6 (or under 11)
    faith_secondary_upper_miles: float = 15.0  # Year 7 on (or 11 and over)
    faith_needs_low_income: bool = False
    # Post-16 "band": more than the lower (walking), not more than the upper (by road).
    post16_lower_miles: float = 3.0
    post16_upper_miles: float = 15.0
    post16_needs_low_income: bool = False  # for "all" and "band"; never for who cannot walk


@dataclass(frozen=True)
class RuleResult:
    code: str
    met: bool
    detail: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "met": self.met, "detail": self.detail, "source": self.source}


@dataclass(frozen=True)
class Decision:
    eligible: bool
    basis: str | None
    valid_until: date | None
    review_reasons: tuple[str, ...]
    rules: tuple[RuleResult, ...]
    age: int
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "basis": self.basis,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "review_reasons": list(self.review_reasons),
            "rules": [rule.as_dict() for rule in self.rules],
            "age_on_travel_from": self.age,
            "notes": list(self.notes),
        }
