from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transport.domain.calendar import format_academic_year, parse_academic_year
from transport.imports import values as v


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-09-04", date(2025, 9, 4)),
        ("04/09/2025", date(2025, 9, 4)),
        ("4/9/2025", date(2025, 9, 4)),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_dates_iso_and_uk_day_first(text: str, expected: date) -> None:
    assert v.parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["2025-13-01", "31/02/2025", "2025/09/04", "09-04-2025", "4 Sept 2025", "29/02/2025"]
)
def test_bad_dates_say_what_was_expected(text: str) -> None:
    with pytest.raises(v.BadValue, match="date"):
        v.parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("true", True),
        ("1", True),
        ("no", False),
        ("N", False),
        ("FALSE", False),
        ("0", False),
        ("", False),
    ],
)
def test_booleans(text: str, expected: bool) -> None:
    assert v.parse_bool(text) is expected


def test_bad_boolean() -> None:
    with pytest.raises(v.BadValue, match="yes/no"):
        v.parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025/26", 2025), ("2025-26", 2025), ("2025/2026", 2025), ("1999/00", 1999)],
)
def test_academic_years(text: str, expected: int) -> None:
    assert v.parse_year(text) == expected
    assert parse_academic_year(format_academic_year(expected)) == expected


@pytest.mark.parametrize("text", ["2025/27", "2025", "25/26", "2025/2027", "autumn"])
def test_bad_academic_years(text: str) -> None:
    with pytest.raises(v.BadValue, match="academic year"):
        v.parse_year(text)


@pytest.mark.parametrize(
    "text",
    [
        "07700 900123",
        "+44 7700 900123",
        "07700900123",
        "(07700) 900123",
        "+447700900123",
        "0044 7700 900123",
    ],
)
def test_uk_mobiles_in_common_forms_become_e164(text: str) -> None:
    assert v.parse_mobile(text) == "+447700900123"


def test_a_real_mobile_range_is_accepted() -> None:
    assert v.parse_mobile("07912 345678") == "+447912345678"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("020 7946 0000", "landline"),
        ("01632 960123", "not a valid number"),
        ("0770090012", "valid"),
        ("hello", "mobile"),
        ("07700 900123 999", "mobile"),
    ],
)
def test_not_a_mobile(text: str, why: str) -> None:
    with pytest.raises(v.BadValue, match=why):
        v.parse_mobile(text)


@pytest.mark.parametrize(
    "text", ["alex@example.com", "o'brien+school@council.example", "Zoë@example.org"]
)
def test_good_emails(text: str) -> None:
    assert v.parse_email(text) == text


@pytest.mark.parametrize(
    "text", ["alex", "alex@", "@example.com", "a b@example.com", "a@@example.com", "a@example"]
)
def test_bad_emails(text: str) -> None:
    with pytest.raises(v.BadValue, match="email"):
        v.parse_email(text)


def test_times_and_year_groups_and_choices() -> None:
    assert v.parse_time("07:45") == time(7, 45)
    assert v.parse_time("7:05") == time(7, 5)
    with pytest.raises(v.BadValue, match="HH:MM"):
        v.parse_time("7.45am")
    assert v.parse_year_group("r") == "R"
    assert v.parse_year_group("06") == "6"
    with pytest.raises(v.BadValue, match="year group"):
        v.parse_year_group("15")
    assert v.choice("email", "sms")("SMS") == "sms"
    with pytest.raises(v.BadValue, match="one of email, sms"):
        v.choice("email", "sms")("fax")


@pytest.mark.parametrize("text", ["-1", "101", "far"])
def test_bad_distances(text: str) -> None:
    with pytest.raises(v.BadValue, match="miles"):
        v.parse_miles(text)


@given(st.from_regex(r"\A07\d{9}\Z"), st.sampled_from(["{}", "+44 {}", "{} ", "0044{}"]))
def test_the_fast_mobile_path_agrees_with_phonenumbers(number: str, shape: str) -> None:
    text = shape.format(number[1:] if shape.startswith(("+", "00")) else number)
    try:
        fast: str | None = v.parse_mobile(text)
    except v.BadValue:
        fast = None
    try:
        full: str | None = v._parse_mobile_fully(text)
    except v.BadValue:
        full = None
    assert fast == full
