"""What every rule needs to know about the child on the travel date, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from transport.domain.calendar import academic_year_of
from transport.domain.eligibility.model import Facts
from transport.domain.school_age import age_on, csa_end, csa_start


@dataclass(frozen=True)
class Situation:
    facts: Facts
    age: int
    csa_start: date
    csa_end: date
    year_group: str | None  # on the travel date: the facts' own, else from the date of birth
    academic_year: int
    as_if_of_csa: bool = False  # evaluate the statutory tests as if of compulsory school age

    @classmethod
    def of(cls, facts: Facts) -> Situation:
        year = academic_year_of(facts.travel_from)
        return cls(
            facts=facts,
            age=age_on(facts.date_of_birth, facts.travel_from),
            csa_start=csa_start(facts.date_of_birth),
            csa_end=csa_end(facts.date_of_birth),
            year_group=facts.year_group or year_group_for(facts.date_of_birth, year),
            academic_year=year,
        )

    @property
    def below_csa(self) -> bool:
        return self.facts.travel_from < self.csa_start

    @property
    def above_csa(self) -> bool:
        return self.facts.travel_from > self.csa_end or self.facts.post16

    @property
    def of_csa(self) -> bool:
        return self.as_if_of_csa or (not self.below_csa and not self.above_csa)

    @property
    def walking(self) -> float | None:
        return self.facts.walking_distance_miles

    @property
    def upper_distance(self) -> tuple[float | None, str]:
        """The distance the upper limits are measured on: by road, else walking."""
        if self.facts.road_distance_miles is not None:
            return self.facts.road_distance_miles, "by road"
        return self.facts.walking_distance_miles, "walking (no road distance given)"

    @property
    def rank(self) -> int | None:
        """The school's rank among all suitable schools: the nearest is rank 1 when no rank
        is given (docs/eligibility.md, "The facts")."""
        if self.facts.suitable_school_rank is None and self.facts.nearest_suitable_school:
            return 1
        return self.facts.suitable_school_rank

    @property
    def medical_active(self) -> bool:
        until = self.facts.medical_until
        return until is not None and until >= self.facts.travel_from


def year_group_for(date_of_birth: date, academic_year: int) -> str | None:
    """The usual year group in an academic year: Reception is the year a child turns 5."""
    age_at_start = (
        academic_year
        - date_of_birth.year
        - (1 if (date_of_birth.month, date_of_birth.day) > (8, 31) else 0)
    )
    # age_at_start: the age reached by 31 August before the year (4 in Reception).
    group = age_at_start - 4
    if group == 0:
        return "R"
    if 1 <= group <= 14:
        return str(group)
    return None
