"""When the scheduled jobs run: the nightly's wall time, the sending intervals and the
scheduler's lease, validated once. Pure: the clock-change rules are computed from the
time zone database, not read from a clock."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The night every SMS quiet period must cover: no text wakes a family between these.
NIGHT = (time(21, 0), time(7, 0))


def covers_the_night(start: time, end: time) -> bool:
    """Whether the quiet period [start, end) holds the whole night, 21:00 to 07:00: it
    crosses midnight, starts by 21:00 and ends at 07:00 or later."""
    night_start, night_end = NIGHT
    return end < start and start <= night_start and end >= night_end


@dataclass(frozen=True)
class ScheduleSettings:
    """When the jobs run. Minutes may be fractional (tests use sub-second intervals)."""

    nightly_time: str = "21:30"
    dispatch_minutes: float = 5
    poll_minutes: float = 15
    lease_seconds: float = 120
    timezone: str = "Europe/London"

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone {self.timezone!r} is not a known timezone") from exc
        hour, minute = parse_hhmm(self.nightly_time)
        if hour == 1:
            raise ValueError(
                f"nightly_time {self.nightly_time} is in the clock-change hour 01:00-01:59: "
                "in Europe/London it does not exist on the last Sunday of March and happens "
                "twice on the last Sunday of October, so the nightly would be skipped or run "
                "twice; choose another time"
            )
        if shifts_on_some_day(self.timezone, time(hour, minute)):
            raise ValueError(
                f"nightly_time {self.nightly_time} does not exist or happens twice on "
                f"clock-change days in {self.timezone}, so the nightly would be skipped or run "
                "twice; choose another time"
            )
        for name in ("dispatch_minutes", "poll_minutes", "lease_seconds"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be more than 0, got {getattr(self, name)!r}")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def nightly_at(self) -> time:
        return time(*parse_hhmm(self.nightly_time))

    @property
    def lease_ttl(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)


def parse_hhmm(text: str) -> tuple[int, int]:
    parts = text.split(":")
    if len(parts) == 2 and all(len(p) == 2 and p.isdigit() for p in parts):
        hour, minute = int(parts[0]), int(parts[1])
        if hour < 24 and minute < 60:
            return hour, minute
    raise ValueError(f"nightly_time must be HH:MM (24-hour), got {text!r}")


@functools.lru_cache(maxsize=16)
def shifts_on_some_day(timezone: str, at: time) -> bool:
    """Whether the wall time ``at`` is skipped or repeated on some day of 2024-2040."""
    tz = ZoneInfo(timezone)
    day = date(2024, 1, 1)
    while day.year < 2041:
        first = datetime.combine(day, at, tzinfo=tz)
        if first.utcoffset() != first.replace(fold=1).utcoffset():
            return True
        day += timedelta(days=1)
    return False
