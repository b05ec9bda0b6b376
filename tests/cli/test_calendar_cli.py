"""The calendar tells the truth (issue 21), through the root app as a new user meets it:
no all-clear when term dates are missing, and half terms, INSET days and bank holidays
counted wherever days are counted (check, ladder, outbox preview, pupil, digest, HTML).

The county: Oak Primary follows the default calendar, which has 2026/27 with an INSET day
on Thu 3 Sep and a half term 26-30 Oct; Hill Academy follows "acad1", which has no terms
for 2026/27 (its autumn is assumed from the default's and its own 2025/26 one + 364 days:
both Thu 3 Sep 2026).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import (
    application,
    arrangement,
    award,
    closure,
    contact,
    council_terms,
    pupil,
    school,
    term,
    write_bundle,
)

runner = CliRunner()
AS_OF = "2026-08-26"  # Wed: the first assumed day, Thu 3 Sep, is 8 days away


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def county(children: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The two schools and their calendars, and the children named (see below)."""
    acad1_2025 = [
        term("acad1", "2025/26", "autumn", "2025-09-04", "2025-12-18"),
        term("acad1", "2025/26", "spring", "2026-01-06", "2026-03-27"),
        term("acad1", "2025/26", "summer", "2026-04-14", "2026-07-21"),
    ]
    people = {
        # Oak Primary: the award ends with the year, no application: R = Fri 4 Sep.
        "P1": (pupil("P1", school_urn="100001"), [award("A1", pupil_ref="P1")], [], []),
        # Oak Primary: covered to Fri 23 Oct, approved, no award after: R = Mon 2 Nov.
        "P2": (
            pupil("P2", school_urn="100001"),
            [award("A2", pupil_ref="P2"),
             award("A2B", pupil_ref="P2", valid_from="2026-09-01", valid_until="2026-10-23")],
            [application("APP2", pupil_ref="P2", status="approved")],
            [arrangement("P2")],
        ),
        # Hill Academy: the award ends with the year, no application: R assumed.
        "P3": (pupil("P3", school_urn="100002"), [award("A3", pupil_ref="P3")], [], []),
        # Hill Academy: covered through the gap, approved, arranged and informed.
        "P4": (
            pupil("P4", school_urn="100002"),
            [award("A4", pupil_ref="P4"),
             award("A4B", pupil_ref="P4", valid_from="2026-09-01", valid_until="2027-08-31")],
            [application("APP4", pupil_ref="P4", status="approved")],
            [arrangement("P4")],
        ),
    }  # fmt: skip
    chosen = [people[ref] for ref in children]
    return {
        "schools.csv": [
            school("100001", name="Oak Primary"),
            school("100002", name="Hill Academy", phase="secondary", calendar="acad1"),
        ],
        "terms.csv": council_terms() + acad1_2025,
        "closures.csv": [
            closure("default", "2026-09-03", kind="inset"),
            closure("default", "2026-10-26", "2026-10-30", kind="half_term"),
        ],
        "pupils.csv": [p for p, _, _, _ in chosen],
        "contacts.csv": [
            contact(p["pupil_ref"], email=f"{p['pupil_ref'].lower()}@example.com", mobile="")
            for p, _, _, _ in chosen
        ],
        "awards.csv": [a for _, awards, _, _ in chosen for a in awards],
        "applications.csv": [a for _, _, apps, _ in chosen for a in apps],
        "arrangements.csv": [a for _, _, _, arrs in chosen for a in arrs],
    }


def imported(tmp_path: Path, env: dict[str, str], *children: str) -> None:
    files = {name: rows for name, rows in county(list(children)).items() if rows}
    code, out, err = run(env, "import", str(write_bundle(tmp_path / "bundle", files)))
    assert code == 0, out + err


