"""The synthetic county generator writes a valid, realistic, deterministic import bundle."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import phonenumbers
import pytest

from transport.synthetic import generate_bundle, main

YEAR = 2026
SPEC_HEADERS = {
    "schools.csv": ["urn", "name", "phase", "calendar"],
    "terms.csv": ["calendar", "academic_year", "term", "first_day", "last_day"],
    "closures.csv": ["calendar", "first_day", "last_day", "urn", "kind", "note"],
    "pupils.csv": [
        "pupil_ref", "first_name", "last_name", "date_of_birth", "school_urn",
        "next_school_urn", "year_group", "send", "home_postcode", "status",
    ],
    "contacts.csv": [
        "pupil_ref", "name", "relationship", "email", "mobile", "preferred_channel",
        "landline", "address_line_1", "address_line_2", "address_line_3", "town", "postcode",
    ],
    "awards.csv": [
        "award_ref", "pupil_ref", "valid_from", "valid_until", "school_urn", "basis",
        "travel_mode",
    ],
    "applications.csv": [
        "application_ref", "pupil_ref", "academic_year", "received_on", "status", "kind",
        "school_urn", "decided_on", "walking_distance_miles", "road_distance_miles",
        "nearest_suitable_school", "suitable_school_rank", "low_income", "religion_or_belief",
        "cannot_walk_send", "unsafe_route", "medical_until",
    ],
    "arrangements.csv": [
        "pupil_ref", "academic_year", "route_ref", "operator", "pickup_time",
        "passenger_assistant", "family_informed_on", "arranged_on",
    ],
}  # fmt: skip
KEYS = {
    "schools.csv": ("urn",),
    "terms.csv": ("calendar", "academic_year", "term"),
    "closures.csv": ("calendar", "urn", "first_day"),
    "pupils.csv": ("pupil_ref",),
    "contacts.csv": ("pupil_ref", "name"),
    "awards.csv": ("award_ref",),
    "applications.csv": ("application_ref",),
    "arrangements.csv": ("pupil_ref", "academic_year"),
}
Rows = dict[str, list[dict[str, str]]]


def read(folder: Path) -> Rows:
    bundle: Rows = {}
    for name in SPEC_HEADERS:
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            bundle[name] = list(csv.DictReader(handle))
    return bundle


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], Rows]:
    folder = tmp_path_factory.mktemp("bundle")
    counts = generate_bundle(folder, pupils=300, seed=1, year=YEAR)
    return folder, counts, read(folder)


@pytest.fixture(scope="module")
def bundle(generated: tuple[Path, dict[str, int], Rows]) -> Rows:
    return generated[2]


def test_files_have_exactly_the_spec_headers_and_no_bom(
    generated: tuple[Path, dict[str, int], Rows],
) -> None:
    folder = generated[0]
    for name, header in SPEC_HEADERS.items():
        raw = (folder / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert raw.decode("utf-8").splitlines()[0].split(",") == header


def test_counts_equal_rows_written(generated: tuple[Path, dict[str, int], Rows]) -> None:
    _, counts, bundle = generated
    assert counts == {name: len(rows) for name, rows in bundle.items()}
    assert counts["pupils.csv"] == 300
    assert counts["schools.csv"] == 30


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    def files(seed: int, sub: str) -> dict[str, bytes]:
        generate_bundle(tmp_path / sub, pupils=120, seed=seed, year=YEAR)
        return {name: (tmp_path / sub / name).read_bytes() for name in SPEC_HEADERS}

    first, again, other = files(3, "a"), files(3, "b"), files(4, "c")
    assert first == again
    assert first["pupils.csv"] != other["pupils.csv"]


def test_keys_are_unique(bundle: Rows) -> None:
    for name, key in KEYS.items():
        keys = [tuple(row[k] for k in key) for row in bundle[name]]
        assert len(keys) == len(set(keys)), name


def test_references_resolve(bundle: Rows) -> None:
    urns = {row["urn"] for row in bundle["schools.csv"]}
    refs = {row["pupil_ref"] for row in bundle["pupils.csv"]}
    assert all(len(urn) == 6 and urn.isdigit() for urn in urns)
    for row in bundle["pupils.csv"]:
        assert row["school_urn"] in urns
        assert row["next_school_urn"] in urns | {""}
    for name in ("contacts.csv", "awards.csv", "applications.csv", "arrangements.csv"):
        assert {row["pupil_ref"] for row in bundle[name]} <= refs, name
    for name in ("awards.csv", "applications.csv"):
        assert {row["school_urn"] for row in bundle[name]} <= urns | {""}, name


def test_every_mobile_is_a_valid_uk_mobile_and_every_contact_reachable(bundle: Rows) -> None:
    mobiles = [row["mobile"] for row in bundle["contacts.csv"] if row["mobile"]]
    assert len({m[:3] for m in mobiles}) >= 2  # mixed forms: 07..., +44...
    for mobile in mobiles:
        number = phonenumbers.parse(mobile, "GB")
        assert phonenumbers.is_valid_number(number), mobile
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE, mobile
    for row in bundle["contacts.csv"]:
        postal = row["address_line_1"] and row["town"] and row["postcode"]
        assert row["email"] or row["mobile"] or row["landline"] or postal
        assert row["email"].split("@")[-1] in {"", "example.com", "example.org", "example.net"}


def test_some_families_have_only_a_landline_or_only_a_postal_address(tmp_path: Path) -> None:
    """About 3% of families, as in councils' records (issue 22): a landline alone (the team
    phones), or a postal address alone (letters)."""
    generate_bundle(tmp_path, pupils=4000, seed=3, year=YEAR)
    rows = read(tmp_path)["contacts.csv"]
    families = {row["pupil_ref"]: row for row in rows}  # one row per pupil is enough
    landline = [r for r in families.values() if r["landline"] and not (r["email"] or r["mobile"])]
    postal = [r for r in families.values() if r["postcode"] and not (r["email"] or r["mobile"])]
    assert 0.005 < len(landline) / len(families) < 0.03
    assert 0.005 < len(postal) / len(families) < 0.03
    for row in landline:
        assert phonenumbers.is_valid_number(phonenumbers.parse(row["landline"], "GB")) or (
            row["landline"].startswith("01632 960")
        )


def test_year_group_matches_date_of_birth(bundle: Rows) -> None:
    cutoff = date(YEAR - 1, 8, 31)  # Reception: 4 on the 31 August before the year starts
    for row in bundle["pupils.csv"]:
        born = date.fromisoformat(row["date_of_birth"])
        age = cutoff.year - born.year - ((cutoff.month, cutoff.day) < (born.month, born.day))
        assert row["year_group"] == ("R" if age == 4 else str(age - 4)), row


def test_three_calendars_with_weekday_terms_for_three_years(bundle: Rows) -> None:
    years: defaultdict[str, set[str]] = defaultdict(set)
    for row in bundle["terms.csv"]:
        years[row["calendar"]].add(row["academic_year"])
        first, last = date.fromisoformat(row["first_day"]), date.fromisoformat(row["last_day"])
        assert first < last and first.weekday() < 5 and last.weekday() < 5
    assert len(years) >= 3
    assert all(found == {"2025/26", "2026/27", "2027/28"} for found in years.values())
    autumn = {
        row["calendar"]: row["first_day"]
        for row in bundle["terms.csv"]
        if row["academic_year"] == "2026/27" and row["term"] == "autumn"
    }
    assert autumn["default"] == "2026-09-03"  # the council's Thursday
    assert len(set(autumn.values())) == len(autumn)  # academy trusts start on other days
    calendars = Counter(row["calendar"] for row in bundle["schools.csv"])
    assert calendars[""] and calendars["default"] and calendars["trust-north"]


def test_half_terms_and_five_inset_days_a_year_inside_the_terms_some_a_schools_own(
    bundle: Rows,
) -> None:
    terms = defaultdict(list)
    for row in bundle["terms.csv"]:
        terms[row["calendar"]].append(
            (date.fromisoformat(row["first_day"]), date.fromisoformat(row["last_day"]))
        )
    calendar_of = {row["urn"]: row["calendar"] or "default" for row in bundle["schools.csv"]}
    kinds: Counter[tuple[str, str, str]] = Counter()
    own: set[str] = set()
    for row in bundle["closures.csv"]:
        first, last = date.fromisoformat(row["first_day"]), date.fromisoformat(row["last_day"])
        assert any(start <= first <= last <= end for start, end in terms[row["calendar"]]), row
        year = first.year if first.month >= 9 else first.year - 1
        if row["urn"]:
            assert calendar_of[row["urn"]] == row["calendar"]
            own.add(row["urn"])
        else:
            kinds[(row["calendar"], str(year), row["kind"])] += 1
            if row["kind"] == "half_term":  # a Monday-to-Friday week
                assert (first.weekday(), (last - first).days) == (0, 4), row
    for calendar in ("default", "trust-north", "trust-south"):
        for year in ("2025", "2026", "2027"):
            assert kinds[(calendar, year, "half_term")] == 3
            assert kinds[(calendar, year, "inset")] == 5
    # Some schools, not most, set an INSET day of their own.
    assert 0 < len(own) < len(bundle["schools.csv"]) / 4


def test_families_transfers_and_unreachable_pupils(bundle: Rows) -> None:
    pupils = bundle["pupils.csv"]
    assert any(p["year_group"] == "6" and p["next_school_urn"] for p in pupils)
    with_contacts = {row["pupil_ref"] for row in bundle["contacts.csv"]}
    assert any(p["pupil_ref"] not in with_contacts for p in pupils)
    shared: defaultdict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in bundle["contacts.csv"]:
        shared[row["name"], row["email"], row["mobile"]].add(row["pupil_ref"])
    assert any(len(refs) >= 2 for refs in shared.values())


def test_some_awards_end_in_the_middle_of_the_autumn_term(bundle: Rows) -> None:
    autumn = next(
        row
        for row in bundle["terms.csv"]
        if (row["calendar"], row["academic_year"], row["term"]) == ("default", "2026/27", "autumn")
    )
    assert any(
        autumn["first_day"] < row["valid_until"] < autumn["last_day"]
        for row in bundle["awards.csv"]
    )


def test_applications_cover_the_outcomes_and_distances_are_consistent(bundle: Rows) -> None:
    statuses = Counter(row["status"] for row in bundle["applications.csv"])
    assert {"approved", "received", "assessing"} <= set(statuses)
    for row in bundle["applications.csv"]:
        assert float(row["road_distance_miles"]) >= float(row["walking_distance_miles"])
        assert bool(row["decided_on"]) == (row["status"] in ("approved", "refused"))


def test_every_arrangement_is_dated_after_its_decision_and_before_the_family_is_told(
    bundle: Rows,
) -> None:
    decided = {
        (row["pupil_ref"], row["academic_year"]): row["decided_on"]
        for row in bundle["applications.csv"]
        if row["status"] == "approved"
    }
    told = 0
    for row in bundle["arrangements.csv"]:
        arranged = row["arranged_on"]
        assert arranged, row  # every synthetic arrangement says when it was made
        # Never after late August: the county is checked on 26 August.
        assert arranged <= f"{YEAR}-08-25"
        if row["family_informed_on"]:
            told += 1
            assert arranged <= row["family_informed_on"]
        when = decided.get((row["pupil_ref"], row["academic_year"]))
        if when and (not row["family_informed_on"] or when <= row["family_informed_on"]):
            assert arranged >= when
    assert told and told < len(bundle["arrangements.csv"])  # some families not told yet
    # Some arrangements were made in the forecast's window before 26 August (from 12 Aug).
    assert any(row["arranged_on"] >= f"{YEAR}-08-12" for row in bundle["arrangements.csv"])


def test_main_prints_the_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--pupils", "40", "--seed", "2", "--out", str(tmp_path / "out")]) == 0
    assert "pupils.csv" in capsys.readouterr().out
    assert (tmp_path / "out" / "arrangements.csv").exists()
