"""Checks of config sections too long to sit in transport/config.py: the eligibility
policy, GOV.UK Notify and the web service. Each raises ConfigError naming the key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from transport.config_web import NOTIFY_MAX_PER_SECOND, NotifyConfig, WebConfig
from transport.errors import ConfigError

if TYPE_CHECKING:
    from transport.config import EligibilityConfig


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


def check_notify(
    notify: NotifyConfig, backends: Mapping[str, str], rates: Mapping[str, float]
) -> None:
    """With a channel sent through Notify, our rate limit stays under Notify's."""
    channels = [channel for channel, backend in backends.items() if backend == "notify"]
    if not channels:
        return
    keys = " + ".join(f"'sending.{channel}_per_second'" for channel in channels)
    total = sum(rates[channel] for channel in channels)
    if any(rates[channel] <= 0 for channel in channels) or total > NOTIFY_MAX_PER_SECOND:
        raise ConfigError(
            f"config keys {keys} must each be more than 0 and add up to at most "
            f"{NOTIFY_MAX_PER_SECOND:g} a second for GOV.UK Notify (it allows 3,000 requests "
            f"a minute, delivery look-ups included), got {total:g}"
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