def test_a_gap_is_never_an_all_clear_and_fails_the_monitor_whatever_the_school(
    tmp_path: Path, env: dict[str, str]
) -> None:
    # Only the child covered through the gap: nobody is at risk, yet the term dates are
    # missing 8 days ahead. Before issue 21: "No child is at risk in the window.", exit 0.
    imported(tmp_path, env, "P4")
    code, out, err = run(env, "check", "--as-of", AS_OF, "--fail-on", "critical")
    assert code == 1
    assert "No child is at risk" not in out
    assert out.splitlines()[1].startswith("TERM DATES MISSING")
    assert "acad1 2026/27: no autumn, spring, summer dates; assumed from Thu 3 Sep 2026" in out
    assert "error: term dates are missing: calendar 'acad1'" in err
    # The whole record, whatever --school says: Oak Primary follows the default calendar.
    code, _, err = run(env, "check", "--as-of", AS_OF, "--school", "100001", "--fail-on", "low")
    assert code == 1 and "calendar 'acad1'" in err
    # 22 days before the first assumed day: a warning, not a failure.
    code, out, _ = run(env, "check", "--as-of", "2026-08-12", "--fail-on", "critical")
    assert code == 0 and "TERM DATES MISSING" in out and "No child is at risk" not in out
    data = json.loads(run(env, "check", "--as-of", AS_OF, "--format", "json")[1])
    assert data["calendar_gaps"] == [
        {
            "calendar": "acad1",
            "academic_year": "2026/27",
            "terms": ["autumn", "spring", "summer"],
            "from": "2026-09-03",
            "schools": ["100002"],
            "pupils": 1,
        }
    ]
    assert data["at_risk"] == []
    html = tmp_path / "report.html"
    assert run(env, "check", "--as-of", AS_OF, "--format", "html", "--output", str(html))[0] == 0
    page = html.read_text(encoding="utf-8")
    assert "Term dates missing" in page and "No child is at risk" not in page


