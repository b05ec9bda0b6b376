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

from transport.domain.dates_text import day
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
    # None: the pace is unknown, because the record cannot say how fast this work goes
    # (``measured`` False) or shows none of it in the window (no recent activity).
    rate_per_working_day: float | None
    rate_window_working_days: int
    clears_on: date | None  # None when the pace is unknown (or nothing is outstanding)
    needed_per_working_day: float | None
    # None when the pace is unknown and the due day is further than the alert's working
    # days: False from then on (or once it has passed), whatever the pace.
    on_track: bool | None
    measured: bool = True  # False: the record cannot say how fast this work goes
    working_days_left: int = 0  # from today (when a working day) to due_by; <= 0: overdue

    @property
    def short_by(self) -> float | None:
        """Items a working day the team is short of, when it is short of a known pace."""
        if self.on_track is not False or self.needed_per_working_day is None:
            return None
        if self.rate_per_working_day is None:
            return None
        return round(self.needed_per_working_day - self.rate_per_working_day, 1)

    @property
    def no_recent_activity(self) -> bool:
        """The record could measure this work but shows none of it in the window."""
        return self.measured and self.rate_per_working_day is None

    @property
    def overdue(self) -> bool:
        return self.outstanding > 0 and self.working_days_left <= 0

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
    alert_working_days: int = 5,
) -> list[StageForecast]:
    """One element per stage. ``done_in_window``: stage -> items of that work the record
    shows done in the window (None: the record cannot say). A stage with none done in the
    window has no pace (a fresh install, the summer break: unknown, not 0); it is not on
    track (False) once its due day is within ``alert_working_days`` working days or past,
    and otherwise unknown (None)."""
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
        rate = round(done / window_working_days, 1) if done else None
        due_by = last_working_day_before(earliest[reason]) if reason in earliest else None
        needed: float | None = None
        clears_on: date | None = None
        on_track: bool | None = None
        left = 0
        if count == 0:
            needed, on_track = 0.0, True
            clears_on = None
        else:
            assert due_by is not None
            # Working days left to do it: from today (if a working day) to due_by.
            left = working_days_between(as_of - timedelta(days=1), due_by)
            needed = float(count) if left <= 0 else round(count / left, 1)
            if done:
                # At the measured pace, from today (when a working day) on.
                days = math.ceil(count / (done / window_working_days))
                clears_on = add_working_days(as_of - timedelta(days=1), days)
                on_track = left > 0 and clears_on <= due_by
            elif left <= alert_working_days:  # unknown pace, and the day is near or past
                on_track = False
        found.append(
            StageForecast(
                stage,
                count,
                due_by,
                rate,
                window_working_days,
                clears_on,
                needed,
                on_track,
                measured=done is not None,
                working_days_left=left,
            )
        )
    return found


# What a stage's work is, in words: "3 to decide".
WORK = {
    "chase": "to chase",
    "decide": "to decide",
    "award": "to award",
    "arrange": "to arrange",
    "inform": "to inform",
    "reach": "to reach",
    "dates": "dated by assumed days",
}
UNMEASURED = {
    "award": "the record does not say when an award was made",
    "arrange": "no arrangement says when it was made (arranged_on)",
}


def need_text(stage: StageForecast) -> str:
    """What is needed: '1 to decide by Fri 4 Dec: 0.1 a working day', or '1 to decide,
    overdue since Fri 4 Dec' when the due day has passed."""
    what = f"{stage.outstanding} {WORK[stage.stage]}"
    if stage.due_by is None:
        return what
    if stage.overdue:
        return f"{what}, overdue since {day(stage.due_by)}"
    return f"{what} by {day(stage.due_by)}: {stage.needed_per_working_day:g} a working day"


def pace_text(stage: StageForecast) -> str:
    """The team's pace in words: never "0" for a stage with no recent activity, never
    "never"."""
    if not stage.measured:
        return UNMEASURED.get(stage.stage, "the record does not say how fast this work goes")
    if stage.rate_per_working_day is None:
        window = stage.rate_window_working_days
        return f"no recent activity (none in the last {window} working days)"
    pace = f"the team does {stage.rate_per_working_day:g} a working day"
    if stage.clears_on is not None:
        pace += f", so done {day(stage.clears_on)}"
    return pace


def describe(stage: StageForecast) -> str:
    """The stage in one line: 'decide: SHORT: 1 to decide by Tue 8 Dec: 0.5 a working
    day; no recent activity (none in the last 10 working days)'."""
    if stage.stage == "dates":  # no pace to measure: the terms are to be imported
        due = f" by {day(stage.due_by)}" if stage.due_by else ""
        return (
            f"dates: {stage.outstanding} {'child' if stage.outstanding == 1 else 'children'} "
            f"dated by assumed days{due}; import the missing term dates (transport calendars)"
        )
    verdict = {False: "SHORT: ", True: "on track: ", None: ""}[stage.on_track]
    return f"{stage.stage}: {verdict}{need_text(stage)}; {pace_text(stage)}"


def worst_short(stages: Iterable[StageForecast]) -> StageForecast | None:
    """The one stage a banner names: of the stages not on track (the missing term dates
    have their own banner), the earliest due day, then the largest need."""
    short = [s for s in stages if s.on_track is False and s.stage != "dates" and s.due_by]
    if not short:
        return None
    order = {name: index for index, (name, _) in enumerate(STAGES)}
    return min(
        short,
        key=lambda s: (s.due_by, -(s.needed_per_working_day or 0.0), order[s.stage]),
    )
