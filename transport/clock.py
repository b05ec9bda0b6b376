"""The only place that reads the wall clock.

Everything else receives a :class:`Clock` (or a plain ``date``) so that every
command can run ``--as-of`` a date and every test can fix time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    def today(self) -> date:
        """Today's date in the service's local timezone."""
        ...

    def date_of(self, instant: datetime) -> date:
        """The local date of an instant already read (so a use case reads the clock once)."""
        ...


@dataclass(frozen=True)
class SystemClock:
    tz: tzinfo = LONDON

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(self.tz).date()

    def date_of(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()


@dataclass
class FixedClock:
    """A clock that only moves when told to (tests, simulations, ``--as-of``)."""

    instant: datetime
    tz: tzinfo = LONDON

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")

    def now(self) -> datetime:
        return self.instant.astimezone(UTC)

    def today(self) -> date:
        return self.instant.astimezone(self.tz).date()

    def date_of(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def set(self, instant: datetime) -> None:
        self.instant = instant
