"""The backlog forecast, worked by hand on the calendar of August and September 2026
(Monday 31 August 2026 is the summer bank holiday)."""

from __future__ import annotations

from datetime import date

from transport.domain.forecast import (
    describe,
    forecast,
    last_working_day_before,
    window_start,
    worst_short,
)
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


def test_no_recent_activity_is_an_unknown_pace_not_zero() -> None:
    # Nothing chased in the window (a fresh install, the summer break): the pace is
    # unknown, so nothing clears "never"; 12 working days to Fri 11 Sep is further than the
    # alert's 5, so the verdict is unknown too.
    [chase, *_] = forecast(
        [risk("A", date(2026, 9, 14), Reason.NO_APPLICATION)],
        as_of=AS_OF, done_in_window={"chase": 0}, window_working_days=10,
    )  # fmt: skip
    assert chase.rate_per_working_day is None and chase.clears_on is None
    assert chase.on_track is None and chase.no_recent_activity
    assert chase.needed_per_working_day == 0.1  # 1 over the 12 working days to Fri 11 Sep
    assert describe(chase) == (
        "chase: 1 to chase by Fri 11 Sep: 0.1 a working day; "
        "no recent activity (none in the last 10 working days)"
    )


def test_no_recent_activity_is_short_once_the_due_day_is_within_the_alert() -> None:
    # Due Fri 4 Sep: from Wed 26 Aug that is 26, 27, 28 Aug and 1-4 Sep: 7 working days.
    children = [risk("A", date(2026, 9, 7), Reason.APPLICATION_UNDECIDED)]
    [_, decide, *_] = forecast(
        children, as_of=AS_OF, done_in_window={"decide": 0}, window_working_days=10,
        alert_working_days=7,
    )  # fmt: skip
    assert decide.on_track is False and decide.rate_per_working_day is None
    assert decide.short_by is None  # short of a pace nobody measured: no "short by"
    assert describe(decide).startswith("decide: SHORT: 1 to decide by Fri 4 Sep: 0.1 a")
    [_, calm, *_] = forecast(
        children, as_of=AS_OF, done_in_window={"decide": 0}, window_working_days=10,
        alert_working_days=6,
    )  # fmt: skip
    assert calm.on_track is None


def test_a_due_day_already_past_is_overdue_whatever_the_pace() -> None:
    # Due the day before today (Tue 25 Aug), for a pace nobody measured and for none done.
    children = [
        risk("A", date(2026, 8, 26), Reason.FAMILY_NOT_INFORMED),
        risk("B", date(2026, 8, 26), Reason.NO_ARRANGEMENT),
    ]
    stages = {
        s.stage: s
        for s in forecast(
            children,
            as_of=AS_OF,
            done_in_window={"inform": 0, "arrange": None},
            window_working_days=10,
        )
    }
    inform, arrange = stages["inform"], stages["arrange"]
    assert inform.on_track is False and inform.overdue
    assert describe(inform) == (
        "inform: SHORT: 1 to inform, overdue since Tue 25 Aug; "
        "no recent activity (none in the last 10 working days)"
    )
    assert arrange.on_track is False and not arrange.measured
    assert "overdue since Tue 25 Aug" in describe(arrange)
    for stage in stages.values():
        assert "never" not in describe(stage)


def test_the_banner_names_the_worst_stage_the_earliest_due_day_then_the_largest_need() -> None:
    children = [
        *(risk(f"C{n}", date(2026, 9, 3), Reason.NO_APPLICATION) for n in range(3)),
        *(risk(f"D{n}", date(2026, 9, 3), Reason.APPLICATION_UNDECIDED) for n in range(9)),
        risk("I", date(2026, 9, 14), Reason.FAMILY_NOT_INFORMED),
        risk("T", date(2026, 8, 27), Reason.NO_TERM_DATES),
    ]
    stages = forecast(
        children, as_of=AS_OF, done_in_window={"chase": 0, "decide": 0, "inform": 0},
        window_working_days=10,
    )  # fmt: skip
    short = [s.stage for s in stages if s.on_track is False]
    assert short == ["chase", "decide", "dates"]
    worst = worst_short(stages)
    assert worst is not None and worst.stage == "decide"  # 9 to do by Wed 2 Sep beats 3
    assert worst_short(s for s in stages if s.stage in ("inform", "dates")) is None
