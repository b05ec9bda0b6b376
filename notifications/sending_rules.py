"""When a message may go: quiet hours and Sundays for SMS, the per-channel rate, and the
backoff after a temporary failure. Pure: the time is passed in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo

from transport.domain.schedule import covers_the_night

QUIET_HOURS_OFF = (
    "quiet hours are off (sending.quiet_hours = []): SMS may go at any hour, also at "
    'night; set sending.quiet_hours = ["20:00", "08:00"] unless this is a test rig'
)


@dataclass(frozen=True)
class QuietHours:
    """SMS waits (it is not dropped) from ``start`` to ``end`` local time, and all Sunday.
    ``enabled=False`` (``sending.quiet_hours = []``, for test rigs): no quiet period."""

    start: time = time(20, 0)
    end: time = time(8, 0)
    no_sundays: bool = True
    tz: tzinfo | None = None
    enabled: bool = True

    def sms_allowed(self, now: datetime) -> bool:
        local = now.astimezone(self.tz)
        if self.no_sundays and local.weekday() == 6:
            return False
        if not self.enabled:
            return True
        clock = local.time()
        if self.start <= self.end:  # a window within one day, e.g. 12:00-14:00
            return not self.start <= clock < self.end
        return self.end <= clock < self.start  # across midnight, e.g. 20:00-08:00

    def next_allowed(self, now: datetime) -> datetime:
        """The first instant from ``now`` when an SMS may go (minute resolution)."""
        moment = now
        for _ in range(60 * 24 * 8):
            if self.sms_allowed(moment):
                return moment
            moment = (moment + timedelta(minutes=1)).replace(second=0, microsecond=0)
        return moment  # pragma: no cover - every week has allowed minutes


def parse_quiet_hours(values: list[str], *, no_sundays: bool, tz: tzinfo) -> QuietHours:
    """``[start, end]`` (HH:MM) of a period that covers the night; ``[]``: quiet hours off.
    A ValueError says what is wrong."""
    if not values:
        return QuietHours(no_sundays=no_sundays, tz=tz, enabled=False)
    if len(values) != 2:
        raise ValueError(f"expected two HH:MM times, got {values!r}")
    start, end = (time.fromisoformat(v) for v in values)
    if not covers_the_night(start, end):
        raise ValueError(
            f"the quiet period {values[0]}-{values[1]} does not cover the night: it must "
            'hold 21:00 to 07:00 (e.g. ["20:00", "08:00"]); only [] turns quiet '
            "hours off, for a test rig"
        )
    return QuietHours(start, end, no_sundays, tz)


@dataclass(frozen=True)
class Backoff:
    """Exponential: base, 2 x base, 4 x base ... capped; after ``max_attempts`` give up."""

    base_seconds: float = 60.0
    cap_seconds: float = 6 * 3600.0
    max_attempts: int = 8

    def delay(self, attempts: int) -> timedelta:
        seconds = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return timedelta(seconds=seconds)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


@dataclass
class RateLimiter:
    """At most ``per_second`` sends per channel (0: no limit), spaced evenly, shared by
    the sending threads: each caller reserves the next free slot, then sleeps until it.
    ``monotonic`` and ``sleep`` are injected, so tests run with a fake clock."""

    per_second: dict[str, float]
    monotonic: Callable[[], float]
    sleep: Callable[[float], None]
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait(self, channel: str) -> None:
        rate = self.per_second.get(channel, 0.0)
        if rate <= 0:
            return
        with self._lock:
            now = self.monotonic()
            slot = max(self._next.get(channel, now), now)
            self._next[channel] = slot + 1.0 / rate
        if slot > now:
            self.sleep(slot - now)


class RelayBreaker:
    """Counts, across the sending threads of one run, the different recipients a channel's
    relay refused for its own policy (SMTP 5.7.x at RCPT). One or two such refusals may be
    about those addresses' domains; ``limit`` different ones mean the relay refuses
    everyone (a misconfigured smarthost): ``refused`` then says the channel must stop."""

    def __init__(self, limit: int = 3) -> None:
        self.limit = limit
        self._refused: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def refused(self, channel: str, recipient: str) -> int | None:
        """Note a refusal; the number of different recipients refused when that reaches
        the limit (the channel must stop), else None."""
        with self._lock:
            seen = self._refused.setdefault(channel, set())
            seen.add(recipient.casefold())
            return len(seen) if len(seen) >= self.limit else None
