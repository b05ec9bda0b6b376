"""Jinja2 environments. Text and SMS are never HTML-escaped (O'Brien stays O'Brien);
every template fails loudly on a missing value (StrictUndefined)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Undefined, UndefinedError

TEMPLATES = Path(__file__).with_name("templates")


def _as_date(value: date | str | Undefined) -> date:
    if isinstance(value, Undefined):
        str(value)  # a StrictUndefined raises UndefinedError, naming what is missing
        raise UndefinedError("a date is missing")
    return date.fromisoformat(value) if isinstance(value, str) else value


def long_date(value: date | str | Undefined) -> str:
    """Monday 14 September 2026: how a letter to a parent writes a date."""
    day = _as_date(value)
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(value: date | str | Undefined) -> str:
    """Mon 14 Sep: for an SMS, where every character counts."""
    day = _as_date(value)
    return f"{day:%a} {day.day} {day:%b}"


def _needed(child: dict[str, Any], as_date: Callable[[date | str | Undefined], str]) -> str:
    """When a child needs transport from: the day, or, when that day is assumed (its
    term's dates are missing), "the start of the autumn term": never an assumed date."""
    if child.get("needed_from_assumed"):
        return f"the start of the {child.get('needed_from_term') or 'next'} term"
    if "needed_from" not in child:
        raise UndefinedError("'dict object' has no attribute 'needed_from'")
    return as_date(child["needed_from"])


def needed_long(child: dict[str, Any]) -> str:
    """``{{ child | needed_long }}``: Monday 14 September 2026, or the start of the term."""
    return _needed(child, long_date)


def needed_short(child: dict[str, Any]) -> str:
    """``{{ child | needed_short }}``: Mon 14 Sep, or the start of the term (for an SMS)."""
    return _needed(child, short_date)


def _environment(*, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=not html,
        # Templates ship with the code: never stat them again on every render.
        auto_reload=False,
    )
    env.filters["long_date"] = long_date
    env.filters["short_date"] = short_date
    env.filters["needed_long"] = needed_long
    env.filters["needed_short"] = needed_short
    return env


@lru_cache(maxsize=1)
def text_environment() -> Environment:
    """For subjects, plain-text bodies and SMS: nothing is escaped (O'Brien stays)."""
    return _environment(html=False)


@lru_cache(maxsize=1)
def html_environment() -> Environment:
    """For HTML email bodies only: everything is escaped."""
    return _environment(html=True)
