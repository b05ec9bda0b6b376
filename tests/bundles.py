"""Keyword-only builders for import bundles in tests. Each test names only what matters."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

HEADERS = {
    "schools.csv": ["urn", "name", "phase", "calendar"],
    "terms.csv": ["calendar", "academic_year", "term", "first_day", "last_day"],
    "closures.csv": ["calendar", "first_day", "last_day", "urn", "kind", "note"],
    "pupils.csv": [
        "pupil_ref",
        "first_name",
        "last_name",
        "date_of_birth",
        "school_urn",
        "next_school_urn",
        "year_group",
        "send",
        "home_postcode",
        "status",
    ],
    "contacts.csv": ["pupil_ref", "name", "relationship", "email", "mobile", "preferred_channel"],
    "awards.csv": [
        "award_ref",
        "pupil_ref",
        "valid_from",
        "valid_until",
        "school_urn",
        "basis",
        "travel_mode",
    ],
    "applications.csv": [
        "application_ref",
        "pupil_ref",
        "academic_year",
        "received_on",
        "status",
        "kind",
        "school_urn",
        "decided_on",
    ],
    "arrangements.csv": [
        "pupil_ref",
        "academic_year",
        "route_ref",
        "operator",
        "pickup_time",
        "passenger_assistant",
        "family_informed_on",
    ],
}


def school(
    urn: str = "100001", *, name: str = "Oak Primary", phase: str = "primary", calendar: str = ""
) -> dict[str, Any]:
    return {"urn": urn, "name": name, "phase": phase, "calendar": calendar}


def term(calendar: str, year: str, name: str, first: str, last: str) -> dict[str, Any]:
    return {
        "calendar": calendar,
        "academic_year": year,
        "term": name,
        "first_day": first,
        "last_day": last,
    }


def closure(
    calendar: str = "default",
    first: str = "2026-10-26",
    last: str | None = None,
    *,
    urn: str = "",
    kind: str = "",
    note: str = "",
) -> dict[str, Any]:
    return {
        "calendar": calendar,
        "first_day": first,
        "last_day": last or first,
        "urn": urn,
        "kind": kind,
        "note": note,
    }


def council_terms(calendar: str = "default") -> list[dict[str, Any]]:
    """2025/26 and 2026/27 as a council might set them."""
    return [
        term(calendar, "2025/26", "autumn", "2025-09-04", "2025-12-19"),
        term(calendar, "2025/26", "spring", "2026-01-05", "2026-03-27"),
        term(calendar, "2025/26", "summer", "2026-04-13", "2026-07-22"),
        term(calendar, "2026/27", "autumn", "2026-09-03", "2026-12-18"),
        term(calendar, "2026/27", "spring", "2027-01-04", "2027-03-26"),
        term(calendar, "2026/27", "summer", "2027-04-12", "2027-07-21"),
    ]


def pupil(
    ref: str = "P1", *, school_urn: str = "100001", dob: str = "2016-05-01", **extra: Any
) -> dict[str, Any]:
    return {
        "pupil_ref": ref,
        "first_name": "Sam",
        "last_name": "O'Brien",
        "date_of_birth": dob,
        "school_urn": school_urn,
        **extra,
    }


def contact(
    pupil_ref: str = "P1",
    *,
    name: str = "Alex O'Brien",
    email: str = "alex@example.com",
    mobile: str = "07700 900123",
    **extra: Any,
) -> dict[str, Any]:
    return {"pupil_ref": pupil_ref, "name": name, "email": email, "mobile": mobile, **extra}


def award(
    ref: str = "A1",
    *,
    pupil_ref: str = "P1",
    valid_from: str = "2025-09-01",
    valid_until: str = "2026-08-31",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "award_ref": ref,
        "pupil_ref": pupil_ref,
        "valid_from": valid_from,
        "valid_until": valid_until,
        **extra,
    }


def application(
    ref: str = "APP1",
    *,
    pupil_ref: str = "P1",
    year: str = "2026/27",
    status: str = "received",
    received_on: str = "2026-04-01",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "application_ref": ref,
        "pupil_ref": pupil_ref,
        "academic_year": year,
        "received_on": received_on,
        "status": status,
        **extra,
    }


def arrangement(
    pupil_ref: str = "P1",
    *,
    year: str = "2026/27",
    family_informed_on: str = "2026-07-20",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "pupil_ref": pupil_ref,
        "academic_year": year,
        "route_ref": "R1",
        "operator": "County Coaches",
        "pickup_time": "07:45",
        "family_informed_on": family_informed_on,
        **extra,
    }


def write_bundle(
    folder: Path,
    files: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    bom: bool = False,
    encoding: str = "utf-8",
) -> Path:
    """Write each file with its standard header (plus any extra keys the rows use)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        header = list(HEADERS[name])
        for row in rows:
            header.extend(k for k in row if k not in header)
        path = folder / name
        with path.open("w", encoding="utf-8-sig" if bom else encoding, newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, restval="")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def small_county() -> dict[str, list[dict[str, Any]]]:
    """Two schools on two calendars, three pupils, one family sharing a contact."""
    return {
        "schools.csv": [
            school("100001"),
            school("100002", name="Hill Academy", phase="secondary", calendar="trust"),
        ],
        "terms.csv": council_terms() + council_terms("trust"),
        "pupils.csv": [
            pupil("P1"),
            pupil("P2", dob="2014-02-03", year_group="6", next_school_urn="100002"),
            pupil("P3", school_urn="100002", dob="2012-10-10", year_group="8"),
        ],
        "contacts.csv": [
            contact("P1"),
            contact("P2"),
            contact("P3", name="Jo Smith", email="jo@example.org", mobile=""),
        ],
        "awards.csv": [award("A1"), award("A2", pupil_ref="P2"), award("A3", pupil_ref="P3")],
        "applications.csv": [application("APP1", status="approved")],
        "arrangements.csv": [arrangement("P1")],
    }
