"""contacts.csv as each named pupil's whole set of contacts, through the command line
(SQLite, or PostgreSQL with TRANSPORT_TEST_DATABASE_URL): removals, a corrected name,
one message per address, and an unchanged bundle that reports no change.

The family's award ends 2026-08-31, so R is Thu 2026-09-03 and the invite (email only)
falls due on Tue 2026-05-26, the reminder (email and SMS) on Thu 2026-07-09.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import arrangement, award, contact, council_terms, pupil, school, write_bundle

runner = CliRunner()
INVITE_DAY = "2026-05-26"
REMINDER_DAY = "2026-07-09"


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def household(*contacts: dict[str, Any], refs: tuple[str, ...] = ("P1",)) -> dict[str, Any]:
    return {
        "schools.csv": [school("100001")],
        "terms.csv": council_terms(),
        "pupils.csv": [pupil(ref) for ref in refs],
        "contacts.csv": list(contacts),
        "awards.csv": [award(f"A{ref}", pupil_ref=ref) for ref in refs],
        "arrangements.csv": [
            arrangement(ref, year="2025/26", family_informed_on="2025-08-20") for ref in refs
        ],
    }


def imported(env: dict[str, str], folder: Path, files: dict[str, Any]) -> dict[str, Any]:
    code, out, err = run(env, "import", str(write_bundle(folder, files)), "--format", "json")
    assert code == 0, err + out
    report = json.loads(out)
    return {f["file"]: f for f in report["files"]}


def remind(env: dict[str, str], day: str) -> dict[str, Any]:
    code, out, err = run(env, "remind", "--as-of", day, "--format", "json")
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def contacts_of(env: dict[str, str], ref: str) -> list[dict[str, Any]]:
    code, out, err = run(env, "contacts", "list", "--pupil", ref, "--format", "json")
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


ALEX = {"name": "Alex O'Brien", "email": "alex@example.com", "mobile": "07700 900123"}
SAM = {"name": "Sam Jones", "email": "sam@example.org", "mobile": "07700 900456"}


def test_a_contact_no_longer_listed_is_detached_counted_and_never_messaged(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", household(contact("P1", **ALEX), contact("P1", **SAM)))
    assert sorted(c["name"] for c in contacts_of(env, "P1")) == ["Alex O'Brien", "Sam Jones"]

    # A court order: Sam is no longer a contact of P1.
    files = imported(env, tmp_path / "v2", household(contact("P1", **ALEX)))

    summary = files["contacts.csv"]
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (0, 0, 1)
    assert summary["removed"] == 1
    assert [c["name"] for c in contacts_of(env, "P1")] == ["Alex O'Brien"]
    code, out, _ = run(env, "import", str(tmp_path / "v2"))
    assert code == 0 and "Removed" in out
    report = remind(env, INVITE_DAY)
    assert {m["to_address"] for m in report["messages"]} == {"alex@example.com"}


def test_pupils_the_file_does_not_name_keep_their_contacts(
    tmp_path: Path, env: dict[str, str]
) -> None:
    both = household(contact("P1", **ALEX), contact("P2", **SAM), refs=("P1", "P2"))
    imported(env, tmp_path / "v1", both)

    files = imported(env, tmp_path / "v2", {"contacts.csv": [contact("P1", **SAM)]})

    assert files["contacts.csv"]["removed"] == 1  # Alex, from P1 only
    assert [c["name"] for c in contacts_of(env, "P1")] == ["Sam Jones"]
    assert [c["name"] for c in contacts_of(env, "P2")] == ["Sam Jones"]


def test_a_corrected_name_is_the_same_person_not_a_new_one(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", household(contact("P1", **{**ALEX, "name": "Olivia O'Brien"})))
    remind(env, INVITE_DAY)

    files = imported(
        env, tmp_path / "v2", household(contact("P1", **{**ALEX, "name": "Olivia OBrien"}))
    )

    summary = files["contacts.csv"]
    assert (summary["added"], summary["updated"], summary["removed"]) == (0, 1, 0)
    assert [c["name"] for c in contacts_of(env, "P1")] == ["Olivia OBrien"]
    # The next step goes once to each address, not to a "second person" as well.
    report = remind(env, REMINDER_DAY)
    addresses = sorted(m["to_address"] for m in report["messages"])
    assert addresses == ["+447700900123", "alex@example.com"]


def test_two_contacts_with_one_address_get_one_message(tmp_path: Path, env: dict[str, str]) -> None:
    shared = {"email": "family@example.com", "mobile": ""}
    files = household(
        contact("P1", name="Alex O'Brien", **shared),
        contact("P1", name="Chris O'Brien", **shared),
    )
    imported(env, tmp_path / "v1", files)

    report = remind(env, INVITE_DAY)

    assert [(m["to_address"], m["pupil_refs"]) for m in report["messages"]] == [
        ("family@example.com", ["P1"])
    ]


def test_reimporting_an_unchanged_bundle_reports_no_change(
    tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Siblings' rows that disagree on the shared person's preferred channel, in two
    # chunks (as a large file has them): each chunk used to write its own value.
    monkeypatch.setattr("transport.imports.bundle.CHUNK_ROWS", 1)
    files = household(
        contact("P1", **ALEX, preferred_channel="email"),
        contact("P2", **ALEX, preferred_channel="both"),
        refs=("P1", "P2"),
    )
    imported(env, tmp_path / "v1", files)

    again = imported(env, tmp_path / "v1", files)

    for name, summary in again.items():
        assert (summary["added"], summary["updated"], summary["removed"]) == (0, 0, 0), name


def test_an_unreachable_family_gets_the_step_due_the_night_it_becomes_reachable(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", household())  # no contact at all
    first = remind(env, INVITE_DAY)
    assert first["unreachable"] == ["P1"] and first["messages"] == []

    imported(env, tmp_path / "v2", {"contacts.csv": [contact("P1", **ALEX)]})
    report = remind(env, "2026-05-27")

    assert [(m["step"], m["to_address"]) for m in report["messages"]] == [
        ("invite", "alex@example.com")
    ]
    assert report["unreachable"] == []
    # Recorded as sent now: the next night sends nothing more for that step.
    assert remind(env, "2026-05-28")["messages"] == []