def test_half_terms_inset_days_and_assumed_days_in_the_check(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(tmp_path, env, "P1", "P2", "P3", "P4")
    data = json.loads(run(env, "check", "--as-of", AS_OF, "--format", "json")[1])
    found = {
        r["pupil_ref"]: (r["risk_date"], r["reasons"], r["uncovered_from_assumed"])
        for r in data["at_risk"]
    }
    assert found == {
        "P1": ("2026-09-04", ["NO_APPLICATION"], False),  # after the INSET day
        "P2": ("2026-11-02", ["AWARD_MISSING"], False),  # after half term
        "P3": ("2026-09-03", ["NO_APPLICATION", "NO_TERM_DATES"], True),
    }
    assert data["counts"]["by_reason"]["NO_TERM_DATES"] == 1
    dates = next(stage for stage in data["forecast"] if stage["stage"] == "dates")
    assert (dates["outstanding"], dates["due_by"]) == (1, "2026-09-02")


def test_the_ladder_and_the_preview_name_the_term_never_an_assumed_date(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(tmp_path, env, "P1", "P3")
    code, out, err = run(env, "remind", "--as-of", AS_OF, "--dry-run", "--format", "json")
    assert code == 0, err
    subjects = {tuple(m["pupil_refs"]): m["subject"] for m in json.loads(out)["messages"]}
    assert "from Fri 4 Sep" in subjects[("P1",)]  # after the INSET day
    assert "from the autumn term" in subjects[("P3",)]  # assumed: the term, never the date
    assert "3 Sep" not in subjects[("P3",)]
    code, out, err = run(
        env, "outbox", "preview", "--pupil", "P3", "--kind", "renewal_final", "--as-of", AS_OF
    )
    assert code == 0, err
    assert "from the start of the autumn term" in out
    assert "3 September" not in out and "Thu 3 Sep" not in out
    code, out, _ = run(
        env, "outbox", "preview", "--pupil", "P1", "--kind", "renewal_final", "--as-of", AS_OF
    )
    assert code == 0 and "from Friday 4 September 2026" in out
    # In June, the invitation: a known day gives an "apply by" date, an assumed one none.
    invite = ("outbox", "preview", "--kind", "renewal_invite", "--as-of", "2026-06-01")
    code, out, _ = run(env, *invite, "--pupil", "P1")
    assert code == 0 and "Please apply by Friday 7 August 2026" in out
    code, out, _ = run(env, *invite, "--pupil", "P3")
    assert code == 0 and "from the start of the autumn term" in out
    assert "Please apply by" not in out and "3 September" not in out


def test_pupil_and_digest_say_the_gap(tmp_path: Path, env: dict[str, str]) -> None:
    imported(tmp_path, env, "P1", "P3", "P4")
    code, out, _ = run(env, "pupil", "P3", "--as-of", AS_OF)
    assert code == 0
    assert "TERM DATES MISSING: calendar 'acad1' has no autumn, spring, summer dates" in out
    assert "NO_APPLICATION NO_TERM_DATES" in out and "assumed: the autumn term" in out
    story = json.loads(run(env, "pupil", "P4", "--as-of", AS_OF, "--format", "json")[1])
    assert story["risk"] is None
    assert [(g["calendar"], g["from"]) for g in story["calendar_gaps"]] == [
        ("acad1", "2026-09-03")
    ]
    # A child of the default calendar: no gap of theirs.
    story = json.loads(run(env, "pupil", "P1", "--as-of", AS_OF, "--format", "json")[1])
    assert story["calendar_gaps"] == []
    assert (story["risk"]["risk_date"], story["risk"]["uncovered_from_assumed"]) == (
        "2026-09-04",
        False,
    )
    code, out, _ = run(env, "digest", "--as-of", AS_OF)
    assert code == 0
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0].startswith("[NO TERM DATES: acad1]")
    assert lines[2].startswith(
        "TERM DATES MISSING for calendar 'acad1' (1 school): no autumn, spring, summer term "
        "dates for 2026/27"
    )


def test_calendars_lists_schools_terms_closures_and_what_is_missing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(tmp_path, env, "P1")
    code, out, _ = run(env, "calendars", "--as-of", AS_OF)
    assert code == 0
    assert out.index("acad1") < out.index("default")  # the missing first
    assert "MISSING 2026/27: autumn, spring, summer; the check assumes school days from Thu " \
        "3 Sep 2026" in out  # fmt: skip
    data = json.loads(run(env, "calendars", "--academic-year", "2026/27", "--format", "json")[1])
    assert data["academic_years"] == ["2026/27"]
    by_name = {c["calendar"]: c for c in data["calendars"]}
    assert by_name["acad1"]["schools"] == [{"urn": "100002", "name": "Hill Academy"}]
    assert by_name["acad1"]["terms"] == []
    assert by_name["acad1"]["missing"] == [
        {"academic_year": "2026/27", "terms": ["autumn", "spring", "summer"], "from": "2026-09-03"}
    ]
    autumn = by_name["default"]["terms"][0]
    assert (autumn["term"], autumn["first_day"], autumn["first_school_day"]) == (
        "autumn",
        "2026-09-03",
        "2026-09-04",  # after the INSET day
    )
    assert [(c["first_day"], c["kind"]) for c in by_name["default"]["closures"]] == [
        ("2026-09-03", "inset"),
        ("2026-10-26", "half_term"),
    ]
    assert by_name["default"]["missing"] == []
    code, _, err = run(env, "calendars", "--academic-year", "2026-28")
    assert code == 2 and "--academic-year" in err


def test_calendars_json_keeps_its_keys(tmp_path: Path, env: dict[str, str]) -> None:
    """The keys a script reads from `transport calendars --format json`, at every level,
    in their order (the JSON is rendered in commands/views/calendars.py)."""
    imported(tmp_path, env, "P1")
    code, out, _ = run(env, "calendars", "--as-of", AS_OF, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["as_of", "horizon_days", "academic_years", "calendars"]
    by_name = {c["calendar"]: c for c in data["calendars"]}
    acad1, default = by_name["acad1"], by_name["default"]
    assert list(acad1) == ["calendar", "schools", "terms", "closures", "missing"]
    assert list(acad1["schools"][0]) == ["urn", "name"]
    assert list(acad1["missing"][0]) == ["academic_year", "terms", "from"]
    assert list(default["terms"][0]) == [
        "academic_year",
        "term",
        "first_day",
        "last_day",
        "first_school_day",
    ]
    assert list(default["closures"][0]) == ["first_day", "last_day", "urn", "kind"]
    assert (data["as_of"], default["closures"][0]["urn"]) == (AS_OF, None)
