"""Will the team finish in time? For each stage of work that stands between an at-risk
child and transport on their risk date: the work outstanding, when it is due, the rate the
team actually achieved over the last working days, when the work clears at that rate, and
the rate it would need. Pure: the counts of work done come from the record, measured by
the caller; working days count out weekends and England and Wales bank holidays.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from transport.domain.risk import PupilRisk
from transport.domain.working_days import add_working_days, is_working_day, working_days_between
from transport.vocabulary import Reason

# The stages, in the order the work flows, and the reason each one clears.
STAGES: tuple[tuple[str, Reason], ...] = (
    ("chase", Reason.NO_APPLICATION),
    ("decide", Reason.APPLICATION_UNDECIDED),
    ("award", Reason.AWARD_MISSING),
    ("arrange", Reason.NO_ARRANGEMENT),
    ("inform", Reason.FAMILY_NOT_INFORMED),
    ("reach", Reason.UNREACHABLE),
    # Children dated by assumed days: the work is to import the missing term dates.
    ("dates", Reason.NO_TERM_DATES),
)


@dataclass(frozen=True)
class StageForecast:
    stage: str
    outstanding: int
    due_by: date | None  # the last working day before the earliest risk date in the stage
    rate_per_working_day: float | None  # None: the record does not say how fast this goes
    rate_window_working_days: int
    clears_on: date | None  # None when the rate is 0 or unknown (or nothing is outstanding)
    needed_per_working_day: float | None
    on_track: bool | None  # None when the rate is unknown

    @property
    def short_by(self) -> float | None:
        """Items a working day the team is short of, when it is short."""
        if self.on_track is not False or self.needed_per_working_day is None:
            return None
        return round(self.needed_per_working_day - (self.rate_per_working_day or 0.0), 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "outstanding": self.outstanding,
            "due_by": self.due_by.isoformat() if self.due_by else None,
            "rate_per_working_day": self.rate_per_working_day,
            "rate_window_working_days": self.rate_window_working_days,
            "clears_on": self.clears_on.isoformat() if self.clears_on else None,
            "needed_per_working_day": self.needed_per_working_day,
            "on_track": self.on_track,
        }


def last_working_day_before(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def window_start(as_of: date, working_days: int) -> date:
    """The first day of the rate window: the last ``working_days`` working days before
    ``as_of`` (``as_of`` itself not counted: its work may not be done yet)."""
    day = as_of
    counted = 0
    while counted < working_days:
        day -= timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def forecast(
    at_risk: Iterable[PupilRisk],
    *,
    as_of: date,
    done_in_window: Mapping[str, int | None],
    window_working_days: int,
) -> list[StageForecast]:
    """One element per stage. ``done_in_window``: stage -> items of that work the record
    shows done in the window (None: the record cannot say)."""
    earliest: dict[Reason, date] = {}
    outstanding: dict[Reason, int] = {}
    for risk in at_risk:
        for reason in risk.reasons:
            outstanding[reason] = outstanding.get(reason, 0) + 1
            if reason not in earliest or risk.risk_date < earliest[reason]:
                earliest[reason] = risk.risk_date
    found = []
    for stage, reason in STAGES:
        count = outstanding.get(reason, 0)
        done = done_in_window.get(stage)
        rate = None if done is None else round(done / window_working_days, 1)
        due_by = last_working_day_before(earliest[reason]) if reason in earliest else None
        needed: float | None = None
        clears_on: date | None = None
        on_track: bool | None = None
        if count == 0:
            needed, on_track = 0.0, True
            clears_on = None
        else:
            assert due_by is not None
            # Working days left to do it: from today (if a working day) to due_by.
            left = working_days_between(as_of - timedelta(days=1), due_by)
            needed = float(count) if left <= 0 else round(count / left, 1)
            if rate is not None and done:
                # At the measured pace, from today (when a working day) on.
                days = math.ceil(count / (done / window_working_days))
                clears_on = add_working_days(as_of - timedelta(days=1), days)
            if rate is not None:
                on_track = left > 0 and clears_on is not None and clears_on <= due_by
        found.append(
            StageForecast(
                stage, count, due_by, rate, window_working_days, clears_on, needed, on_track
            )
        )
    return found
