"""What each file of the bundle holds: columns, parsers, keys and references."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from transport.db import tables
from transport.domain.school_age import age_on
from transport.imports import values as v

ELIGIBILITY_BASES = (
    "STATUTORY_DISTANCE",
    "SEND_MOBILITY",
    "UNSAFE_ROUTE",
    "EXTENDED_LOW_INCOME_8_10",
    "EXTENDED_LOW_INCOME_11_PLUS",
    "EXTENDED_RELIGION_BELIEF",
    "post16",
    "post19",
    "discretionary",
)


@dataclass(frozen=True)
class Column:
    name: str
    parse: v.Parser
    required: bool = False
    default: Any = None  # the value of a blank optional cell
    # Free text (a note) may hold the line breaks of a quoted cell; every other column is
    # a name, reference, address, number or code, and refuses them (reader.py).
    free_text: bool = False


@dataclass(frozen=True)
class RowProblem:
    column: str
    message: str


RowCheck = Callable[[dict[str, Any]], RowProblem | None]
# A check that needs the import's day (e.g. a child's age on it).
DatedCheck = Callable[[dict[str, Any], date], RowProblem | None]


@dataclass(frozen=True)
class FileSpec:
    name: str
    table: type[tables.Base]
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # column -> the key set it must refer to ("schools" or "pupils")
    references: dict[str, str] = field(default_factory=dict)
    check: RowCheck | None = None
    check_on: DatedCheck | None = None

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".csv")

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _dates_in_order(first: str, last: str) -> RowCheck:
    def check(row: dict[str, Any]) -> RowProblem | None:
        if row[first] > row[last]:
            return RowProblem(last, f"expected {last} on or after {first} ({row[first]})")
        return None

    return check


ADDRESS_PARTS = ("address_line_1", "address_line_2", "address_line_3", "town", "postcode")
# What makes a postal address usable: a letter can be addressed with these.
ADDRESS_NEEDS = ("address_line_1", "town", "postcode")


def _a_way_to_reach(row: dict[str, Any]) -> RowProblem | None:
    """At least one of email, mobile, landline or a usable postal address (a partial
    address is kept, but no letter can go to it)."""
    if any(row.get(c) is not None for c in ("email", "mobile", "landline")):
        return None
    missing = [part for part in ADDRESS_NEEDS if row.get(part) is None]
    if not missing:
        return None
    if any(row.get(part) is not None for part in ADDRESS_PARTS):
        return RowProblem(
            missing[0],
            f"expected {', '.join(missing)}: with no email, mobile or landline, the contact "
            "is reached by post, and a letter needs address_line_1, town and postcode",
        )
    return RowProblem(
        "email",
        "expected at least one way to reach the contact: email, mobile, landline, or a "
        "postal address (address_line_1, town, postcode)",
    )


OLDEST_PUPIL = 25  # years: post-19 transport with an EHC plan runs to 25


def _age_of_a_pupil(row: dict[str, Any], today: date) -> RowProblem | None:
    """A date of birth makes the child 0 to 25 years old on the import's day (2031 or
    1066 is a typing error, and would put the child out of every rule)."""
    born = row["date_of_birth"]
    age = age_on(born, today) if born <= today else -1
    if 0 <= age <= OLDEST_PUPIL:
        return None
    said = "not yet born" if age < 0 else f"{age} years old"
    return RowProblem(
        "date_of_birth",
        f"expected a date of birth that makes the child 0 to {OLDEST_PUPIL} years old on "
        f"{today.isoformat()} (the import's day), got one that makes them {said}",
    )


def _bool(name: str) -> Column:
    return Column(name, v.parse_bool, default=False)


SCHOOLS = FileSpec(
    "schools.csv",
    tables.School,
    ("urn",),
    (
        Column("urn", v.parse_urn, required=True),
        Column("name", v.text_up_to(200), required=True),
        Column(
            "phase", v.choice("primary", "secondary", "all_through", "special", "post16", "other")
        ),
        Column("calendar", v.text_up_to(60), default="default"),
    ),
)

TERMS = FileSpec(
    "terms.csv",
    tables.Term,
    ("calendar", "academic_year", "term"),
    (
        Column("calendar", v.text_up_to(60), required=True),
        Column("academic_year", v.parse_year, required=True),
        Column("term", v.choice("autumn", "spring", "summer"), required=True),
        Column("first_day", v.parse_date, required=True),
        Column("last_day", v.parse_date, required=True),
    ),
    check=_dates_in_order("first_day", "last_day"),
)

CLOSURES = FileSpec(
    "closures.csv",
    tables.Closure,
    ("calendar", "urn", "first_day"),
    (
        Column("calendar", v.text_up_to(60), required=True),
        Column("first_day", v.parse_date, required=True),
        Column("last_day", v.parse_date, required=True),
        # Blank: every school of the calendar ('' in the record, so the key is whole).
        Column("urn", v.parse_urn, default=""),
        Column("kind", v.choice("half_term", "inset", "closure"), default="closure"),
        Column("note", v.text_up_to(200)),
    ),
    references={"urn": "schools"},
    check=_dates_in_order("first_day", "last_day"),
)

PUPILS = FileSpec(
    "pupils.csv",
    tables.Pupil,
    ("pupil_ref",),
    (
        Column("pupil_ref", v.parse_ref, required=True),
        Column("first_name", v.text_up_to(100), required=True),
        Column("last_name", v.text_up_to(100), required=True),
        Column("date_of_birth", v.parse_date, required=True),
        Column("school_urn", v.parse_urn, required=True),
        Column("next_school_urn", v.parse_urn),
        Column("year_group", v.parse_year_group),
        _bool("send"),
        Column("home_postcode", v.text_up_to(10)),
        Column("status", v.choice("active", "left"), default="active"),
    ),
    references={"school_urn": "schools", "next_school_urn": "schools"},
    check_on=_age_of_a_pupil,
)

CONTACTS = FileSpec(
    "contacts.csv",
    tables.PupilContact,
    ("pupil_ref", "name"),
    (
        Column("pupil_ref", v.parse_ref, required=True),
        Column("name", v.text_up_to(200), required=True),
        Column("relationship", v.text_up_to(40)),
        Column("email", v.parse_email),
        Column("mobile", v.parse_mobile),
        Column("landline", v.parse_landline),
        Column("address_line_1", v.text_up_to(100)),
        Column("address_line_2", v.text_up_to(100)),
        Column("address_line_3", v.text_up_to(100)),
        Column("town", v.text_up_to(100)),
        Column("postcode", v.parse_postcode),
        Column("preferred_channel", v.choice("email", "sms", "both", "letter"), default="both"),
        _bool("do_not_contact"),  # safeguarding: sets a block, never clears one
    ),
    references={"pupil_ref": "pupils"},
    check=_a_way_to_reach,
)

AWARDS = FileSpec(
    "awards.csv",
    tables.Award,
    ("award_ref",),
    (
        Column("award_ref", v.parse_ref, required=True),
        Column("pupil_ref", v.parse_ref, required=True),
        Column("valid_from", v.parse_date, required=True),
        Column("valid_until", v.parse_date, required=True),
        Column("school_urn", v.parse_urn),
        Column("basis", v.choice(*ELIGIBILITY_BASES, folded=False)),
        Column(
            "travel_mode",
            v.choice(
                "bus_pass",
                "shared_vehicle",
                "solo_vehicle",
                "personal_budget",
                "mileage",
                "travel_training",
            ),
        ),
    ),
    references={"pupil_ref": "pupils", "school_urn": "schools"},
    check=_dates_in_order("valid_from", "valid_until"),
)

APPLICATIONS = FileSpec(
    "applications.csv",
    tables.Application,
    ("application_ref",),
    (
        Column("application_ref", v.parse_ref, required=True),
        Column("pupil_ref", v.parse_ref, required=True),
        Column("academic_year", v.parse_year, required=True),
        Column("received_on", v.parse_date, required=True),
        Column(
            "status",
            v.choice("received", "assessing", "approved", "refused", "withdrawn"),
            required=True,
        ),
        Column(
            "kind",
            v.choice(
                "new",
                "renewal",
                "phase_transfer",
                "change_of_address",
                "change_of_school",
                "post16",
            ),
        ),
        Column("school_urn", v.parse_urn),
        Column("decided_on", v.parse_date),
        Column("walking_distance_miles", v.parse_miles),
        Column("road_distance_miles", v.parse_miles),
        _bool("nearest_suitable_school"),
        Column("suitable_school_rank", v.parse_rank),
        _bool("low_income"),
        _bool("religion_or_belief"),
        _bool("cannot_walk_send"),
        _bool("unsafe_route"),
        Column("medical_until", v.parse_date),
    ),
    references={"pupil_ref": "pupils", "school_urn": "schools"},
)

ARRANGEMENTS = FileSpec(
    "arrangements.csv",
    tables.Arrangement,
    ("pupil_ref", "academic_year"),
    (
        Column("pupil_ref", v.parse_ref, required=True),
        Column("academic_year", v.parse_year, required=True),
        Column("route_ref", v.text_up_to(40)),
        Column("operator", v.text_up_to(200)),
        Column("pickup_time", v.parse_time),
        _bool("passenger_assistant"),
        Column("family_informed_on", v.parse_date),
        Column("arranged_on", v.parse_date),
    ),
    references={"pupil_ref": "pupils"},
)

# In dependency order: what a file refers to is written before it.
BUNDLE = (SCHOOLS, TERMS, CLOSURES, PUPILS, CONTACTS, AWARDS, APPLICATIONS, ARRANGEMENTS)
