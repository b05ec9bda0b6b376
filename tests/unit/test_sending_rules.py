"""When a message may go: quiet hours and Sundays for SMS, backoff, and the rate limit.

As docs/reminders.md says ("Sending"): SMS is not sent between 20:00 and 08:00
Europe/London, nor on Sundays (both configurable); messages wait. Every instant here is an
explicit aware datetime; no real clock is read. Weekdays are worked out by hand from
Thursday 1 January 2026: Wednesday 14 January, Saturday 17 January, Wednesday 15 July and
Saturday 18 July 2026. UK clocks go forward at 01:00 GMT on Sunday 29 March 2026 and back
at 02:00 BST on Sunday 25 October 2026.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.sending_rules import Backoff, QuietHours, RateLimiter, parse_quiet_hours

LONDON = ZoneInfo("Europe/London")

NIGHT = QuietHours(time(20, 0), time(8, 0), True, LONDON)
NIGHT_SUNDAYS_OK = QuietHours(time(20, 0), time(8, 0), False, LONDON)
LUNCH = QuietHours(time(12, 0), time(14, 0), False, LONDON)


def london(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0):
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0):
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def same_instant(a: datetime, b: datetime) -> bool:
    return a.astimezone(UTC) == b.astimezone(UTC)


# --------------------------------------------------------------------------- quiet hours

WALL_CLOCK = [
    (19, 59, True),
    (20, 0, False),
    (23, 30, False),
    (0, 0, False),
    (3, 0, False),
    (7, 59, False),
    (8, 0, True),
    (12, 0, True),
]


@pytest.mark.parametrize(("hour", "minute", "allowed"), WALL_CLOCK)
@pytest.mark.parametrize(
    ("month", "day"),
    [(1, 14), (7, 15)],  # Wednesday 14 January (GMT), Wednesday 15 July (BST)
    ids=["GMT", "BST"],
)
def test_quiet_hours_on_a_weekday(month: int, day: int, hour: int, minute: int, allowed: bool):
    assert NIGHT.sms_allowed(london(2026, month, day, hour, minute)) is allowed


def test_the_end_of_quiet_hours_is_to_the_second() -> None:
    assert not NIGHT.sms_allowed(london(2026, 1, 14, 7, 59, 59))
    assert NIGHT.sms_allowed(london(2026, 1, 14, 19, 59, 59))


@pytest.mark.parametrize(
    ("instant", "allowed"),
    [
        (utc(2026, 7, 15, 18, 59), True),  # 19:59 BST
        (utc(2026, 7, 15, 19, 0), False),  # 20:00 BST
        (utc(2026, 7, 15, 19, 30), False),  # 20:30 BST
        (utc(2026, 7, 15, 6, 59), False),  # 07:59 BST
        (utc(2026, 7, 15, 7, 0), True),  # 08:00 BST
        (utc(2026, 1, 14, 19, 59), True),  # 19:59 GMT
        (utc(2026, 1, 14, 20, 0), False),  # 20:00 GMT
        (utc(2026, 1, 14, 7, 59), False),  # 07:59 GMT
        (utc(2026, 1, 14, 8, 0), True),  # 08:00 GMT
        # another zone: 15:00 in New York (EDT, UTC-4) on 15 July is 20:00 BST
        (datetime(2026, 7, 15, 15, 0, tzinfo=ZoneInfo("America/New_York")), False),
        (datetime(2026, 7, 15, 14, 59, tzinfo=ZoneInfo("America/New_York")), True),
    ],
)
def test_the_instant_is_judged_in_london_time(instant: datetime, allowed: bool) -> None:
    assert NIGHT.sms_allowed(instant) is allowed


@pytest.mark.parametrize(
    "instant",
    [
        london(2026, 1, 18, 8, 0),  # Sunday 18 January
        london(2026, 1, 18, 12, 0),
        london(2026, 1, 18, 19, 59),
        london(2026, 7, 19, 10, 0),  # Sunday 19 July
        utc(2026, 7, 19, 9, 0),  # 10:00 BST on Sunday
    ],
)
def test_no_sms_on_sunday(instant: datetime) -> None:
    assert not NIGHT.sms_allowed(instant)
    assert NIGHT_SUNDAYS_OK.sms_allowed(instant)


def test_saturday_and_monday_daytime_are_allowed() -> None:
    assert NIGHT.sms_allowed(london(2026, 1, 17, 12, 0))  # Saturday
    assert NIGHT.sms_allowed(london(2026, 1, 19, 8, 0))  # Monday


def test_sunday_night_hours_stay_quiet_when_sundays_are_allowed() -> None:
    assert not NIGHT_SUNDAYS_OK.sms_allowed(london(2026, 1, 18, 7, 59))
    assert not NIGHT_SUNDAYS_OK.sms_allowed(london(2026, 1, 18, 20, 0))


def test_sunday_is_the_london_day_not_the_utc_day() -> None:
    # With a daytime window, 00:30 is an allowed hour; only the day decides.
    window = QuietHours(time(12, 0), time(14, 0), True, LONDON)
    # 23:30 UTC on Saturday 18 July is 00:30 BST on Sunday 19 July
    assert not window.sms_allowed(utc(2026, 7, 18, 23, 30))
    # 23:30 UTC on Sunday 19 July is 00:30 BST on Monday 20 July
    assert window.sms_allowed(utc(2026, 7, 19, 23, 30))
    # in winter there is no difference: 23:30 UTC on Saturday 17 January is Saturday
    assert window.sms_allowed(utc(2026, 1, 17, 23, 30))


@pytest.mark.parametrize(
    ("hour", "minute", "allowed"),
    [
        (0, 0, True),
        (11, 59, True),
        (12, 0, False),
        (13, 0, False),
        (13, 59, False),
        (14, 0, True),
        (20, 30, True),
        (23, 59, True),
    ],
)
def test_a_daytime_window(hour: int, minute: int, allowed: bool) -> None:
    assert LUNCH.sms_allowed(london(2026, 1, 14, hour, minute)) is allowed
    assert LUNCH.sms_allowed(london(2026, 7, 15, hour, minute)) is allowed


def test_defaults_are_the_spec_defaults() -> None:
    rules = QuietHours(tz=LONDON)
    assert (rules.start, rules.end, rules.no_sundays) == (time(20, 0), time(8, 0), True)


# ---------------------------------------------------------------- around the clock change


@pytest.mark.parametrize(
    ("rules", "instant", "allowed"),
    [
        # Saturday 28 March 2026, still GMT
        (NIGHT, utc(2026, 3, 28, 19, 59), True),
        (NIGHT, utc(2026, 3, 28, 20, 0), False),
        # Sunday 29 March: BST from 01:00 UTC
        (NIGHT_SUNDAYS_OK, utc(2026, 3, 29, 6, 59), False),  # 07:59 BST
        (NIGHT_SUNDAYS_OK, utc(2026, 3, 29, 7, 0), True),  # 08:00 BST
        (NIGHT_SUNDAYS_OK, utc(2026, 3, 29, 18, 59), True),  # 19:59 BST
        (NIGHT_SUNDAYS_OK, utc(2026, 3, 29, 19, 0), False),  # 20:00 BST
        (NIGHT, utc(2026, 3, 29, 7, 0), False),  # Sunday
        # Monday 30 March, BST
        (NIGHT, utc(2026, 3, 30, 6, 59), False),
        (NIGHT, utc(2026, 3, 30, 7, 0), True),
        # Saturday 24 October 2026, still BST
        (NIGHT, utc(2026, 10, 24, 18, 59), True),  # 19:59 BST
        (NIGHT, utc(2026, 10, 24, 19, 0), False),  # 20:00 BST
        # Sunday 25 October: GMT from 01:00 UTC
        (NIGHT_SUNDAYS_OK, utc(2026, 10, 25, 7, 0), False),  # 07:00 GMT
        (NIGHT_SUNDAYS_OK, utc(2026, 10, 25, 7, 59), False),  # 07:59 GMT
        (NIGHT_SUNDAYS_OK, utc(2026, 10, 25, 8, 0), True),  # 08:00 GMT
        # Monday 26 October, GMT
        (NIGHT, utc(2026, 10, 26, 7, 59), False),
        (NIGHT, utc(2026, 10, 26, 8, 0), True),
    ],
)
def test_quiet_hours_across_the_clock_change(
    rules: QuietHours, instant: datetime, allowed: bool
) -> None:
    assert rules.sms_allowed(instant) is allowed


# --------------------------------------------------------------------------- next_allowed


@pytest.mark.parametrize(
    ("rules", "now", "expected"),
    [
        # Saturday 17 January 21:00 GMT: Sunday is skipped
        (NIGHT, london(2026, 1, 17, 21, 0), london(2026, 1, 19, 8, 0)),
        (NIGHT_SUNDAYS_OK, london(2026, 1, 17, 21, 0), london(2026, 1, 18, 8, 0)),
        # the same in summer, given as UTC: 20:00 UTC = 21:00 BST on Saturday 18 July
        (NIGHT, utc(2026, 7, 18, 20, 0), utc(2026, 7, 20, 7, 0)),
        (NIGHT_SUNDAYS_OK, utc(2026, 7, 18, 20, 0), utc(2026, 7, 19, 7, 0)),
        # Wednesday night, and Sunday daytime
        (NIGHT, london(2026, 1, 14, 23, 30), london(2026, 1, 15, 8, 0)),
        (NIGHT, london(2026, 1, 14, 20, 0), london(2026, 1, 15, 8, 0)),
        (NIGHT, london(2026, 1, 18, 12, 0), london(2026, 1, 19, 8, 0)),
        (NIGHT, london(2026, 1, 15, 0, 0), london(2026, 1, 15, 8, 0)),
        # a daytime window ends at 14:00
        (LUNCH, london(2026, 7, 15, 12, 30), london(2026, 7, 15, 14, 0)),
        (LUNCH, london(2026, 7, 15, 12, 0), london(2026, 7, 15, 14, 0)),
    ],
)
def test_next_allowed(rules: QuietHours, now: datetime, expected: datetime) -> None:
    result = rules.next_allowed(now)

    assert same_instant(result, expected), result
    assert rules.sms_allowed(result)


@pytest.mark.parametrize(
    "now",
    [
        london(2026, 1, 14, 10, 15, 30),
        london(2026, 1, 14, 8, 0),
        london(2026, 1, 17, 19, 59, 59),  # Saturday evening
        utc(2026, 7, 15, 12, 0),
    ],
)
def test_next_allowed_is_now_when_now_is_allowed(now: datetime) -> None:
    assert same_instant(NIGHT.next_allowed(now), now)


def test_next_allowed_from_part_way_through_a_minute() -> None:
    result = NIGHT.next_allowed(london(2026, 1, 14, 7, 59, 30))

    assert same_instant(result, london(2026, 1, 14, 8, 0, 0))


@pytest.mark.parametrize(
    ("rules", "now", "expected_utc"),
    [
        # Saturday 28 March 21:00 GMT (= 21:00 UTC); clocks go forward overnight
        (NIGHT, london(2026, 3, 28, 21, 0), utc(2026, 3, 30, 7, 0)),  # Mon 08:00 BST
        (NIGHT_SUNDAYS_OK, london(2026, 3, 28, 21, 0), utc(2026, 3, 29, 7, 0)),  # Sun 08:00 BST
        (NIGHT, utc(2026, 3, 28, 21, 0), utc(2026, 3, 30, 7, 0)),
        (NIGHT_SUNDAYS_OK, utc(2026, 3, 28, 21, 0), utc(2026, 3, 29, 7, 0)),
        # from inside the skipped hour's neighbourhood: 00:30 GMT on Sunday 29 March
        (NIGHT_SUNDAYS_OK, utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 7, 0)),
        # Saturday 24 October 21:00 BST (= 20:00 UTC); clocks go back overnight
        (NIGHT, london(2026, 10, 24, 21, 0), utc(2026, 10, 26, 8, 0)),  # Mon 08:00 GMT
        (NIGHT_SUNDAYS_OK, london(2026, 10, 24, 21, 0), utc(2026, 10, 25, 8, 0)),  # Sun 08:00
        (NIGHT, utc(2026, 10, 24, 20, 0), utc(2026, 10, 26, 8, 0)),
        (NIGHT_SUNDAYS_OK, utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 8, 0)),
        # 00:30 UTC on Sunday 25 October is 01:30 BST, before the repeated hour
        (NIGHT_SUNDAYS_OK, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 8, 0)),
    ],
)
def test_next_allowed_across_the_clock_change(
    rules: QuietHours, now: datetime, expected_utc: datetime
) -> None:
    result = rules.next_allowed(now)

    assert same_instant(result, expected_utc), result
    assert result.astimezone(LONDON).time() == time(8, 0)


@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.just(UTC),
    ),
    st.booleans(),
)
def test_next_allowed_is_allowed_and_not_before_now(now: datetime, no_sundays: bool) -> None:
    rules = QuietHours(time(20, 0), time(8, 0), no_sundays, LONDON)
    result = rules.next_allowed(now)

    assert result >= now
    assert rules.sms_allowed(result)
    # it waits at most from Saturday 20:00 to Monday 08:00 (36 hours, 37 across a change)
    assert result - now <= timedelta(hours=37)
    # and no allowed minute was skipped: one minute earlier is quiet, or before now
    earlier = result - timedelta(minutes=1)
    assert earlier < now or not rules.sms_allowed(earlier)


# --------------------------------------------------------------------------- parse_quiet_hours


def test_parse_quiet_hours() -> None:
    rules = parse_quiet_hours(["20:00", "08:00"], no_sundays=True, tz=LONDON)

    assert rules == QuietHours(time(20, 0), time(8, 0), True, LONDON)
    assert not rules.sms_allowed(london(2026, 1, 14, 20, 0))
    assert rules.sms_allowed(london(2026, 1, 14, 8, 0))


def test_parse_quiet_hours_with_sundays_allowed() -> None:
    rules = parse_quiet_hours(["21:00", "07:00"], no_sundays=False, tz=LONDON)

    assert rules == QuietHours(time(21, 0), time(7, 0), False, LONDON)
    assert rules.sms_allowed(london(2026, 1, 18, 10, 0))  # a Sunday


@pytest.mark.parametrize("values", [["25:00", "08:00"], ["20:00"], ["evening", "morning"]])
def test_parse_quiet_hours_rejects_bad_values(values: list[str]) -> None:
    with pytest.raises(ValueError):
        parse_quiet_hours(values, no_sundays=True, tz=LONDON)


@pytest.mark.parametrize(
    "values",
    [
        ["08:00", "20:00"],  # quiet by day: texts at 03:00
        ["00:00", "00:00"],  # an empty period
        ["20:00", "20:00"],
        ["22:00", "08:00"],  # 21:00-22:00 open
        ["20:00", "06:30"],  # 06:30-07:00 open
        ["00:00", "23:59"],  # within one day: 23:59-00:00 open
    ],
)
def test_a_quiet_period_that_lets_texts_go_at_night_is_refused(values: list[str]) -> None:
    """Issue 23.11: the period must cover 21:00-07:00."""
    with pytest.raises(ValueError, match="does not cover the night"):
        parse_quiet_hours(values, no_sundays=True, tz=LONDON)


@pytest.mark.parametrize("values", [["21:00", "07:00"], ["20:00", "08:00"], ["18:30", "09:15"]])
def test_a_quiet_period_that_covers_the_night_is_kept(values: list[str]) -> None:
    rules = parse_quiet_hours(values, no_sundays=False, tz=LONDON)
    for hour in (21, 23, 0, 3, 6):
        assert not rules.sms_allowed(london(2026, 1, 14, hour, 30 if hour == 6 else 0))


def test_only_an_empty_list_turns_quiet_hours_off() -> None:
    rules = parse_quiet_hours([], no_sundays=True, tz=LONDON)

    assert rules.enabled is False
    assert rules.sms_allowed(london(2026, 1, 14, 3, 0))  # a Wednesday, 03:00
    assert not rules.sms_allowed(london(2026, 1, 18, 3, 0))  # Sundays keep their own rule


# --------------------------------------------------------------------------- backoff


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 60), (2, 120), (3, 240), (4, 480), (5, 960), (6, 1920), (7, 3600), (12, 3600)],
)
def test_backoff_doubles_up_to_the_cap(attempts: int, seconds: int) -> None:
    assert Backoff(60, 3600, 5).delay(attempts) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("attempts", "exhausted"), [(0, False), (1, False), (4, False), (5, True), (6, True)]
)
def test_backoff_gives_up_after_max_attempts(attempts: int, exhausted: bool) -> None:
    assert Backoff(60, 3600, 5).exhausted(attempts) is exhausted


# --------------------------------------------------------------------------- rate limiter


class FakeClock:
    """A monotonic clock that only moves when something sleeps or the test advances it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def limiter(clock: FakeClock, **per_second: float) -> RateLimiter:
    return RateLimiter(per_second, clock.monotonic, clock.sleep)


