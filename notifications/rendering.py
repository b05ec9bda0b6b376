"""Jinja2 environments. Text and SMS are never HTML-escaped (O'Brien stays O'Brien);
every template fails loudly on a missing value (StrictUndefined)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).with_name("templates")


def long_date(value: date | str) -> str:
    """Monday 14 September 2026: how a letter to a parent writes a date."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value:%A} {value.day} {value:%B %Y}"


def short_date(value: date | str) -> str:
    """Mon 14 Sep: for an SMS, where every character counts."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value:%a} {value.day} {value:%b}"


@lru_cache(maxsize=1)
def text_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["short_date"] = short_date
    return env


@lru_cache(maxsize=1)
def html_environment() -> Environment:
    """For HTML email bodies only: everything is escaped."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["short_date"] = short_date
    return env
