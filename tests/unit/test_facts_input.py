"""Reading eligibility facts (docs/eligibility.md, Input): every error names the field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from transport.domain.eligibility import Facts
from transport.errors import TransportError
from transport.facts_input import BadFacts, facts_from, read_facts

# The spec's input example, as written.
SPEC_EXAMPLE: dict[str, Any] = {
    "date_of_birth": "2017-03-14",
    "travel_from": "2025-09-04",
    "year_group": "3",
    "walking_distance_miles": 2.4,
    "road_distance_miles": 2.9,
    "nearest_suitable_school": True,
    "suitable_school_rank": 1,
    "low_income": False,
    "religion_or_belief": False,
    "cannot_walk_send": False,
    "unsafe_route": False,
    "medical_until": None,
    "post16": False,
}
SPEC_FACTS = Facts(
    date_of_birth=date(2017, 3, 14),  # Tue
    travel_from=date(2025, 9, 4),  # Thu
    year_group="3",
    walking_distance_miles=2.4,
    road_distance_miles=2.9,
    nearest_suitable_school=True,
    suitable_school_rank=1,
    low_income=False,
    religion_or_belief=False,
    cannot_walk_send=False,
    unsafe_route=False,
    medical_until=None,
    post16=False,
)
MINIMAL = {"date_of_birth": "2016-03-14", "travel_from": "2025-09-04"}
BOOLEANS = (
    "nearest_suitable_school",
    "low_income",
    "religion_or_belief",
    "cannot_walk_send",
    "unsafe_route",
    "post16",
)
DISTANCES = ("walking_distance_miles", "road_distance_miles")
DATES = ("date_of_birth", "travel_from", "medical_until")


def with_(**changes: Any) -> dict[str, Any]:
    return {**MINIMAL, **changes}


def without(name: str) -> dict[str, Any]:
    return {key: value for key, value in SPEC_EXAMPLE.items() if key != name}


def bad(data: dict[str, Any], field: str) -> str:
    with pytest.raises(BadFacts) as caught:
        facts_from(data)
    message = str(caught.value)
    assert field in message, message
    return message


# ----------------------------------------------------------------------------- good
def test_the_spec_example_parses() -> None:
    assert facts_from(SPEC_EXAMPLE) == SPEC_FACTS


def test_missing_optional_facts_are_false_or_unknown() -> None:
    assert facts_from(MINIMAL) == Facts(
        date_of_birth=date(2016, 3, 14),  # Mon
        travel_from=date(2025, 9, 4),
    )  # Thu
    facts = facts_from(MINIMAL)
    assert facts.walking_distance_miles is None
    assert facts.road_distance_miles is None
    assert facts.suitable_school_rank is None
    assert facts.medical_until is None
    assert facts.year_group is None
    assert not any(getattr(facts, name) for name in BOOLEANS)


@pytest.mark.parametrize("name", BOOLEANS)
def test_null_boolean_is_false(name: str) -> None:
    assert getattr(facts_from(with_(**{name: None})), name) is False


@pytest.mark.parametrize("name", BOOLEANS)
@pytest.mark.parametrize("value", [True, False])
def test_booleans_true_and_false(name: str, value: bool) -> None:
    assert getattr(facts_from(with_(**{name: value})), name) is value


@pytest.mark.parametrize("name", DISTANCES)
@pytest.mark.parametrize(("value", "expected"), [(0, 0.0), (0.3, 0.3), (2, 2.0), (100, 100.0)])
def test_plausible_distances(name: str, value: float, expected: float) -> None:
    assert getattr(facts_from(with_(**{name: value})), name) == expected


def test_medical_until_parses() -> None:
    assert facts_from(with_(medical_until="2025-11-28")).medical_until == date(2025, 11, 28)  # Fri


@pytest.mark.parametrize("rank", [1, 3, 4, 12])
def test_positive_ranks(rank: int) -> None:
    assert facts_from(with_(suitable_school_rank=rank)).suitable_school_rank == rank


@pytest.mark.parametrize(
    ("value", "expected"),
    [("R", "R"), ("r", "R"), ("3", "3"), (3, "3"), ("11", "11"), ("03", "3"), ("14", "14")],
)
def test_year_groups(value: Any, expected: str) -> None:
    assert facts_from(with_(year_group=value)).year_group == expected


def test_born_on_the_travel_date_is_allowed() -> None:
    facts = facts_from(with_(date_of_birth="2025-09-04", travel_from="2025-09-04"))  # Thu
    assert facts.date_of_birth == facts.travel_from == date(2025, 9, 4)


# --------------------------------------------------------------------- missing dates
@pytest.mark.parametrize("name", ["date_of_birth", "travel_from"])
def test_missing_required_date_names_the_field(name: str) -> None:
    bad(without(name), name)


@pytest.mark.parametrize("name", ["date_of_birth", "travel_from"])
@pytest.mark.parametrize("value", [None, ""])
def test_empty_required_date_names_the_field(name: str, value: Any) -> None:
    bad({**SPEC_EXAMPLE, name: value}, name)


# ----------------------------------------------------------------------- bad dates
@pytest.mark.parametrize("name", DATES)
@pytest.mark.parametrize(
    "value",
    [
        "04/09/2025",  # day first
        "2025-9-4",  # not zero-padded
        "2025-09-31",  # no such day
        "20250904",  # basic ISO format, no dashes
        "2025-W36-4",  # ISO week date (Thu of week 36), 10 characters long
        "2025-09-04T08:00",  # a date and time
        "tomorrow",
        20250904,
        True,
    ],
)
def test_date_in_the_wrong_format_names_the_field(name: str, value: Any) -> None:
    bad({**SPEC_EXAMPLE, name: value}, name)


def test_date_of_birth_after_travel_from_is_an_error() -> None:
    # Born Fri 5 Sep 2025, travelling from Thu 4 Sep 2025.
    bad(with_(date_of_birth="2025-09-05", travel_from="2025-09-04"), "date_of_birth")


# ------------------------------------------------------------------- bad distances
@pytest.mark.parametrize("name", DISTANCES)
@pytest.mark.parametrize(
    "value",
    [
        -0.01,
        -1,
        100.01,  # over 100 miles is absurd
        250,
        float("inf"),
        float("nan"),  # JSON NaN: not a distance
        "2.4",
        True,
        [2.4],
    ],
)
def test_bad_distance_names_the_field(name: str, value: Any) -> None:
    bad({**SPEC_EXAMPLE, name: value}, name)


# ------------------------------------------------------------------------ booleans
@pytest.mark.parametrize("name", BOOLEANS)
@pytest.mark.parametrize("value", ["true", "false", "yes", "no", 1, 0, "Y"])
def test_booleans_must_be_true_or_false(name: str, value: Any) -> None:
    bad({**SPEC_EXAMPLE, name: value}, name)


# ----------------------------------------------------------------------------- rank
@pytest.mark.parametrize("value", [0, -1, 1.5, "2", True, False, [1]])
def test_rank_must_be_a_positive_integer(value: Any) -> None:
    bad({**SPEC_EXAMPLE, "suitable_school_rank": value}, "suitable_school_rank")


@pytest.mark.parametrize(
    ("nearest", "rank", "expected"),
    [
        (True, None, None),  # the engine reads no rank at the nearest school as rank 1
        (True, 1, 1),
        (False, 2, 2),
        (False, None, None),
    ],
)
def test_nearest_and_rank_that_agree(nearest: bool, rank: int | None, expected: int | None) -> None:
    facts = facts_from(with_(nearest_suitable_school=nearest, suitable_school_rank=rank))
    assert facts.suitable_school_rank == expected


@pytest.mark.parametrize("rank", [2, 3, 7])
def test_nearest_with_a_later_rank_names_both_fields(rank: int) -> None:
    message = bad(
        with_(nearest_suitable_school=True, suitable_school_rank=rank), "nearest_suitable_school"
    )
    assert "'suitable_school_rank'" in message and f"({rank})" in message


# ----------------------------------------------------------------------- year group
@pytest.mark.parametrize("value", ["0", "15", "Y3", "Reception", "3a", -1])
def test_bad_year_group_names_the_field(value: Any) -> None:
    bad({**SPEC_EXAMPLE, "year_group": value}, "year_group")


# ------------------------------------------------------------------------ read_facts
def test_read_facts_reads_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(SPEC_EXAMPLE), encoding="utf-8")
    assert read_facts(path) == SPEC_FACTS


def test_read_facts_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(SPEC_EXAMPLE), encoding="utf-8-sig")
    assert read_facts(path) == SPEC_FACTS


@pytest.mark.parametrize(
    "content",
    [
        "date_of_birth: 2017-03-14\n",  # YAML, not JSON
        "{'date_of_birth': '2017-03-14'}",  # Python, not JSON
        '{"date_of_birth": "2017-03-14",',  # cut short
        "",
    ],
)
def test_read_facts_not_json_names_the_path(tmp_path: Path, content: str) -> None:
    path = tmp_path / "facts.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadFacts) as caught:
        read_facts(path)
    assert str(path) in str(caught.value)


def test_read_facts_not_utf8_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_bytes(b'{"date_of_birth": "\xff\xfe"}')
    with pytest.raises(BadFacts) as caught:
        read_facts(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("document", [[SPEC_EXAMPLE], "2017-03-14", 42, None])
def test_read_facts_needs_an_object(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(BadFacts) as caught:
        read_facts(path)
    assert str(path) in str(caught.value)


def test_read_facts_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(BadFacts) as caught:
        read_facts(path)
    assert str(path) in str(caught.value)


def test_read_facts_bad_field_names_path_and_field(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({**SPEC_EXAMPLE, "walking_distance_miles": -2}), encoding="utf-8")
    with pytest.raises(BadFacts) as caught:
        read_facts(path)
    assert str(path) in str(caught.value)
    assert "walking_distance_miles" in str(caught.value)


def test_read_facts_json_nan_distance_is_an_error(tmp_path: Path) -> None:
    # Python's json module reads the non-standard NaN; it is no distance.
    path = tmp_path / "facts.json"
    text = json.dumps(SPEC_EXAMPLE).replace(
        '"road_distance_miles": 2.9', '"road_distance_miles": NaN'
    )
    assert "NaN" in text
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadFacts) as caught:
        read_facts(path)
    assert "road_distance_miles" in str(caught.value)


def test_bad_facts_is_reported_without_a_traceback() -> None:
    assert issubclass(BadFacts, TransportError)


# -------------------------------------------------------------------- unknown keys
@pytest.mark.parametrize(
    ("key", "nearest"),
    [
        ("low_incme", "low_income"),
        ("Low_Income", "low_income"),
        ("walking_distance", "walking_distance_miles"),
        ("medical_untill", "medical_until"),
    ],
)
def test_an_unknown_key_is_an_error_naming_it_and_the_nearest_known_one(
    key: str, nearest: str
) -> None:
    """A misspelt fact would otherwise read as false and change the decision."""
    message = bad(with_(**{key: True}), key)

    assert f"did you mean '{nearest}'?" in message


def test_an_unknown_key_like_no_known_one_lists_the_known_facts() -> None:
    message = bad(with_(colour="blue"), "colour")

    assert "low_income" in message and "travel_from" in message


def test_the_spec_example_has_no_unknown_key() -> None:
    assert facts_from(SPEC_EXAMPLE) == SPEC_FACTS
