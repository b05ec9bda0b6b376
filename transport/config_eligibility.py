"""Validation of the [eligibility] section (the council's transport policy): part of
transport/config.py, which loads the configuration and calls it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from transport.errors import ConfigError

if TYPE_CHECKING:
    from transport.config import EligibilityConfig


def check_eligibility(policy: EligibilityConfig) -> None:
    """The [eligibility] section's values are sensible (a ConfigError names the key)."""
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
