"""How long the record keeps what: the retention rule, worked out for one day. Pure: the
day (``as_of``) is an argument; the deletions themselves are in
transport/db/queries/retention.py.

- A message's bodies (subject, text, rendered context, address) are kept
  ``message_bodies_days`` days: a message created on day C is redacted once
  ``as_of - C`` is more than that, i.e. when C is before ``as_of - message_bodies_days``.
- A pupil left on day L is kept ``left_pupils_years`` years: purged once ``as_of`` is
  after the ``left_pupils_years``-th anniversary of L. The anniversary of a 29 February
  in a common year is 1 March (as for ages: transport/domain/school_age.py), so nothing
  goes a day early.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from transport.domain.calendar import academic_year_of
from transport.domain.school_age import birthday

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Cutoffs:
    """What is older than what, on ``as_of``: a settled message created (UK date) before
    ``messages_before`` is redacted; a pupil who left before ``left_before`` is purged."""

    as_of: date
    messages_before: date
    left_before: date


@dataclass(frozen=True)
class RetentionRule:
    message_bodies_days: int = 400
    left_pupils_years: int = 2

    def __post_init__(self) -> None:
        if self.message_bodies_days < 1 or self.left_pupils_years < 1:
            raise ValueError("retention periods must be at least 1")

    def cutoffs(self, as_of: date) -> Cutoffs:
        return Cutoffs(
            as_of,
            as_of - timedelta(days=self.message_bodies_days),
            left_cutoff(as_of, self.left_pupils_years),
        )

    def message_redacted(self, created_on: date, as_of: date) -> bool:
        return (as_of - created_on).days > self.message_bodies_days

    def pupil_purged(self, left_on: date, as_of: date) -> bool:
        return as_of > anniversary(left_on, self.left_pupils_years)


def anniversary(day: date, years: int) -> date:
    """The ``years``-th anniversary of ``day`` (29 February: 1 March in a common year)."""
    return birthday(day, years)


def left_cutoff(as_of: date, years: int) -> date:
    """The earliest leaving day still kept on ``as_of``: a pupil who left on L is purged
    exactly when L is before it (``as_of`` after the ``years``-th anniversary of L)."""
    # Anniversaries never run backwards, so the first day kept is a few steps from the
    # same date ``years`` earlier (29 February and 1 March, or the 29th to 31st, need them).
    day = date(as_of.year - years, as_of.month, min(as_of.day, 28))
    while anniversary(day - ONE_DAY, years) >= as_of:
        day -= ONE_DAY
    while anniversary(day, years) < as_of:
        day += ONE_DAY
    return day


@dataclass(frozen=True)
class LeaverCount:
    """Anonymous: how many pupils of a school who left in an academic year were purged."""

    school_urn: str
    academic_year: int  # its starting year (2025 for 2025/26)
    pupils: int

    def as_dict(self) -> dict[str, str | int]:
        year = self.academic_year
        return {
            "school_urn": self.school_urn,
            "academic_year": f"{year}/{(year + 1) % 100:02}",
            "pupils": self.pupils,
        }


def leaver_counts(rows: Iterable[tuple[str, date, int]]) -> list[LeaverCount]:
    """(school URN, day left, pupils) summed by school and academic year of leaving."""
    totals: Counter[tuple[str, int]] = Counter()
    for urn, left_on, pupils in rows:
        totals[(urn, academic_year_of(left_on))] += pupils
    return [LeaverCount(urn, year, n) for (urn, year), n in sorted(totals.items())]
