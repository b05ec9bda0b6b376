"""The backlog forecast, worked by hand on the calendar of August and September 2026
(Monday 31 August 2026 is the summer bank holiday)."""

from __future__ import annotations

from datetime import date

from transport.domain.forecast import forecast, last_working_day_before, window_start
from transport.domain.risk import PupilRisk
from transport.vocabulary import Reason, Severity

AS_OF = date(2026, 8, 26)  # a Wednesday


def risk(ref: str, day: date, *reasons: Reason) -> PupilRisk:
    return PupilRisk(ref, "100001", None, day, (day - AS_OF).days, Severity.HIGH,
                     tuple(reasons), day)  # fmt: skip


def test_the_window_and_the_due_day_count_out_weekends_and_the_bank_holiday() -> None:
    # 10 working days before Wed 26 Aug: 25, 24, 21, 20, 19, 18, 17, 14, 13, 12 Aug.
    assert window_start(AS_OF, 10) == date(2026, 8, 12)
    # Before Tue 1 Sep: Mon 31 Aug is a bank holiday, so Fri 28 Aug.
    assert last_working_day_before(date(2026, 9, 1)) == date(2026, 8, 28)
    assert last_working_day_before(date(2026, 9, 3)) == date(2026, 9, 2)


def test_a_stage_short_of_its_rate() -> None:
    undecided = [risk(f"P{n}", date(2026, 9, 1), Reason.APPLICATION_UNDECIDED) for n in range(99)]
    [_, decide, *_] = forecast(
        undecided, as_of=AS_OF, done_in_window={"decide": 52}, window_working_days=10
    )
    assert decide.stage == "decide" and decide.outstanding == 99
    assert decide.due_by == date(2026, 8, 28)
    assert decide.rate_per_working_day == 5.2
    # 99 / 5.2 = 19.04 -> 20 working days from Wed 26 Aug: 26-28 Aug (3), 1-4 Sep (7),
    # 7-11 Sep (12), 14-18 Sep (17), 21-23 Sep (20).
    assert decide.clears_on == date(2026, 9, 23)
    assert decide.needed_per_working_day == 33.0  # 99 over 26, 27, 28 Aug
    assert decide.on_track is False and decide.short_by == 27.8


def test_on_track_no_work_rate_zero_unknown_and_a_due_day_already_passed() -> None:
    children = [
        risk("A", date(2026, 9, 14), Reason.NO_APPLICATION),
        risk("B", date(2026, 9, 14), Reason.NO_APPLICATION),
        risk("C", date(2026, 8, 26), Reason.FAMILY_NOT_INFORMED),
        risk("D", date(2026, 9, 14), Reason.NO_ARRANGEMENT),
    ]
    stages = {
        s.stage: s
        for s in forecast(
            children,
            as_of=AS_OF,
            done_in_window={"chase": 10, "decide": 0, "inform": 5, "arrange": None},
            window_working_days=10,
        )
    }
    chase = stages["chase"]  # 2 to do by Fri 11 Sep at 1.0 a day: done Thu 27 Aug
    assert (chase.rate_per_working_day, chase.clears_on, chase.on_track) == (
        1.0, date(2026, 8, 27), True,
    )  # fmt: skip
    decide = stages["decide"]  # nothing outstanding: on track whatever the rate
    assert (decide.outstanding, decide.on_track, decide.clears_on) == (0, True, None)
    inform = stages["inform"]  # due the day before today: too late, all of it needed now
    assert inform.due_by == date(2026, 8, 25)
    assert inform.needed_per_working_day == 1.0 and inform.on_track is False
    arrange = stages["arrange"]  # the record cannot say how fast arrangements are made
    assert arrange.rate_per_working_day is None and arrange.on_track is None
    award = stages["award"]
    assert award.outstanding == 0 and award.due_by is None


def test_a_rate_of_zero_never_clears() -> None:
    [chase, *_] = forecast(
        [risk("A", date(2026, 9, 14), Reason.NO_APPLICATION)],
        as_of=AS_OF, done_in_window={"chase": 0}, window_working_days=10,
    )  # fmt: skip
    assert chase.rate_per_working_day == 0.0 and chase.clears_on is None
    assert chase.on_track is False