def test_five_sends_at_two_per_second() -> None:
    clock = FakeClock()
    limit = limiter(clock, sms=2)
    sent_at = []
    for _ in range(5):
        limit.wait("sms")
        sent_at.append(clock.now)

    assert sum(clock.sleeps) == pytest.approx(2.0)
    assert clock.sleeps == pytest.approx([0.5, 0.5, 0.5, 0.5])
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent_at)]
    assert gaps == pytest.approx([0.5, 0.5, 0.5, 0.5])
    assert sent_at[0] == 1000.0  # the first send does not wait


def test_channels_are_independent() -> None:
    clock = FakeClock()
    limit = limiter(clock, sms=1, email=1)

    limit.wait("sms")
    limit.wait("email")  # straight after an SMS: email has its own budget
    assert clock.sleeps == []

    limit.wait("sms")
    assert clock.sleeps == pytest.approx([1.0])
    limit.wait("email")  # a second has passed while the SMS waited
    assert clock.sleeps == pytest.approx([1.0])


def test_channels_keep_their_own_rates() -> None:
    clock = FakeClock()
    limit = limiter(clock, sms=1, email=10)

    limit.wait("email")
    limit.wait("email")
    limit.wait("sms")
    limit.wait("sms")

    # email waits 0.1 s; the first SMS goes at once (t = 0.1), the second 1 s after it
    assert clock.sleeps == pytest.approx([0.1, 1.0])


