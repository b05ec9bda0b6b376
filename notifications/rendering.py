"""Jinja2 environments. Text and SMS are never HTML-escaped (O'Brien stays O'Brien);
every template fails loudly on a missing value (StrictUndefined)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def _assumed(child: Mapping[str, Any]) -> bool:
    """The day is only assumed (its calendar lacks the term's dates): never said as a date."""
    return bool(child.get("needed_from_assumed"))


def _field(child: Mapping[str, Any], key: str) -> Any:
    """A child's value, or the template's own error (StrictUndefined) naming what is missing."""
    if key not in child:
        raise UndefinedError(f"'dict object' has no attribute '{key}'")
    return child[key]


def when(child: Mapping[str, Any]) -> str:
    """'from Thursday 3 September 2026', or 'from the start of the autumn term' when that
    day is assumed (risk-check.md: a message never states an assumed date as a fact)."""
    if _assumed(child):
        return f"from the start of the {_field(child, 'needed_from_term')} term"
    return f"from {long_date(_field(child, 'needed_from'))}"


def when_short(child: Mapping[str, Any]) -> str:
    """'from Thu 3 Sep', or 'from the autumn term' (for an SMS)."""
    if _assumed(child):
        return f"from the {_field(child, 'needed_from_term')} term"
    return f"from {short_date(_field(child, 'needed_from'))}"


def names_of(first_names: Sequence[str]) -> str:
    """'Sam', 'Sam and Ella', 'Sam, Ella and Tom'."""
    if len(first_names) <= 1:
        return "".join(first_names)
    return ", ".join(first_names[:-1]) + " and " + first_names[-1]


def who_when(children: Sequence[Mapping[str, Any]], short: bool = False) -> str:
    """Each child's first name with the day they need transport from, children of one
    day together: 'Sam and Ella from Thu 3 Sep', 'Sam from Thu 3 Sep, Ella from Mon 7 Sep'."""
    by_when: dict[str, list[str]] = {}
    for child in children:
        key = when_short(child) if short else when(child)
        by_when.setdefault(key, []).append(str(_field(child, "first_name")))
    return ", ".join(f"{names_of(first)} {key}" for key, first in by_when.items())


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
    env.filters["when"] = when
    env.filters["when_short"] = when_short
    env.filters["who_when"] = who_when
    return env


@lru_cache(maxsize=1)
def text_environment() -> Environment:
    """For subjects, plain-text bodies and SMS: nothing is escaped (O'Brien stays)."""
    return _environment(html=False)


@lru_cache(maxsize=1)
def html_environment() -> Environment:
    """For HTML email bodies only: everything is escaped."""
    return _environment(html=True)
