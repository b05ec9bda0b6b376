"""A parent on the phone gives a name: references are trimmed and matched in any case,
`transport find TEXT` lists the children a caller means, and `--school` takes a name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import contact, pupil, school, small_county, write_bundle

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    files = small_county()
    files["schools.csv"].append(school("100003", name="St Anne's Primary"))
    files["schools.csv"].append(school("100004", name="St Anne's Primary"))  # namesakes
    files["pupils.csv"] += [
        pupil("NC001", first_name="Amelia", last_name="Fitzwilliam-Hargreaves",
              home_postcode="nr14 7pz"),
        pupil("AB1", first_name="Ola", last_name="Nowak"),
        pupil("ab1", first_name="Ewa", last_name="Nowak"),  # the same but for case
    ]  # fmt: skip
    files["contacts.csv"] += [
        contact("NC001", name="Catherine Hargreaves", email="Cath.H@Example.co.uk",
                mobile="07700 900461", landline="01632 960123"),
        contact("AB1", name="Jan Nowak", email="jan@example.com", mobile="07700 900999"),
        contact("ab1", name="Jan Nowak", email="jan@example.com", mobile="07700 900999"),
    ]  # fmt: skip
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    return env


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def found(env: dict[str, str], text: str) -> list[str]:
    code, out, err = run(env, "find", text, "--format", "json")
    assert code in (0, 1), err
    return [child["pupil_ref"] for child in json.loads(out)["children"]]


def test_a_reference_is_trimmed_and_matched_in_any_case(env: dict[str, str]) -> None:
    for given in ("nc001", "NC001 ", " Nc001"):
        code, out, err = run(env, "pupil", given, "--as-of", "2026-08-24")
        assert code == 0, err
        assert out.startswith("NC001  Amelia Fitzwilliam-Hargreaves")
    code, out, _ = run(env, "tasks", "list", "--pupil", "nc001", "--format", "json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(env, "contacts", "list", "--pupil", "p3 ", "--format", "json")
    assert code == 0 and [c["name"] for c in json.loads(out)] == ["Jo Smith"]


def test_two_references_that_differ_only_by_case_are_both_named(env: dict[str, str]) -> None:
    code, out, _ = run(env, "pupil", "AB1", "--as-of", "2026-08-24")  # exact: that one
    assert code == 0 and "Ola Nowak" in out
    code, out, err = run(env, "pupil", "Ab1", "--as-of", "2026-08-24")
    assert code == 2 and out == ""
    assert "AB1" in err and "ab1" in err and "differ only by case" in err


def test_an_unknown_reference_says_what_it_might_be(env: dict[str, str]) -> None:
    code, out, err = run(env, "pupil", "NC01")
    assert code == 2 and out == ""
    assert "NC01" in err and "did you mean NC001?" in err and "transport find" in err


def test_find_by_name_postcode_email_number_and_school(env: dict[str, str]) -> None:
    assert found(env, "fitzwilliam") == ["NC001"]
    assert found(env, "Amelia Fitzwilliam") == ["NC001"]
    assert found(env, "Fitzwilliam Amelia") == ["NC001"]
    assert found(env, "NR14 7PZ") == found(env, "nr147pz") == ["NC001"]
    assert found(env, "NR14") == ["NC001"]  # the outward code alone
    assert found(env, "cath.h@example.co.uk") == ["NC001"]
    assert found(env, "+44 7700 900461") == found(env, "01632 960123") == ["NC001"]
    assert sorted(found(env, "nowak")) == ["AB1", "ab1"]
    assert sorted(found(env, "ab1")) == ["AB1", "ab1"]
    assert sorted(found(env, "Hill Academy")) == ["P2", "P3"]  # P2 goes there next year
    code, out, _ = run(env, "find", "Fitzwilliam")
    assert code == 0
    row = next(line for line in out.splitlines() if "NC001" in line)
    assert "Amelia Fitzwilliam-Hargreaves" in row and "Oak Primary" in row


def test_nothing_found_says_did_you_mean_and_exits_1(env: dict[str, str]) -> None:
    code, out, _ = run(env, "find", "Fitzwiliam")  # one l short
    assert code == 1
    assert "No child matches 'Fitzwiliam'" in out
    assert "Did you mean: Fitzwilliam-Hargreaves?" in out
    code, out, _ = run(env, "find", "zzzz")
    assert code == 1 and "No child matches" in out and "Did you mean" not in out


def test_school_takes_a_name_when_it_names_one_school(env: dict[str, str]) -> None:
    by_urn = run(env, "check", "--as-of", "2026-08-24", "--school", "100002", "--format", "json")
    by_name = run(env, "check", "--as-of", "2026-08-24", "--school", "hill academy",
                  "--format", "json")  # fmt: skip
    assert by_urn[0] == by_name[0] == 0
    assert json.loads(by_name[1])["school_urn"] == "100002"
    assert json.loads(by_name[1])["at_risk"] == json.loads(by_urn[1])["at_risk"]
    assert run(env, "tasks", "list", "--school", "Hill", "--format", "json")[0] == 0
    code, out, err = run(env, "tasks", "list", "--school", "St Anne's Primary")
    assert code == 2 and out == ""
    assert "100003" in err and "100004" in err and "URN" in err
    code, _, err = run(env, "tasks", "list", "--school", "Nowhere School")
    assert code == 2 and "Nowhere School" in err
