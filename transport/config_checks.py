"""The config's value checks that stand on their own: the database URL (never printed
with its password), SMS quiet hours, the eligibility policy, the scheduler's times,
GOV.UK Notify and the web service. Each raises :class:`ConfigError` naming the key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import TYPE_CHECKING

from transport.config_web import NOTIFY_MAX_PER_SECOND, NotifyConfig, WebConfig
from transport.errors import ConfigError

if TYPE_CHECKING:
    from transport.config import EligibilityConfig, SchedulerConfig


def check_database_url(url: str) -> None:
    """The URL is never printed whole: it may carry a password (see masked_url)."""
    from transport.db.engine import masked_url, password_at_signs

    if not url.startswith(("sqlite", "postgresql", "postgres:")):
        raise ConfigError(
            "config key 'database.url' must be a sqlite:///, postgresql:// or postgres:// "
            f"URL, got {masked_url(url)!r}"
        )
    if password_at_signs(url):
        raise ConfigError(
            "config key 'database.url' (or TRANSPORT_DATABASE_URL) has an '@' in its "
            "password: write it as %40, e.g. postgresql://user:p%40ss@host/db; got "
            f"{masked_url(url)!r}"
        )


def check_quiet_hours(quiet: list[str]) -> None:
    """Two HH:MM times whose period covers 21:00-07:00, or [] (off, for a test rig)."""
    if not quiet:
        return
    if len(quiet) != 2 or not all(is_hhmm(q) for q in quiet):
        raise ConfigError(
            f"config key 'sending.quiet_hours' must be two HH:MM times, got {quiet!r}"
        )
    from transport.domain.schedule import covers_the_night

    start, end = (time.fromisoformat(q) for q in quiet)
    if not covers_the_night(start, end):
        raise ConfigError(
            f"config key 'sending.quiet_hours' is {quiet[0]}-{quiet[1]}, which does not "
            'cover the night: the quiet period must hold 21:00 to 07:00 (e.g. ["20:00", '
            '"08:00"]); only quiet_hours = [] turns quiet hours off, for a test rig'
        )


def check_eligibility(policy: EligibilityConfig) -> None:
    for name in (
        "under8_walking_limit_miles",
        "walking_limit_miles",
        "low_income_lower_miles",
        "low_income_upper_miles",
        "religion_upper_miles",
        "post16_lower_miles",
        "post16_upper_miles",
        "faith_primary_upper_miles",
        "faith_secondary_upper_miles",
    ):
        if not 0 < getattr(policy, name) <= 100:
            raise ConfigError(f"config key 'eligibility.{name}' must be between 0 and 100 miles")
    if policy.low_income_nearest_schools < 1:
        raise ConfigError("config key 'eligibility.low_income_nearest_schools' must be at least 1")
    month_day = policy.summer_term_end.split("-")
    if len(month_day) != 2 or not all(p.isdigit() for p in month_day):
        got = policy.summer_term_end
        raise ConfigError(f"config key 'eligibility.summer_term_end' must be MM-DD, got {got!r}")
    try:
        date(2000, int(month_day[0]), int(month_day[1]))
    except ValueError as exc:
        raise ConfigError(
            f"config key 'eligibility.summer_term_end' is not a day: {policy.summer_term_end!r}"
        ) from exc
    groups = {"R", *(str(n) for n in range(1, 15))}
    for group in policy.phase_transfer_years:
        if group not in groups:
            raise ConfigError(
                f"config key 'eligibility.phase_transfer_years' has {group!r}; use R or 1-14"
            )
    if not 1 <= policy.review_working_days <= 100:
        raise ConfigError("config key 'eligibility.review_working_days' must be 1 to 100")
    if not 0 <= policy.letter_delivery_working_days <= 10:
        raise ConfigError("config key 'eligibility.letter_delivery_working_days' must be 0 to 10")
    if not 1 <= policy.under8_until_year <= 6:
        raise ConfigError("config key 'eligibility.under8_until_year' must be a year from 1 to 6")
    if policy.post16_lower_miles >= policy.post16_upper_miles:
        raise ConfigError(
            "config key 'eligibility.post16_lower_miles' must be less than 'post16_upper_miles'"
        )


def check_scheduler(scheduler: SchedulerConfig) -> None:
    if not is_hhmm(scheduler.nightly_time):
        raise ConfigError(
            f"config key 'scheduler.nightly_time' must be HH:MM, got {scheduler.nightly_time!r}"
        )
    if scheduler.nightly_time.startswith("01:"):
        raise ConfigError(
            "config key 'scheduler.nightly_time' must not be 01:00-01:59: the clocks change then"
        )
    for name in ("dispatch_minutes", "poll_minutes", "lease_seconds"):
        if getattr(scheduler, name) <= 0:
            raise ConfigError(f"config key 'scheduler.{name}' must be more than 0")


def is_hhmm(text: str) -> bool:
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        return False
    return int(parts[0]) < 24 and int(parts[1]) < 60


def check_notify(
    notify: NotifyConfig, backends: Mapping[str, str], rates: Mapping[str, float]
) -> None:
    """With a channel sent through Notify, our rate limit stays under Notify's."""
    channels = [channel for channel, backend in backends.items() if backend == "notify"]
    if not channels:
        return
    # Letters have no setting: they go at a fixed pace, counted in the total.
    keyed = [channel for channel in channels if channel != "letter"]
    keys = " + ".join(f"'sending.{channel}_per_second'" for channel in keyed) or "the letters"
    total = sum(rates[channel] for channel in channels)
    letters = f" (letters count {rates['letter']:g})" if "letter" in channels else ""
    if any(rates[channel] <= 0 for channel in keyed) or total > NOTIFY_MAX_PER_SECOND:
        raise ConfigError(
            f"config keys {keys} must each be more than 0 and add up to at most "
            f"{NOTIFY_MAX_PER_SECOND:g} a second for GOV.UK Notify{letters} (it allows 3,000 "
            f"requests a minute, delivery look-ups included), got {total:g}"
        )
    if notify.timeout_seconds <= 0:
        raise ConfigError("config key 'notify.timeout_seconds' must be more than 0")


def check_web(web: WebConfig) -> None:
    url = web.public_url
    if url and not (url.startswith(("https://", "http://")) and "?" not in url):
        raise ConfigError(
            "config key 'web.public_url' must be the address the providers call, like "
            f"https://transport.council.example, got {url!r}"
        )
    if not 0 < web.port < 65536:
        raise ConfigError(f"config key 'web.port' must be a port from 1 to 65535, got {web.port}")
