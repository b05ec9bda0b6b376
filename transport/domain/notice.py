"""What a renewal message may truthfully say about one child: which situation the child is
in when their transport ends, so that every sentence of the message is true for them.

Pure: the facts are read by transport/db/queries/renewals.py and the sentences are in the
templates (notifications/templates/_parts/child.j2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from transport.domain.calendar import academic_year_of
from transport.vocabulary import Basis, Situation

# Year groups from which transport is post-16 (sixth form or college): no statutory duty,
# and learners apply every year.
FIRST_POST16_YEAR = 12


@dataclass(frozen=True)
class EndedAward:
    """The award whose end leaves the child without transport from R."""

    valid_until: date
    school_urn: str  # the school it is for (the pupil's school when the award names none)
    basis: str | None = None


def year_group_in(year_group: str | None, *, now: int, then: int) -> int | None:
    """The year group in academic year ``then`` of a child in ``year_group`` in ``now``
    (Reception is 0); None when the record does not say."""
    if year_group is None:
        return None
    current = 0 if year_group == "R" else int(year_group)
    return current + (then - now)


def is_post16(*, year_group: int | None, school_phase: str | None, basis: str | None) -> bool:
    """Transport from R is post-16: the child is then in Year 12 or later, or the school
    is a post-16 one, or the ending award was made under the post-16 or post-19 policy."""
    return (
        (year_group is not None and year_group >= FIRST_POST16_YEAR)
        or school_phase == "post16"
        or basis in (Basis.POST16, Basis.POST19)
    )


def situation(
    ended: EndedAward | None, *, school_urn: str, needed_from: date, post16: bool
) -> Situation:
    """The child's situation at R (``needed_from``), at ``school_urn`` (their school then):

    - ``new``: no award ended before R (the record shows none to renew);
    - ``phase_transfer``: the award is for another school (the child moves school);
    - ``mid_year``: the award ends within the school year R is in (a medical or other
      temporary award, an age threshold);
    - ``post16``: transport from R is post-16, agreed one school year at a time;
    - ``renewal``: the award ends with the school year, same school.
    """
    if ended is None:
        return Situation.NEW
    if ended.school_urn != school_urn:
        return Situation.PHASE_TRANSFER
    if academic_year_of(ended.valid_until) == academic_year_of(needed_from):
        return Situation.MID_YEAR
    if post16:
        return Situation.POST16
    return Situation.RENEWAL