@pytest.mark.parametrize("rate", [0, 0.0])
def test_rate_zero_never_sleeps(rate: float) -> None:
    clock = FakeClock()
    limit = limiter(clock, sms=rate)
    for _ in range(50):
        limit.wait("sms")

    assert clock.sleeps == []
    assert clock.now == 1000.0


def test_a_caller_who_is_already_late_does_not_sleep() -> None:
    clock = FakeClock()
    limit = limiter(clock, sms=2)

    limit.wait("sms")
    clock.advance(5.0)  # the caller took a long time over the send
    limit.wait("sms")
    assert clock.sleeps == []

    clock.advance(0.5)  # exactly on time
    limit.wait("sms")
    assert clock.sleeps == []


def test_a_caller_who_is_early_sleeps_only_the_remainder() -> None:
    clock = FakeClock()
    limit = limiter(clock, sms=2)

    limit.wait("sms")
    clock.advance(0.3)
    limit.wait("sms")

    assert clock.sleeps == pytest.approx([0.2])
    assert clock.now == pytest.approx(1000.5)


@given(
    rate=st.sampled_from([0.5, 1.0, 2.0, 5.0, 20.0]),
    pauses=st.lists(st.floats(min_value=0.0, max_value=3.0), min_size=1, max_size=30),
)
def test_sends_are_never_closer_than_one_over_the_rate(rate: float, pauses: list[float]) -> None:
    clock = FakeClock()
    limit = limiter(clock, sms=rate)
    sent_at = []
    for pause in pauses:
        clock.advance(pause)
        before = clock.now
        limit.wait("sms")
        sent_at.append(clock.now)
        if len(sent_at) >= 2 and before - sent_at[-2] >= 1.0 / rate + 1e-9:
            assert clock.now == before  # already late enough: no sleep

    for earlier, later in itertools.pairwise(sent_at):
        assert later - earlier >= 1.0 / rate - 1e-9


def test_threads_sharing_a_limiter_each_get_a_slot_of_their_own() -> None:
    from concurrent.futures import ThreadPoolExecutor

    sleeps: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            sleeps.append(seconds)

    limit = RateLimiter({"sms": 200.0}, lambda: 0.0, record)  # time stands still
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: limit.wait("sms"), range(20)))
    # The first send goes at once; every other waits for a slot no other thread has.
    assert sorted(sleeps) == pytest.approx([0.005 * n for n in range(1, 20)])
