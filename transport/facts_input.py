"""Read an eligibility facts file (docs/eligibility.md) into Facts; errors name the field."""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from transport.domain.eligibility import Facts
from transport.errors import TransportError

MAX_MILES = 100.0
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
YEAR_GROUPS = frozenset({"R", *(str(n) for n in range(1, 15))})
_BOOLS = (
    "nearest_suitable_school",
    "low_income",
    "religion_or_belief",
    "cannot_walk_send",
    "unsafe_route",
    "post16",
)


class BadFacts(TransportError):
    """A fact is missing or malformed; the message names the field."""

    exit_code = 1


def read_facts(path: Path) -> Facts:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise BadFacts(f"{path}: no such file") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadFacts(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise BadFacts(f"{path}: expected a JSON object of facts")
    try:
        return facts_from(data)
    except BadFacts as exc:
        raise BadFacts(f"{path}: {exc}") from exc


# The facts a file may give: exactly the fields of Facts. Any other key is an error (a
# misspelt "low_incme" would otherwise read as false and change the decision).
KNOWN = tuple(field.name for field in dataclasses.fields(Facts))


def facts_from(data: Mapping[str, Any]) -> Facts:
    _no_unknown_keys(data)
    dob = _date(data, "date_of_birth", required=True)
    travel_from = _date(data, "travel_from", required=True)
    assert dob is not None and travel_from is not None
    if dob > travel_from:
        raise BadFacts("field 'date_of_birth': after travel_from; expected an earlier date")
    flags = {name: _bool(data, name) for name in _BOOLS}
    rank = _rank(data)
    if flags["nearest_suitable_school"] and rank is not None and rank > 1:
        raise BadFacts(
            f"fields 'nearest_suitable_school' (true) and 'suitable_school_rank' ({rank}) "
            "disagree: the nearest suitable school is rank 1"
        )
    return Facts(
        date_of_birth=dob,
        travel_from=travel_from,
        year_group=_year_group(data),
        walking_distance_miles=_miles(data, "walking_distance_miles"),
        road_distance_miles=_miles(data, "road_distance_miles"),
        suitable_school_rank=rank,
        medical_until=_date(data, "medical_until"),
        **flags,
    )


def _no_unknown_keys(data: Mapping[str, Any]) -> None:
    unknown = sorted(str(key) for key in data if key not in KNOWN)
    if not unknown:
        return
    key = unknown[0]
    folded = {name.casefold(): name for name in KNOWN}
    near = difflib.get_close_matches(key.casefold(), list(folded), n=1, cutoff=0.6)
    hint = f"did you mean '{folded[near[0]]}'?" if near else f"expected one of {', '.join(KNOWN)}"
    more = f" (and {len(unknown) - 1} more unknown)" if len(unknown) > 1 else ""
    raise BadFacts(f"field '{key}' is not a known fact{more}: {hint}")


def _date(data: Mapping[str, Any], name: str, *, required: bool = False) -> date | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise BadFacts(f"field '{name}' is missing; expected a date as YYYY-MM-DD")
        return None
    if not isinstance(value, str):
        raise BadFacts(f"field '{name}': expected a date as YYYY-MM-DD, got {value!r}")
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadFacts(f"field '{name}': expected a date as YYYY-MM-DD, got {value!r}") from None


def _miles(data: Mapping[str, Any], name: str) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadFacts(f"field '{name}': expected a number of miles, got {value!r}")
    if not math.isfinite(value):
        raise BadFacts(f"field '{name}': expected a number of miles, got {value!r}")
    if value < 0:
        raise BadFacts(f"field '{name}': a distance cannot be negative, got {value!r}")
    if value > MAX_MILES:
        raise BadFacts(f"field '{name}': {value!r} miles is not a plausible distance to school")
    return float(value)


def _bool(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadFacts(f"field '{name}': expected true or false, got {value!r}")
    return value


def _rank(data: Mapping[str, Any]) -> int | None:
    value = data.get("suitable_school_rank")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadFacts(f"field 'suitable_school_rank': expected 1, 2, 3, ..., got {value!r}")
    return value


def _year_group(data: Mapping[str, Any]) -> str | None:
    value = data.get("year_group")
    if value is None or value == "":
        return None
    text = str(value).strip().upper()
    text = text.lstrip("0") or text
    if text in YEAR_GROUPS:
        return text
    raise BadFacts(f"field 'year_group': expected R or 1-14, got {value!r}")
