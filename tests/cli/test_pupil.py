"""`transport pupil REF`: one child's story, from the record, as the team reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.bundles import arrangement, award, small_county, write_bundle

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    files = small_county()
    files["applications.csv"] = []  # nobody has applied for next year
    folder = write_bundle(tmp_path / "bundle", files)
    assert runner.invoke(app, ["import", str(folder)], env=env).exit_code == 0
    return env


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_the_story_gathers_the_record_the_risk_messages_tasks_and_decisions(
    env: dict[str, str],
) -> None:
    assert run(env, "remind", "--as-of", "2026-08-06")[0] == 0  # urgent step, a task
    code, out, _ = run(env, "contacts", "block", "alex@example.com", "--by", "Jo",
                       "--reason", "court order")  # fmt: skip
    assert code == 0, out
    code, out, _ = run(env, "pupil", "P1", "--as-of", "2026-08-06", "--format", "json")
    assert code == 0
    story = json.loads(out)
    assert story["pupil"]["first_name"] == "Sam" and story["pupil"]["school_name"] == "Oak Primary"
    assert story["risk"]["reasons"] == ["NO_APPLICATION", "UNREACHABLE"]
    assert story["risk"]["risk_date"] == "2026-09-03"
    [contact] = story["contacts"]
    assert contact["blocked"] is True and contact["blocked_by"] == "Jo"
    assert contact["block_reason"] == "court order"
    assert [a["award_ref"] for a in story["awards"]] == ["A1"]
    kinds = {(m["kind"], m["status"]) for m in story["messages"]}
    assert kinds == {("renewal_urgent", "cancelled")}  # queued, then cancelled by the block
    assert {t["kind"] for t in story["tasks"]} == {"phone_family"}
    events = {(event["action"], event["entity"]) for event in story["audit"]}
    assert ("block", "contacts") in events, events


def test_the_table_names_everything_and_an_unknown_pupil_is_exit_2(env: dict[str, str]) -> None:
    code, out, _ = run(env, "pupil", "P2", "--as-of", "2026-08-24")
    assert code == 0
    for expected in ("Sam O'Brien", "Oak Primary", "Hill Academy", "NO_APPLICATION",
                     "Contacts", "Awards", "A2", "Audit log"):  # fmt: skip
        assert expected in out, expected
    code, out, err = run(env, "pupil", "NOBODY")
    assert code == 2 and "NOBODY" in err and out == ""


def test_at_a_narrow_width_a_reference_is_printed_whole(db_url: str, tmp_path: Path) -> None:
    """A reference wider than a narrow terminal allows is never folded: the award's row,
    or its block, holds every character of it on one line (none replaced with "…")."""
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "60"}
    ref = "AWARD-2026-SEND-0000000001"
    files = small_county()
    files["awards.csv"] = [award(ref, basis="SEND_MOBILITY")]
    assert runner.invoke(app, ["import", str(write_bundle(tmp_path / "b", files))],
                         env=env).exit_code == 0  # fmt: skip
    code, out, _ = run(env, "pupil", "P1", "--as-of", "2026-08-06")
    assert code == 0
    assert "…" not in out and max(len(line) for line in out.splitlines()) <= 60
    awards = out.split("Awards", 1)[1].split("Applications", 1)[0]
    assert any(ref in line for line in awards.splitlines()), awards


def test_the_travel_arrangements_say_whether_a_passenger_assistant_travels(
    db_url: str, tmp_path: Path
) -> None:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}
    files = small_county()
    files["arrangements.csv"] = [
        arrangement("P1", year="2026/27", passenger_assistant="yes"),
        arrangement("P1", year="2025/26", family_informed_on="2025-07-20"),
    ]
    assert runner.invoke(app, ["import", str(write_bundle(tmp_path / "b", files))],
                         env=env).exit_code == 0  # fmt: skip

    code, out, _ = run(env, "pupil", "P1", "--as-of", "2026-08-06")

    assert code == 0
    table = out.split("Travel arrangements", 1)[1].split("Messages", 1)[0]
    assert "Passenger assistant" in table
    rows = [line.split() for line in table.splitlines() if "County Coaches" in line]
    assert [(row[0], row[-4]) for row in rows] == [("2026/27", "yes"), ("2025/26", "no")]
    code, out, _ = run(env, "pupil", "P1", "--as-of", "2026-08-06", "--format", "json")
    story = json.loads(out)
    assert [(a["academic_year"], a["passenger_assistant"]) for a in story["arrangements"]] == [
        (2026, True),
        (2025, False),
    ]
