"""Parsers for the bundle's cell values. Each returns the value or raises
:class:`BadValue` whose message says what was expected."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from functools import lru_cache
from typing import Any

from transport.domain.calendar import parse_academic_year


class BadValue(ValueError):
    """A cell's value is not what its column needs; the message says what was expected."""


Parser = Callable[[str], Any]

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$", re.ASCII)
_DIGITS = re.compile(r"^[0-9]+$")
_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0", ""})


def parse_date(text: str) -> date:
    iso = _ISO.match(text) is not None
    match = None if iso else _UK.match(text)
    if not iso and match is None:
        raise BadValue(f"expected a date as YYYY-MM-DD or DD/MM/YYYY, got {text!r}")
    try:
        if match is None:
            return date.fromisoformat(text)  # the usual form, parsed in C
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    except ValueError as exc:
        raise BadValue(f"expected a real date, got {text!r} ({exc})") from exc


def parse_bool(text: str) -> bool:
    folded = text.lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise BadValue(f"expected yes/no, y/n, true/false or 1/0, got {text!r}")


def parse_year(text: str) -> int:
    year = parse_academic_year(text)
    if year is None:
        raise BadValue(f"expected an academic year like 2025/26 or 2025-26, got {text!r}")
    return year


def parse_time(text: str) -> time:
    match = _TIME.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise BadValue(f"expected a time as HH:MM, got {text!r}")


def parse_urn(text: str) -> str:
    if not _DIGITS.match(text) or len(text) > 12:
        raise BadValue(f"expected a school URN (digits), got {text!r}")
    return text


def parse_ref(text: str) -> str:
    if len(text) > 40:
        raise BadValue(f"expected a reference of at most 40 characters, got {len(text)}")
    return text


def parse_miles(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise BadValue(f"expected a distance in miles like 2.4, got {text!r}") from exc
    if not 0 <= value <= 100:
        raise BadValue(f"expected a distance from 0 to 100 miles, got {text!r}")
    return value


def parse_rank(text: str) -> int:
    if not _DIGITS.match(text) or int(text) < 1:
        raise BadValue(f"expected a rank 1, 2, 3, ..., got {text!r}")
    return int(text)


def choice(*options: str, folded: bool = True) -> Parser:
    allowed = frozenset(options)

    def parse(text: str) -> str:
        value = text.lower() if folded else text
        if value not in allowed:
            raise BadValue(f"expected one of {', '.join(options)}, got {text!r}")
        return value

    return parse


def text_up_to(limit: int) -> Parser:
    def parse(text: str) -> str:
        if len(text) > limit:
            raise BadValue(f"expected at most {limit} characters, got {len(text)}")
        return text

    return parse


def parse_year_group(text: str) -> str:
    value = text.upper()
    if value == "R" or (_DIGITS.match(value) and 1 <= int(value) <= 14):
        return value.lstrip("0") or value
    raise BadValue(f"expected a year group R or 1-14, got {text!r}")


# Ofcom keeps 07700 900000-900999 for drama and examples; they are well-formed mobiles
# that phonenumbers (rightly, for real traffic) calls unallocated. Councils use them in
# test exports, so accept them.
_DRAMA = re.compile(r"^\+447700900\d{3}$", re.ASCII)
# The common UK shapes: 07700 900123, +44 7700 900123, 0044 (0)7700-900123 ...
_UK_SHAPE = re.compile(r"^(?:\+44|0044|0)(7\d{9})$", re.ASCII)
_SEPARATORS = str.maketrans("", "", " -.()\t")


def parse_mobile(text: str) -> str:
    """A UK (or international) mobile number, in E.164."""
    # Fast path, checked against phonenumbers' own metadata for GB mobiles; everything
    # else (and every error message) goes through the full parser.
    match = _UK_SHAPE.match(text.replace("(0)", "").translate(_SEPARATORS))
    if match and _gb_mobile().fullmatch(match.group(1)):
        return "+44" + match.group(1)
    return _parse_mobile_fully(text)


@lru_cache(maxsize=1)
def _gb_mobile() -> re.Pattern[str]:
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region("GB")
    mobile = metadata.mobile if metadata is not None else None
    pattern = mobile.national_number_pattern if mobile is not None else None
    if not pattern:  # pragma: no cover - phonenumbers always ships GB metadata
        raise RuntimeError("phonenumbers has no GB mobile pattern")
    return re.compile(str(pattern))


def _parse_mobile_fully(text: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException as exc:
        raise BadValue(f"expected a mobile number like 07700 900123, got {text!r}") from exc
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _DRAMA.match(e164):
        return str(e164)
    kind = phonenumbers.number_type(number)
    mobile_kinds = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if not phonenumbers.is_valid_number(number):
        why = "not a valid number"
    elif kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        why = "a landline: put it in the landline column"
    elif kind not in mobile_kinds:
        why = "not a mobile"
    else:
        return str(e164)
    raise BadValue(f"expected a mobile number like 07700 900123, got {text!r} ({why})")


# Ofcom's drama range for landlines with no real area (01632 960000-960999).
_DRAMA_LANDLINE = re.compile(r"^\+441632960\d{3}$", re.ASCII)


def parse_landline(text: str) -> str:
    """A phone number the team can call (a landline, or any other valid number), in E.164."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException as exc:
        raise BadValue(f"expected a phone number like 01632 960123, got {text!r}") from exc
    e164 = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    if _DRAMA.match(e164) or _DRAMA_LANDLINE.match(e164) or phonenumbers.is_valid_number(number):
        return e164
    raise BadValue(f"expected a phone number like 01632 960123, got {text!r} (not a valid number)")


# A UK postcode: outward code (area, district) and inward code (sector, unit).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$", re.ASCII)


def parse_postcode(text: str) -> str:
    """A UK postcode, upper case with one space: 'ne1 4xy' -> 'NE1 4XY'."""
    folded = " ".join(text.upper().split())
    match = _POSTCODE.match(folded)
    if match is None and folded not in ("GIR 0AA", "GIR0AA"):
        raise BadValue(f"expected a UK postcode like NE1 4XY, got {text!r}")
    return f"{match.group(1)} {match.group(2)}" if match else "GIR 0AA"


_SIMPLE_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_SPECIAL_TLDS = frozenset({"invalid", "test", "localhost", "local", "onion", "arpa", "internal"})


def parse_email(text: str) -> str:
    # Fast path for the plain ASCII addresses that are nearly all of them; anything else
    # gets the full RFC check (and its precise message) from email-validator.
    simple = _SIMPLE_EMAIL.match(text) and len(text) <= 254
    if simple and text.rsplit(".", 1)[1].lower() not in _SPECIAL_TLDS:
        return text
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise BadValue(f"expected an email address, got {text!r}: {exc}") from exc
    return text
